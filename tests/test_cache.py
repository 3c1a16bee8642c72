"""The cross-process library cache (contracts.cache): never a wrong draft, never someone else's file.

Each command runs in a fresh interpreter (the cache is read once per process), so the drafts are compared byte for
byte between a run without the cache, a run that builds it and a run that reads it; a corrupt, stale or foreign file
is ignored and rebuilt.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import cache
from contracts.paths import CLAUSES_DIR
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "data_provision.yaml"


def generate(out: Path, cache_dir: str) -> dict[str, bytes]:
    env = dict(os.environ, KEIYAKU_CACHE_DIR=cache_dir)
    result = subprocess.run([sys.executable, "-m", "cli.main", "generate", str(EXAMPLE), "--out", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("library-*.pickle"))


def test_drafts_are_byte_identical_without_the_cache_when_building_it_and_when_reading_it(tmp_path):
    folder = tmp_path / "cache"
    without = generate(tmp_path / "a", "")
    assert not folder.exists()
    building = generate(tmp_path / "b", str(folder))
    [built] = cache_files(folder)
    stamp = built.stat().st_mtime_ns
    reading = generate(tmp_path / "c", str(folder))
    assert cache_files(folder) == [built] and built.stat().st_mtime_ns == stamp  # read, not rebuilt
    assert len(without) >= 8 and without == building == reading


def test_the_cache_is_private(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", str(folder))
    cache.write(CLAUSES_DIR, cache.build(CLAUSES_DIR))
    [built] = cache_files(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert built.stat().st_mode & 0o777 == 0o600
    assert isinstance(cache.read(CLAUSES_DIR), cache.Bundle)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One built cache file, copied into each test's own folder."""
    folder = tmp_path_factory.mktemp("built")
    previous = os.environ.get("KEIYAKU_CACHE_DIR")
    os.environ["KEIYAKU_CACHE_DIR"] = str(folder)
    try:
        cache.write(CLAUSES_DIR, cache.build(CLAUSES_DIR))
    finally:
        os.environ["KEIYAKU_CACHE_DIR"] = previous or ""
    [path] = cache_files(folder)
    return path


