"""One call from answers to every file of the model: the only place that knows all the steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contracts.answers import Answers
from contracts.assembly import assemble_set
from contracts.document import Document
from contracts.library import Library, default_library
from contracts.render.files import plan_outputs, write_all


@dataclass(frozen=True)
class GeneratedSet:
    documents: list[Document]
    files: dict[str, bytes]  # file name -> content


def build_set(answers: Answers, lib: Library | None = None) -> GeneratedSet:
    """Assemble and render in memory; nothing touches the disk."""
    from contracts.render.docx import render_docx

    lib = lib or default_library()
    documents = assemble_set(answers, lib)
    files = {f"{d.file_name}.docx": render_docx(d) for d in documents}
    return GeneratedSet(documents, files)


def generate(answers: Answers, out_dir: Path, force: bool = False, lib: Library | None = None) -> list[Path]:
    result = build_set(answers, lib)
    planned = plan_outputs(out_dir, result.files, force)
    return write_all(planned)
