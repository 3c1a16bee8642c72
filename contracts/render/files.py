"""Whole sets, written safely inside the output folder: all of the new set, or nothing of it.

A set (every file of one run) is given as a mapping or as an iterable of (name, content) pairs that renders one
file at a time (contracts.generate.render_files): each file goes to disk as it comes, so that a set of a hundred
pledges never sits in memory whole. In ``OutputFolder.write_set``:

1. OUT is created if needed and locked (``flock`` on the folder itself), so that the checks and the writes are one
   step: a second run into the same OUT fails at once with an OutputError (exit status 2) instead of interleaving.
2. Leftovers of a killed run are recognised by their ``.keiyaku-`` names and removed; a staging folder whose run
   died while moving files into place is rolled back first (its journal says what was moved), so the old set is
   whole again.
3. Every target is checked as its file comes, before the file is staged: inside OUT, no symbolic links, no folder
   or file in the way, no overwrite without ``force``, names of at most 255 bytes; after the last file, that OUT
   does not hold another set (without ``force``).
4. Each file is written into a staging folder inside OUT (the same filesystem, so a rename is atomic) and read
   back; then the set's manifest (``.keiyaku.set.json``: which files belong to the set, with SHA-256). Nothing in
   OUT outside the staging folder has changed yet, so a failure here (or in the renderer) leaves OUT as it was.
5. Each file is moved into place with one rename. An old file it replaces, and with ``force`` every file of the
   previous set that no longer belongs, is first moved aside into the staging folder. If any step fails, every
   move is undone: nothing of the new set is visible and the old files are intact. On success the staging folder
   (holding the old files) is removed.

Contents are not fsync'ed: the guarantee is against a failing or killed process, not against power loss.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from contracts.messages import text

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the set is still staged and rolled back
    fcntl = None

PREFIX = ".keiyaku-"  # everything keiyaku keeps in OUT for itself starts with this
SET_MANIFEST = ".keiyaku.set.json"  # not under PREFIX: .keiyaku-* is only ever temporary
STAGING_PREFIX = ".keiyaku-staging-"
JOURNAL = "journal.json"
MAX_NAME_BYTES = 255  # one path component, on every common filesystem



class OutputError(Exception):
    """The output cannot be written where it was asked to go (exit status 2: the folder or the disk, not a bug)."""


def safe_name(name: str) -> str:
    """A file name that is one path component, valid on Windows too, of at most 200 bytes (the suffix kept)."""
    bad = '<>:"/\\|?*' + "".join(chr(c) for c in range(32))
    cleaned = "".join("_" if ch in bad else ch for ch in name).strip(" .")
    if not cleaned or cleaned in (".", ".."):
        raise OutputError(text("output.unusable_name", name=repr(name)))
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = cleaned, ""
    suffix = f".{suffix}" if suffix else ""
    while len((stem + suffix).encode("utf-8")) > 200 or len(stem) > 120:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix


def _check_component(part: str, path: Path) -> None:
    size = len(os.fsencode(part))
    if size > MAX_NAME_BYTES:
        raise OutputError(text("output.name_too_long", part=part[:24], size=size, limit=MAX_NAME_BYTES))


def _cannot(path: Path, exc: OSError) -> OutputError:
    return OutputError(text("output.cannot_write", path=path, reason=exc.strerror or exc))


# --------------------------------------------------------------------------- single files (the interview's answers file)


def plan_outputs(out_dir: Path, files: dict[str, bytes], force: bool) -> dict[Path, bytes]:
    """Check every target before anything is written; returns target path -> content."""
    out_dir = Path(out_dir)
    _check_folder(out_dir)
    root = out_dir.resolve()
    planned: dict[Path, bytes] = {}
    for name, content in files.items():
        target = _target(out_dir, root, name, force)
        if target in planned:
            raise OutputError(text("output.duplicate", path=target))
        planned[target] = content
    return planned


def _check_folder(out_dir: Path) -> None:
    if out_dir.is_symlink():
        raise OutputError(text("output.folder_symlink", path=out_dir))
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(text("output.not_folder", path=out_dir))
    for part in out_dir.parts:
        _check_component(part, out_dir)


def _target(out_dir: Path, root: Path, name: str, force: bool) -> Path:
    """The checked path of one file of the output (``root`` is ``out_dir`` resolved); OutputError if it is unsafe."""
    parts = [safe_name(part) for part in name.split("/")]
    target = out_dir.joinpath(*parts)
    folder = out_dir
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise OutputError(text("output.symlink", path=folder))
        if folder.exists() and not folder.is_dir():
            raise OutputError(text("output.not_folder", path=folder))
    if target.is_symlink():
        raise OutputError(text("output.symlink", path=target))
    if root not in target.resolve().parents:
        raise OutputError(text("output.outside", name=name, out=out_dir))
    if target.is_dir():
        raise OutputError(text("output.is_folder", path=target))
    if target.exists() and not force:
        raise OutputError(text("output.exists", path=target))
    return target


def write_all(planned: dict[Path, bytes]) -> list[Path]:
    """Write single, independent files, each atomically (temporary name, then rename). Sets use ``write_set``."""
    written = []
    for target, content in planned.items():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=PREFIX + "tmp-", dir=target.parent)
        except OSError as exc:
            raise _cannot(target, exc) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise _cannot(target, exc) from None
            raise
        written.append(target)
    return written


# --------------------------------------------------------------------------- whole sets


def write_set(out_dir: Path, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], force: bool) -> list[Path]:
    """Write ``files`` (relative path -> content, or such pairs one at a time) as one set into ``out_dir``; see the
    module docstring."""
    with OutputFolder(out_dir) as folder:
        return folder.write_set(files, force)


class OutputFolder:
    """OUT, created if needed, locked, and cleared of a killed run's leftovers, for as long as the ``with`` lasts.

    A folder this run created and left empty (because the set failed) is removed again on exit.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._created: list[Path] = []

    # ..................................................................... open, lock, recover

    def __enter__(self) -> OutputFolder:
        out = self.path
        for part in out.parts:
            _check_component(part, out)
        if out.is_symlink():
            raise OutputError(text("output.folder_symlink", path=out))
        if out.exists() and not out.is_dir():
            raise OutputError(text("output.not_folder", path=out))
        for folder in reversed([p for p in [out, *out.parents] if not p.exists()]):
            try:
                folder.mkdir()
            except FileExistsError:
                continue  # made by someone else in between: the lock below decides
            except OSError as exc:
                self._remove_created()
                raise OutputError(text("output.cannot_create", path=out, reason=exc.strerror or exc)) from None
            self._created.append(folder)
        try:
            self._lock()
            self._recover()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self._created):
            try:
                folder.rmdir()  # only if empty: a set that was written stays
            except OSError:
                break
        self._created = []

    def _lock(self) -> None:
        if fcntl is None:
            return
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            self._fd = os.open(self.path, flags)
        except OSError as exc:
            raise OutputError(text("output.cannot_open", path=self.path, reason=exc.strerror or exc)) from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                text("output.locked", path=self.path)
            ) from None
        except OSError:
            pass  # a filesystem without locks (some network mounts): staging and rollback still hold

    def _recover(self) -> None:
        """Roll back and remove staging folders of killed runs; remove stray temporary files (``.keiyaku-*``)."""
        for entry in sorted(self.path.iterdir()):
            if not entry.name.startswith(PREFIX) or entry.name == SET_MANIFEST:
                continue
            try:
                if entry.is_dir() and not entry.is_symlink() and entry.name.startswith(STAGING_PREFIX):
                    _roll_back(self.path, entry)
                    shutil.rmtree(entry)
                elif not entry.is_dir() or entry.is_symlink():
                    entry.unlink()
            except OSError as exc:
                raise OutputError(text("output.cannot_clear", path=entry, reason=exc.strerror or exc)) from None

    # ..................................................................... the set

    def write_set(self, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], force: bool) -> list[Path]:
        """All of ``files`` into place with their manifest, or nothing; returns the files' paths in order.

        ``files`` may be a generator that renders each file when asked: each is checked, staged and read back
        before the next is asked for, so that only one file of the set is held in memory at a time."""
        out = self.path
        pairs = files.items() if isinstance(files, Mapping) else files
        try:
            stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            raise _cannot(out, exc) from None
        root = out.resolve()
        digests: dict[str, str] = {}  # relative path in OUT -> SHA-256, in the order of the set
        source, rendering = iter(pairs), False
        try:
            while True:
                rendering = True  # an error here is the renderer's, not the disk's: it is raised as it is
                pair = next(source, None)
                rendering = False
                if pair is None:
                    break
                name, content = pair
                rel = self._checked(root, name, force)
                if rel in digests:
                    raise OutputError(text("output.duplicate", path=out / rel))
                _stage(stage / "new" / rel, content)
                digests[rel] = hashlib.sha256(content).hexdigest()
                del pair, content  # the next file is rendered only after this one is on disk
            self._check_no_set(force)
            previous = _read_manifest(out) if force else []
            gone = [rel for rel in previous if rel not in digests and rel != SET_MANIFEST and _is_plain_file(out, rel)]
            manifest = {"files": dict(sorted(digests.items())), "written_by": "keiyaku"}
            _stage(stage / "new" / SET_MANIFEST,
                   (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
            new = [*digests, SET_MANIFEST]
            dirs = sorted({str(Path(rel).parent) for rel in new} - {"."}, key=lambda d: d.count("/"))
            new_dirs = [d for d in dirs if not (out / d).exists()]
            for d in [".", *dirs]:  # temporary files an older keiyaku left in the folders of the set
                if (out / d).is_dir() and not (out / d).is_symlink():
                    for stray in (out / d).glob(PREFIX + "*"):
                        if stray.name != SET_MANIFEST and (stray.is_symlink() or stray.is_file()):
                            stray.unlink()
            journal = {"new": new, "gone": gone, "dirs": new_dirs}
            _write_file(stage / JOURNAL, json.dumps(journal, ensure_ascii=False).encode())
            for d in new_dirs:
                (out / d).mkdir()
            for rel in journal["new"]:  # the manifest last: it is what says the set is complete
                target = out / rel
                if os.path.lexists(target):
                    _move(target, stage / "old" / rel)
                _move(stage / "new" / rel, target)
            for rel in gone:
                _move(out / rel, stage / "old" / rel)
            (stage / JOURNAL).unlink()  # committed: from here on the new set stands
        except BaseException as exc:
            try:
                _roll_back(out, stage)
                shutil.rmtree(stage)
                after = text("output.kept_nothing")
            except OSError:  # the journal stays in the staging folder
                after = text("output.restore_next")
            if isinstance(exc, OSError) and not rendering:
                raise OutputError(text("output.cannot_write_set", path=out, reason=exc.strerror or exc, after=after)) from None
            raise
        shutil.rmtree(stage, ignore_errors=True)
        for rel in gone:
            _remove_empty_parents(out, out / rel)
        return [out / rel for rel in digests]

    def check(self, files: dict[str, bytes], force: bool) -> dict[str, str]:
        """name in the set -> checked relative path in OUT; OutputError before anything is written (used by batch,
        to check the manifest paths before the first row is generated)."""
        root = self.path.resolve()
        rels: dict[str, str] = {}
        for name in files:
            rel = self._checked(root, name, force)
            if rel in rels.values():
                raise OutputError(text("output.duplicate", path=self.path / rel))
            rels[name] = rel
        self._check_no_set(force)
        return rels

    def _checked(self, root: Path, name: str, force: bool) -> str:
        """One file of the set: its checked path relative to OUT (not a name keiyaku keeps for itself)."""
        rel = _target(self.path, root, name, force).relative_to(self.path).as_posix()
        if rel.split("/")[0].startswith(PREFIX) or rel == SET_MANIFEST:
            raise OutputError(text("output.reserved", name=rel, prefix=PREFIX, manifest=SET_MANIFEST))
        return rel

    def _check_no_set(self, force: bool) -> None:
        """Without ``force``, OUT must not hold another set; its manifest, if any, must be a plain file."""
        manifest = self.path / SET_MANIFEST
        if os.path.lexists(manifest) and not force:
            raise OutputError(text("output.set_exists", path=self.path))
        if manifest.is_symlink() or manifest.is_dir():
            raise OutputError(text("output.not_plain_file", path=manifest))


def _stage(path: Path, content: bytes) -> None:
    """Write one file into the staging folder and read it back: nothing becomes visible that differs on disk."""
    _write_file(path, content)
    if path.read_bytes() != content:
        raise OSError(5, "the staged copy differs from the rendered file", str(path))


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(path, 0o644)


def _move(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def _roll_back(out: Path, stage: Path) -> None:
    """Undo an interrupted commit from its journal: new files back into staging, old files back into place.

    Idempotent, so that a rollback that itself fails half-way can be finished by the next run: a new file that is
    in staging is not in place, and an old file that is in staging is not back. Without a journal the run died
    before moving anything, and there is nothing to undo."""
    try:
        journal = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    names = [rel for rel in journal.get("new", []) + journal.get("gone", []) if _inside(out, rel)]
    for rel in journal.get("new", []):
        if _inside(out, rel) and not os.path.lexists(stage / "new" / rel) and _is_plain_file(out, rel):
            _move(out / rel, stage / "new" / rel)  # this one had been moved into place
    for rel in names:
        if os.path.lexists(stage / "old" / rel):
            os.replace(stage / "old" / rel, out / rel)
    for d in reversed(journal.get("dirs", [])):
        if _inside(out, d):
            try:
                (out / d).rmdir()
            except OSError:
                pass
    (stage / JOURNAL).unlink()


def _read_manifest(out: Path) -> list[str]:
    """The files of the previous set in OUT (from its manifest); [] if there is none or it cannot be trusted."""
    path = out / SET_MANIFEST
    if path.is_symlink() or not path.is_file():
        return []
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(files, dict):
        return []
    return [rel for rel in files if isinstance(rel, str) and _inside(out, rel) and not rel.startswith(PREFIX)]


def _inside(out: Path, rel: str) -> bool:
    """A relative path of plain components that stays in OUT (manifests and journals are files others can edit)."""
    parts = rel.split("/")
    return bool(rel) and all(p not in ("", ".", "..") and "\\" not in p and "\x00" not in p for p in parts) \
        and not rel.startswith("/")


def _is_plain_file(out: Path, rel: str) -> bool:
    """A regular file reached without following any symbolic link."""
    path = out
    for part in rel.split("/"):
        path = path / part
        if path.is_symlink():
            return False
    return path.is_file()


def _remove_empty_parents(out: Path, path: Path) -> None:
    for folder in path.parents:
        if folder == out or out not in folder.parents:
            return
        try:
            folder.rmdir()
        except OSError:
            return
