"""Writing the drafts: only inside --out, never through a symlink, never over a file without --force, and a set is
written whole or not at all (issue 15): every failure leaves the complete old set, a killed run is rolled back by the
next one, and two runs cannot write into one folder at the same time."""

from __future__ import annotations

import errno
import functools
import json
import os

import pytest
import yaml

from contracts.answers import validate_answers
from contracts.generate import build_set, generate
from contracts.render import files as files_mod
from contracts.render.files import SET_MANIFEST, OutputError, OutputFolder, plan_outputs, write_all, write_set
from tests.conftest import FIXTURES, keiyaku

ANSWERS_FILE = FIXTURES / "answers_minimal.yaml"


@functools.cache
def answers():
    return validate_answers(yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8")))


@functools.cache
def the_set() -> dict[str, bytes]:
    return build_set(answers()).files


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder):
    return [p for p in folder.rglob("*") if p.name.startswith(".keiyaku-") and p.name != SET_MANIFEST]


def documents(folder):
    """What a user sees of the set: every file but keiyaku's manifest of it."""
    return {name: blob for name, blob in snapshot(folder).items() if name != SET_MANIFEST}


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
    with pytest.raises(OutputError, match="既に存在します"):
        generate(answers(), out)
    assert snapshot(out) == before
    generate(answers(), out, force=True)
    assert documents(out) == {**before, one.relative_to(out).as_posix(): the_set()[one.relative_to(out).as_posix()]}


def test_cli_without_force_exits_2_and_keeps_the_files(tmp_path):
    out = tmp_path / "out"
    write_all(plan_outputs(out, {"01_秘密保持契約書.docx": b"previous"}, force=False))
    result = keiyaku("generate", ANSWERS_FILE, "--out", out)
    assert result.exit_code == 2, result.output
    assert "既に存在します" in result.stderr
    assert snapshot(out) == {"01_秘密保持契約書.docx": b"previous"}


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    written = write_all(plan_outputs(out, the_set(), force=False))
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(the_set())
    assert snapshot(out) == the_set()
    assert leftovers(out) == []
    for p in written:
        assert oct(p.stat().st_mode & 0o777) == oct(0o644)


# --------------------------------------------------------------------------- whole sets (issue 15, item 2)


def old_set() -> dict[str, bytes]:
    """A previous set in the folder: the same names with other contents, plus a file the new set no longer has."""
    return {**{name: b"previous " + name.encode() for name in the_set()}, "04_old_only.docx": b"previous extra"}


def with_old_set(out):
    write_set(out, old_set(), force=False)
    (out / "notes.txt").write_bytes(b"the user's own file")
    return snapshot(out)


