"""Safe, atomic writes inside the output folder.

All files of a set are rendered in memory first; only then is anything written, so that bad input
never leaves half a set on disk. Each file goes to a temporary name in the same folder and is
renamed into place; an existing file is replaced only with ``force``; symlinks are never followed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """The output cannot be written where it was asked to go."""


def safe_name(name: str) -> str:
    """A file name that is one path component and valid on Windows too."""
    bad = '<>:"/\\|?*' + "".join(chr(c) for c in range(32))
    cleaned = "".join("_" if ch in bad else ch for ch in name).strip(" .")
    if not cleaned or cleaned in (".", ".."):
        raise OutputError(f"unusable file name {name!r}")
    return cleaned[:120]


def plan_outputs(out_dir: Path, files: dict[str, bytes], force: bool) -> dict[Path, bytes]:
    """Check every target before anything is written; returns target path -> content."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise OutputError(f"{out_dir}: the output folder is a symbolic link; refusing to follow it")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder")
    root = out_dir.resolve()
    planned: dict[Path, bytes] = {}
    for name, content in files.items():
        parts = [safe_name(part) for part in name.split("/")]
        target = out_dir.joinpath(*parts)
        folder = out_dir
        for part in parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                raise OutputError(f"{folder}: is a symbolic link; refusing to write through it")
        if target.is_symlink():
            raise OutputError(f"{target}: is a symbolic link; refusing to write through it")
        if root not in target.resolve().parents:
            raise OutputError(f"{name}: would be written outside {out_dir}")
        if target.exists() and not force:
            raise OutputError(f"{target}: already exists (use --force to overwrite)")
        planned[target] = content
    return planned


def write_all(planned: dict[Path, bytes]) -> list[Path]:
    written = []
    for target, content in planned.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".keiyaku-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        written.append(target)
    return written
