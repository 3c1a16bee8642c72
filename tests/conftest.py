"""Shared fixtures: the example answers, their generated sets (built once per session) and DOCX readers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as WordDocument

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEIYAKU = [str(ROOT / ".venv" / "bin" / "keiyaku")] if (ROOT / ".venv/bin/keiyaku").exists() else ["keiyaku"]


def docx_lines(path: Path) -> list[str]:
    """Paragraph and table text of a .docx, in reading order, as a person reading it in Word sees it."""
    doc = WordDocument(str(path))
    out = []
    body = doc.element.body
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in c.iter() if t.tag.endswith("}t"))
                        for c in row
                        if c.tag.endswith("}tc")
                    ]
                    out.append(" | ".join(cells))
    return out


def docx_styles(path: Path) -> list[tuple[str, str]]:
    doc = WordDocument(str(path))
    return [(p.style.name, p.text) for p in doc.paragraphs]


@pytest.fixture(scope="session")
def example_sets(tmp_path_factory) -> dict[str, Path]:
    """examples/<model>.yaml -> the folder its generated set was written to (through the real CLI)."""
    base = tmp_path_factory.mktemp("examples")
    out = {}
    for ex in EXAMPLES:
        target = base / ex.stem
        result = subprocess.run(KEIYAKU + ["generate", str(ex), "--out", str(target)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        out[ex.stem] = target
    return out


@pytest.fixture(scope="session")
def example_docx(example_sets) -> list[Path]:
    return sorted(p for folder in example_sets.values() for p in folder.glob("*.docx"))


ARTICLE_HEADING = re.compile(r"^第(\d+)条（(.+)）$")


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None