def test_a_set_comes_with_a_manifest_of_its_files(tmp_path):
    out = tmp_path / "out"
    written = generate(answers(), out)
    assert documents(out) == the_set() and leftovers(out) == []
    manifest = json.loads((out / SET_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(the_set())
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(the_set())
    for p in written:
        assert oct(p.stat().st_mode & 0o777) == oct(0o644)


def test_force_replaces_the_whole_set_and_only_the_set(tmp_path):
    out = tmp_path / "out"
    with_old_set(out)
    generate(answers(), out, force=True)
    assert documents(out) == {**the_set(), "notes.txt": b"the user's own file"}  # 04_old_only.docx is gone
    assert leftovers(out) == []


def test_without_force_a_folder_holding_a_set_is_refused(tmp_path):
    out = tmp_path / "out"
    write_set(out, {"other.docx": b"x"}, force=False)
    before = snapshot(out)
    with pytest.raises(OutputError, match="既に作成した一式があります"):
        generate(answers(), out)
    assert snapshot(out) == before


def _failing_at(k, real):
    calls = []

    def fail_kth(*args, **kwargs):
        calls.append(args)
        if len(calls) == k:
            raise OSError(errno.ENOSPC, "No space left on device (simulated)")
        return real(*args, **kwargs)

    return fail_kth, calls


def _count_calls(monkeypatch, name, out):
    """How often a set written over the old one calls files_mod.<name> (os.replace or _write_file)."""
    real = getattr(files_mod.os, name) if name == "replace" else getattr(files_mod, name)
    counter, calls = _failing_at(0, real)
    target = files_mod.os if name == "replace" else files_mod
    monkeypatch.setattr(target, name, counter)
    generate(answers(), out, force=True)
    monkeypatch.undo()
    return len(calls)


@pytest.mark.parametrize("step", ["replace", "_write_file"])
def test_a_failure_at_any_step_leaves_the_complete_old_set(tmp_path, monkeypatch, step):
    """Fault injection: fail the k-th staged write (_write_file) or the k-th move into place (os.replace), for
    every k; each time the folder holds exactly the old set (and the user's file), and nothing else."""
    probe = tmp_path / "probe"
    with_old_set(probe)
    n = _count_calls(monkeypatch, step, probe)
    assert n >= len(the_set())  # every file of the set passes through this step
    target = files_mod.os if step == "replace" else files_mod
    real = getattr(target, step)
    for k in range(1, n + 1):
        out = tmp_path / f"k{k}"
        before = with_old_set(out)
        failing, _ = _failing_at(k, real)
        monkeypatch.setattr(target, step, failing)
        with pytest.raises(OutputError, match="新しい一式は何も残しておらず"):
            generate(answers(), out, force=True)
        monkeypatch.undo()
        assert snapshot(out) == before, f"step {step}, failure at call {k} of {n}"
        assert leftovers(out) == []
    generate(answers(), tmp_path / f"k{n}", force=True)  # and then the new set, whole
    assert documents(tmp_path / f"k{n}") == {**the_set(), "notes.txt": b"the user's own file"}


def test_a_killed_run_is_rolled_back_by_the_next_one(tmp_path, monkeypatch):
    """kill -9 inside the write phase, at every move: the next run into the folder finds a staging folder, puts the
    old set back whole (or keeps the new set whole if the kill came after the last move) and removes the rest."""
    probe = tmp_path / "probe"
    with_old_set(probe)
    n = _count_calls(monkeypatch, "replace", probe)
    new_set = {**the_set(), "notes.txt": b"the user's own file"}
    real_replace = os.replace
    for k in range(1, n + 2):
        out = tmp_path / f"k{k}"
        before = with_old_set(out)
        pid = os.fork()
        if pid == 0:  # the child dies at the k-th move, as under kill -9: no cleanup, no rollback
            try:
                calls = []

                def die(src, dst, calls=calls, k=k):
                    calls.append(src)
                    if len(calls) == k:
                        os._exit(9)
                    return real_replace(src, dst)

                files_mod.os.replace = die
                generate(answers(), out, force=True)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        files_mod.os.replace = real_replace
        assert bool(list(out.glob(".keiyaku-staging-*"))) == (k <= n)  # the kill left its staging folder
        with OutputFolder(out):  # what the next run does first
            pass
        assert leftovers(out) == []
        now = snapshot(out)
        assert now == before or documents(out) == new_set, f"killed at move {k} of {n}"
    assert now != before  # the last child was not killed during the moves: its set stands


def test_when_even_the_rollback_fails_the_next_run_restores_the_old_set(tmp_path, monkeypatch):
    """A double fault (the moves back are refused too): the staging folder keeps its journal, the message says so,
    and the next run into the folder puts the old set back."""
    out = tmp_path / "out"
    before = with_old_set(out)
    real_replace = os.replace
    refusing = {"on": True}

    def into_review_refused(src, dst):
        if refusing["on"] and str(dst).startswith(str(out / "review") + "/"):
            raise OSError(errno.EIO, "Input/output error (simulated)", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", into_review_refused)
    with pytest.raises(OutputError, match="次にこのフォルダへ keiyaku を実行したときに復元されます"):
        generate(answers(), out, force=True)
    refusing["on"] = False
    assert snapshot(out) != before  # half-way: review/ is missing its old files until the next run
    with OutputFolder(out):
        pass
    assert snapshot(out) == before and leftovers(out) == []


def test_legacy_temporary_files_are_removed(tmp_path):
    out = tmp_path / "out"
    (out / "review").mkdir(parents=True)
    (out / ".keiyaku-abc123xy").write_bytes(b"half a file")
    (out / "review" / ".keiyaku-9zz8yy7x").write_bytes(b"half a file")
    generate(answers(), out)
    assert leftovers(out) == [] and documents(out) == the_set()


def test_a_second_run_into_a_locked_folder_exits_2_and_writes_nothing(tmp_path):
    """Item 3: the check and the writes are one step; a concurrent run neither waits forever nor overwrites."""
    out = tmp_path / "out"
    with OutputFolder(out):
        result = keiyaku("generate", ANSWERS_FILE, "--out", out)
        assert result.exit_code == 2, result.output
        assert "別の keiyaku の実行" in result.stderr and "Traceback" not in result.output
        assert snapshot(out) == {}
    assert keiyaku("generate", ANSWERS_FILE, "--out", out).exit_code == 0


@pytest.mark.parametrize("case", ["a file named review", "a folder at an output name", "a name over 255 bytes"])
def test_what_is_in_the_way_is_an_input_fault_exit_2(tmp_path, case):
    out = tmp_path / "out"
    before = with_old_set(out)
    if case == "a file named review":
        for p in (out / "review").iterdir():
            p.unlink()
        (out / "review").rmdir()
        (out / "review").write_bytes(b"not a folder")
    elif case == "a folder at an output name":
        (out / "01_秘密保持契約書.docx").unlink()
        (out / "01_秘密保持契約書.docx").mkdir()
    else:
        out = out / ("長" * 90)  # 270 bytes in UTF-8
    before = snapshot(tmp_path)
    result = keiyaku("generate", ANSWERS_FILE, "--out", out, "--force")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "internal error" not in result.stderr
    assert snapshot(tmp_path) == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("err", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_a_read_only_or_full_disk_is_exit_2_with_the_old_set_intact(tmp_path, monkeypatch, err):
    """A read-only review/, a read-only filesystem, a full disk: the move into review/ (or the staged write)
    fails; the CLI says so with exit status 2, and the old set is untouched."""
    out = tmp_path / "out"
    before = with_old_set(out)
    real_replace = os.replace

    def refuse_review(src, dst):  # as a read-only folder does: no entry may be added to or taken from out/review/
        if any(str(p).startswith(str(out / "review") + "/") for p in (src, dst)):
            raise OSError(err, os.strerror(err), str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", refuse_review)
    result = keiyaku("generate", ANSWERS_FILE, "--out", out, "--force")
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert os.strerror(err) in result.stderr and "internal error" not in result.stderr
    assert snapshot(out) == before and leftovers(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_really_read_only_review_folder(tmp_path):
    out = tmp_path / "out"
    before = with_old_set(out)
    (out / "review").chmod(0o555)
    try:
        result = keiyaku("generate", ANSWERS_FILE, "--out", out, "--force")
    finally:
        (out / "review").chmod(0o755)
    assert result.exit_code == 2, result.output
    assert snapshot(out) == before and leftovers(out) == []


def test_an_interrupt_while_staging_leaves_nothing(tmp_path, monkeypatch):
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
    assert not out.exists()  # the folder this run created is removed again: nothing of the set is visible