@pytest.fixture
def own_copy(built, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    target = folder / built.name
    shutil.copyfile(built, target)
    target.chmod(0o600)
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", str(folder))
    return target


def test_a_good_copy_is_read(own_copy):
    bundle = cache.read(CLAUSES_DIR)
    assert bundle is not None and bundle.library_codes and set(bundle.read_by) >= {"hackathon", "data_provision"}


def payload_range(path) -> tuple[int, int]:
    """Where the pickled payload lies in a cache file (its compiled texts follow it)."""
    data = path.read_bytes()
    start = data.index(b"\n\n") + 2
    return start, start + int(data[:start].split(b"\n")[2].split(b" ")[1])


def test_a_corrupt_file_is_ignored_and_the_drafts_are_unchanged(own_copy, tmp_path):
    start, end = payload_range(own_copy)
    data = bytearray(own_copy.read_bytes())
    data[(start + end) // 2] ^= 0xFF  # one flipped byte in the payload
    own_copy.write_bytes(bytes(data))
    assert cache.read(CLAUSES_DIR) is None
    fresh = generate(tmp_path / "fresh", str(own_copy.parent))
    assert cache.read(CLAUSES_DIR) is not None  # rebuilt over the corrupt file
    assert fresh == generate(tmp_path / "nocache", "")


def test_a_damaged_compiled_text_is_compiled_again_from_its_source(own_copy, tmp_path):
    """The compiled texts are checked one by one when they are read: every one damaged, none used, same drafts."""
    _, end = payload_range(own_copy)
    data = bytearray(own_copy.read_bytes())
    for i in range(end, len(data), 97):
        data[i] ^= 0xFF
    own_copy.write_bytes(bytes(data))
    codes = cache.read(CLAUSES_DIR).library_codes
    text = next(t for t in cache.build(CLAUSES_DIR).library_codes if "{{" in t)
    assert len(codes) > 1000 and codes.get(text) is None
    assert generate(tmp_path / "damaged", str(own_copy.parent)) == generate(tmp_path / "nocache", "")


def test_the_compiled_texts_are_read_one_at_a_time(own_copy):
    bundle = cache.read(CLAUSES_DIR)
    built = cache.build(CLAUSES_DIR).library_codes
    assert len(bundle.library_codes) == len(built)
    assert all(bundle.library_codes.get(text) == code for text, code in list(built.items())[::50])
    assert bundle.library_codes.get("{{ not a library text }}") is None


@pytest.mark.parametrize("damage", ["truncated", "empty", "other format", "other key"])
def test_a_damaged_file_is_ignored(own_copy, damage):
    data = own_copy.read_bytes()
    head, _, payload = data.partition(b"\n\n")
    lines = head.split(b"\n")
    broken = {
        "truncated": data[:-1],
        "empty": b"",
        "other format": b"keiyaku-library-cache 0\n" + b"\n".join(lines[1:]) + b"\n\n" + payload,
        "other key": b"\n".join([lines[0], b"0" * 64, lines[2]]) + b"\n\n" + payload,
    }[damage]
    own_copy.write_bytes(broken)
    assert cache.read(CLAUSES_DIR) is None


def test_a_file_others_can_write_is_not_read(own_copy):
    own_copy.chmod(0o666)
    assert cache.read(CLAUSES_DIR) is None
    own_copy.chmod(0o644)
    assert cache.read(CLAUSES_DIR) is None


class Payload:
    def __reduce__(self):
        return (os.system, ("echo unpickled > /dev/null",))


def test_a_foreign_pickle_with_a_valid_header_is_refused(own_copy):
    """Even a file that passes the digest check may only contain the library's own classes."""
    payload = pickle.dumps(Payload(), protocol=5)
    head = own_copy.read_bytes().partition(b"\n\n")[0].split(b"\n")
    own_copy.write_bytes(cache.frame(head[1].decode(), payload))
    assert cache.read(CLAUSES_DIR) is None


def test_the_key_changes_with_the_library_text(tmp_path):
    copy = tmp_path / "clauses"
    shutil.copytree(CLAUSES_DIR, copy)
    before = cache.key(copy)
    assert cache.key(copy) == before
    path = copy / "nda.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("秘密情報", "秘密の情報", 1), encoding="utf-8")
    assert cache.key(copy) != before


def test_the_key_changes_when_a_file_is_rewritten_with_the_same_size(tmp_path):
    """The key reads files by size and times (as Python's bytecode cache does): an edit of the same length, written
    in place, still changes it (its change time), and so does copying an older file back with its old modification
    time."""
    copy = tmp_path / "clauses"
    shutil.copytree(CLAUSES_DIR, copy)
    path = copy / "nda.yaml"
    before = cache.key(copy)
    text = path.read_text(encoding="utf-8")
    assert "秘密情報" in text
    path.write_text(text.replace("秘密情報", "機密情報", 1), encoding="utf-8")  # same number of bytes
    assert path.stat().st_size == (CLAUSES_DIR / "nda.yaml").stat().st_size
    edited = cache.key(copy)
    assert edited != before
    shutil.copy2(CLAUSES_DIR / "nda.yaml", path)  # the old text back, with its old modification time
    assert path.stat().st_mtime_ns == (CLAUSES_DIR / "nda.yaml").stat().st_mtime_ns
    assert cache.key(copy) != edited


def test_an_empty_setting_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", "")
    assert cache.folder() is None
    cache.write(CLAUSES_DIR, cache.Bundle({}, None, None, {}, {}, {}))  # nothing to write to, no error
    assert cache.read(CLAUSES_DIR) is None


def test_an_unwritable_folder_only_costs_a_rebuild(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", str(blocker / "cache"))
    cache.write(CLAUSES_DIR, cache.Bundle({}, None, None, {}, {}, {}))
    assert cache.read(CLAUSES_DIR) is None


def test_the_docx_template_parts_are_kept_compiled_and_a_foreign_store_is_ignored(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    first = generate(tmp_path / "a", str(folder))
    [store] = sorted(folder.glob("docx-template-*.pickle"))
    assert store.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", str(folder))
    codes = cache._load(store, store.read_bytes().split(b"\n")[1].decode(), cache._PlainUnpickler)
    assert isinstance(codes, dict) and codes and all(isinstance(v, bytes) for v in codes.values())
    # A store whose entries are not code (here: text where code should be) is not used; the drafts stay the same.
    payload = pickle.dumps({source: b"not code" for source in codes}, protocol=5)
    head = store.read_bytes().partition(b"\n\n")[0].split(b"\n")
    store.write_bytes(cache.frame(head[1].decode(), payload))
    store.chmod(0o600)
    assert generate(tmp_path / "b", str(folder)) == first
    store.chmod(0o644)  # and others could have written it
    assert generate(tmp_path / "c", str(folder)) == first


def test_the_prepared_docx_template_and_its_style_ids_are_kept_and_a_malformed_store_is_ignored(tmp_path, monkeypatch):
    """The template's Jinja sources and the review copy's style ids come from a private store after the first run;
    entries of the wrong shape are not used, and the drafts are the same in every case."""
    folder = tmp_path / "cache"
    without = generate(tmp_path / "nocache", "")
    assert generate(tmp_path / "a", str(folder)) == without
    [store] = sorted(folder.glob("docx-prepared-*.pickle"))
    assert store.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("KEIYAKU_CACHE_DIR", str(folder))
    digest = store.read_bytes().split(b"\n")[1].decode()
    values = cache._load(store, digest, cache._PlainUnpickler)
    assert {k.split(":")[0] for k in values} == {"template", "style"}
    assert generate(tmp_path / "b", str(folder)) == without  # read from the store
    store.write_bytes(cache.frame(digest, pickle.dumps({k: ("wrong", 1) for k in values}, protocol=5)))
    store.chmod(0o600)
    assert generate(tmp_path / "c", str(folder)) == without
