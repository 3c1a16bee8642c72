"""Where the clause library and templates live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``clauses`` or ``templates``: inside the installed package (wheel), else at the repository root."""
    installed = _HERE / name
    if installed.is_dir():
        return installed
    return _HERE.parent / name


CLAUSES_DIR = data_dir("clauses")
TEMPLATES_DIR = data_dir("templates")
