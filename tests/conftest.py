"""Shared fixtures: the example answers, their generated sets (built once per session), DOCX readers, and the two
ways to run the command: in this process through click's CliRunner (almost every test), or as a real program."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document as WordDocument

ROOT = Path(__file__).resolve().parent.parent
# The library cache of this test run (contracts.cache), away from the user's own; subprocesses inherit it.
os.environ.setdefault("KEIYAKU_CACHE_DIR", tempfile.mkdtemp(prefix="keiyaku-test-cache-"))
# Messages in Japanese whatever the machine's locale (an English LANG would turn them English), in the UTF-8 locale
# that CI has, for subprocesses too; tests of English pass --lang en or set the variables with env=.
os.environ["LC_ALL"] = "C.UTF-8"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def keiyaku(*args, input=None, env=None) -> Result:
    """`keiyaku ARGS` run in this process, as click runs it from the shell (exit status, stdout and stderr apart).

    An exception that escapes the command fails the test with its traceback, as a user would see one."""
    from cli.main import main  # after KEIYAKU_CACHE_DIR is set above

    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)


def keiyaku_process(*args, env=None, flags=(), **kw) -> subprocess.CompletedProcess:
    """`keiyaku ARGS` as a real program, for what only a process shows (exit status, stderr, flushed files).

    Started as `python FLAGS -m cli.main` by this interpreter, with its folder off PATH: nothing depends on PATH or on
    the clone folder's name."""
    venv_bin = Path(sys.executable).parent
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != venv_bin)
    environment = {**os.environ, "PATH": path, **(env or {})}
    return subprocess.run([sys.executable, *flags, "-m", "cli.main", *map(str, args)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300, **kw)


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
    """examples/<model>.yaml -> the folder its generated set was written to (through the command line)."""
    base = tmp_path_factory.mktemp("examples")
    out = {}
    for ex in EXAMPLES:
        target = base / ex.stem
        result = keiyaku("generate", ex, "--out", target)
        assert result.exit_code == 0, result.output
        out[ex.stem] = target
    return out


@pytest.fixture(scope="session")
def example_docx(example_sets) -> list[Path]:
    return sorted(p for folder in example_sets.values() for p in folder.glob("*.docx"))


ARTICLE_HEADING = re.compile(r"^第(\d+)条（(.+)）$")


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None
