"""Sets written file by file (issue 16): a set of many pledges never sits in memory whole, yet is still written all
or nothing with its manifest; batch workers write their own rows and send back only what the manifest lists."""

from __future__ import annotations

import errno
import hashlib
import json

import pytest
import yaml

from contracts.answers import validate_answers
from contracts.generate import build_set, generate
from contracts.render import files as files_mod
from contracts.render.files import SET_MANIFEST, OutputError, write_set
from tests.conftest import ROOT, docx_lines, keiyaku

JOINT_RESEARCH = ROOT / "examples" / "joint_research.yaml"
DATA_PROVISION = ROOT / "examples" / "data_provision.yaml"


def with_students(n: int):
    data = yaml.safe_load(JOINT_RESEARCH.read_text(encoding="utf-8"))
    data["deal"]["research"]["students"] = [
        {"name": f"学生 {i + 1:03d}", "affiliation": f"大学院工学研究科 博士前期課程{1 + i % 2}年"} for i in range(n)]
    return validate_answers(data)


def on_disk(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staged(out):
    """The files staged so far by the run writing into OUT (its staging folder's new/)."""
    return sorted(p.relative_to(s / "new").as_posix() for s in out.glob(".keiyaku-staging-*")
                  for p in (s / "new").rglob("*") if p.is_file())


def test_a_set_with_100_students_is_written_whole_with_every_file_in_its_manifest(tmp_path):
    out = tmp_path / "out"
    written = generate(with_students(100), out)
    pledges = sorted(out.glob("*誓約書*.docx"))
    assert len(pledges) == 100  # one per student, each naming its student
    for n in (1, 100):
        (pledge,) = [p for p in pledges if p.stem.endswith(f"_{n:02d}")]
        assert f"氏名\u3000学生 {n:03d}" in docx_lines(pledge)[-1]
    manifest = json.loads((out / SET_MANIFEST).read_text(encoding="utf-8"))["files"]
    files = {name: blob for name, blob in on_disk(out).items() if name != SET_MANIFEST}
    assert len(files) == len(written) >= 2 * 100 + 2  # a pledge and its review copy per student, and the summary
    assert manifest == {name: hashlib.sha256(blob).hexdigest() for name, blob in files.items()}
    assert [p for p in out.rglob(".keiyaku-*") if p.name != SET_MANIFEST] == []


def test_write_set_takes_each_file_to_disk_before_asking_for_the_next(tmp_path):
    """Structural: when the generator is asked for its k-th file, the k-1 before are already staged, and nothing of
    the new set is visible in OUT until the last one has been staged."""
    out = tmp_path / "out"
    names = [f"{i:02d}.docx" for i in range(5)] + ["review/summary.md"]
    seen = []

    def rendered():
        for k, name in enumerate(names):
            seen.append((staged(out), sorted(p.name for p in out.iterdir() if not p.name.startswith(".keiyaku-"))))
            yield name, f"file {k}".encode()

    written = write_set(out, rendered(), force=False)
    assert [s for s, _ in seen] == [sorted(names[:k]) for k in range(len(names))]
    assert all(visible == [] for _, visible in seen)
    assert [p.relative_to(out).as_posix() for p in written] == names
    assert on_disk(out) == {**{n: f"file {k}".encode() for k, n in enumerate(names)}, SET_MANIFEST: on_disk(out)[SET_MANIFEST]}


def test_generate_renders_and_writes_in_turn(tmp_path, monkeypatch):
    """`generate` streams: the first file is staged before the last document is rendered."""
    from contracts.render import docx as docx_mod

    events = []
    real_render, real_write = docx_mod.render_package, files_mod._write_file

    def render(doc, *a, **kw):
        events.append("render")
        return real_render(doc, *a, **kw)

    def write(path, content):
        events.append("write")
        return real_write(path, content)

    monkeypatch.setattr(docx_mod, "render_package", render)
    monkeypatch.setattr(files_mod, "_write_file", write)
    answers = with_students(3)
    generate(answers, tmp_path / "out")
    assert events.index("write") < len(events) - 1 - events[::-1].index("render")
    monkeypatch.undo()
    assert {k: v for k, v in on_disk(tmp_path / "out").items() if k != SET_MANIFEST} == build_set(answers).files


@pytest.mark.parametrize("failure", [ValueError("a broken template"), OSError(errno.ENOENT, "font missing")])
def test_a_renderer_failing_half_way_leaves_the_old_set_and_raises_its_own_error(tmp_path, failure):
    """A failure of the renderer is not a disk problem: it is raised as it is (an OSError too), and OUT keeps the
    old set whole, with nothing of the half-rendered new one."""
    out = tmp_path / "out"
    write_set(out, {"01_old.docx": b"old", "review/old.md": b"old"}, force=False)
    before = on_disk(out)

    def rendered():
        yield "01_new.docx", b"new"
        yield "review/new.md", b"new"
        raise failure

    with pytest.raises(type(failure)) as caught:
        write_set(out, rendered(), force=True)
    assert not isinstance(caught.value, OutputError)
    assert on_disk(out) == before


def test_two_files_of_a_stream_with_one_name_are_refused(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="同じ名前"):
        write_set(out, iter([("a.docx", b"1"), ("b.docx", b"2"), ("a.docx", b"3")]), force=False)
    assert not out.exists()  # the folder this run created is removed again


def test_batch_workers_write_the_same_bytes_as_one_process(tmp_path):
    """The pool (rows written by forked workers, results sent back as file records) and --jobs 1 agree byte for
    byte, and the manifest's hashes are those of the files on disk."""
    table = tmp_path / "rows.csv"
    table.write_text("parties.recipient.name\n" + "".join(f"株式会社サンプル{n}\n" for n in range(1, 6)), encoding="utf-8")
    results = {}
    for jobs in ("1", "3"):
        out = tmp_path / f"jobs{jobs}"
        result = keiyaku("batch", DATA_PROVISION, table, "--out", out, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["entries"]:
            for f in entry["files"]:
                blob = (out / f["path"]).read_bytes()
                assert f["sha256"] == hashlib.sha256(blob).hexdigest() and f["bytes"] == len(blob)
        results[jobs] = ({k: v for k, v in on_disk(out).items() if not k.startswith("manifest.")},
                         [{k: v for k, v in e.items()} for e in manifest["entries"]])
    assert results["1"] == results["3"]
    assert len(results["1"][1]) == 5 and all(e["status"] == "ok" for e in results["1"][1])


def test_a_row_whose_folder_is_in_the_way_fails_alone_in_the_pool(tmp_path):
    table = tmp_path / "rows.csv"
    table.write_text("parties.recipient.name\n" + "".join(f"株式会社サンプル{n}\n" for n in range(1, 5)), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "002_株式会社サンプル2").write_bytes(b"a file where the row's folder goes")
    result = keiyaku("batch", DATA_PROVISION, table, "--out", out, "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert "2行目のデータ" in result.stderr and "(output)" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["entries"]] == ["ok", "error", "ok", "ok"]
    assert (out / "002_株式会社サンプル2").read_bytes() == b"a file where the row's folder goes"
