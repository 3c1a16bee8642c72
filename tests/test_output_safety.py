"""Writing the drafts: only inside --out, never through a symlink, never over a file without --force, atomically."""

from __future__ import annotations

import functools
import os
import subprocess

import pytest
import yaml

from contracts.answers import validate_answers
from contracts.generate import build_set, generate
from contracts.render import files as files_mod
from contracts.render.files import OutputError, plan_outputs, write_all

from conftest import FIXTURES, KEIYAKU, ROOT

ANSWERS_FILE = FIXTURES / "answers_minimal.yaml"


@functools.lru_cache(maxsize=None)
def answers():
    return validate_answers(yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=None)
def the_set() -> dict[str, bytes]:
    return build_set(answers()).files


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder):
    return [p for p in folder.rglob("*") if p.name.startswith(".keiyaku-")]


@pytest.mark.parametrize(
    "name", ["../escape.docx", "review/../../escape.docx", "/etc/escape.docx", "..", "a/./../../escape.docx", "", " . "]
)
def test_refuses_names_that_leave_the_output_folder(tmp_path, name):
    out = tmp_path / "out"
    with pytest.raises(OutputError):
        plan_outputs(out, {name: b"x"}, force=True)
    assert not (tmp_path / "escape.docx").exists() and not out.exists()


def test_separators_and_reserved_characters_stay_inside(tmp_path):
    out = tmp_path / "out"
    planned = plan_outputs(out, {'a\\b:c*?"<>|.docx': b"x"}, force=False)
    (target,) = planned
    assert target.parent == out and "\\" not in target.name
    write_all(planned)
    assert snapshot(out) == {target.name: b"x"}


def test_refuses_a_symlink_planted_at_an_output_file(tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    victim.write_text("keep me")
    out.mkdir()
    name = next(n for n in the_set() if "/" not in n and n.endswith(".docx"))
    (out / name).symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        generate(answers(), out, force=True)
    assert victim.read_text() == "keep me"
    assert [p.name for p in out.iterdir()] == [name]  # nothing else was written either


def test_refuses_a_symlinked_review_folder(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "review").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="symbolic link"):
        generate(answers(), out, force=True)
    assert list(elsewhere.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["review"]


def test_refuses_a_symlinked_output_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(OutputError, match="symbolic link"):
        generate(answers(), tmp_path / "link")
    assert list(real.iterdir()) == []


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(OutputError):
        generate(answers(), tmp_path / "out")


def test_never_overwrites_without_force(tmp_path):
    out = tmp_path / "out"
    first = write_all(plan_outputs(out, the_set(), force=False))
    before = snapshot(out)
    one = first[0]
    one.write_bytes(b"edited by a lawyer")
    before[one.relative_to(out).as_posix()] = b"edited by a lawyer"
    with pytest.raises(OutputError, match="already exists"):
        generate(answers(), out)
    assert snapshot(out) == before
    generate(answers(), out, force=True)
    assert snapshot(out) == {**before, one.relative_to(out).as_posix(): the_set()[one.relative_to(out).as_posix()]}


def test_cli_without_force_exits_2_and_keeps_the_files(tmp_path):
    out = tmp_path / "out"
    write_all(plan_outputs(out, {"01_秘密保持契約書.docx": b"previous"}, force=False))
    result = subprocess.run(KEIYAKU + ["generate", str(ANSWERS_FILE), "--out", str(out)], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "already exists" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == {"01_秘密保持契約書.docx": b"previous"}


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    written = write_all(plan_outputs(out, the_set(), force=False))
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(the_set())
    assert snapshot(out) == the_set()
    assert leftovers(out) == []
    for p in written:
        assert oct(p.stat().st_mode & 0o777) == oct(0o644)


def test_a_crash_midway_leaves_whole_files_and_no_temporaries(tmp_path, monkeypatch):
    out = tmp_path / "out"
    old = {name: b"previous " + name.encode() for name in the_set()}
    write_all(plan_outputs(out, old, force=False))
    real_replace, calls = os.replace, []

    def crash_after_first(src, dst):
        calls.append(dst)
        if len(calls) > 1:
            raise OSError(28, "No space left on device (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", crash_after_first)
    with pytest.raises(OSError, match="simulated"):
        generate(answers(), out, force=True)
    monkeypatch.undo()
    now = snapshot(out)
    assert set(now) == set(old)
    new = the_set()
    replaced = [n for n in now if now[n] == new[n]]
    assert len(replaced) == 1  # the first file was renamed into place whole ...
    assert all(now[n] == old[n] for n in now if n not in replaced)  # ... every other file is the previous one
    assert leftovers(out) == []


def test_a_crash_while_writing_the_temporary_file_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_fdopen = os.fdopen

    class Boom:
        def __init__(self, fd, mode):
            self.fh = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise KeyboardInterrupt

    monkeypatch.setattr(files_mod.os, "fdopen", Boom)
    with pytest.raises(KeyboardInterrupt):
        generate(answers(), out)
    monkeypatch.undo()
    assert snapshot(out) == {} and leftovers(out) == []
