"""One call from answers to every file of the model: the only place that knows all the steps.

answers -> (model recommended if `auto`) -> blocked deals refused -> documents assembled -> findings
-> clean DOCX, review DOCX with comments, findings summary -> written into the folder as one whole set
(contracts.render.files.write_set: all of it or nothing, the folder locked while it is written).

Files are rendered one at a time (``render_files``) and written as they come, so that the memory a set needs does
not grow with its documents (a joint research set has one pledge per student, up to 100); ``build_set`` collects
them into a dict for the callers that want the set in memory (the web front end, the tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from contracts import crosscheck, stamp
from contracts.answers import Answers
from contracts.assembly import assemble_set
from contracts.document import Document
from contracts.library import Library, default_library
from contracts.recommend import Ranked, resolve_model
from contracts.render.files import write_set
from contracts.risk import SEVERITIES, Finding, RiskBook, findings, refuse_blocked

REVIEW_DIR = "review"
BOARD_PACKET = "取締役会付議資料.pdf"  # a company's; a university's is 学内決裁書.pdf (contracts.packet.approval_for)
FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class GeneratedSet:
    answers: Answers  # with the model resolved
    documents: list[Document]
    findings: list[Finding]
    ranking: list[Ranked]
    files: dict[str, bytes]  # relative path -> content


def prepare(answers: Answers, lib: Library | None = None, book: RiskBook | None = None):
    """Resolve `model: auto`, refuse what may not be drafted, assemble; no rendering, no disk."""
    lib = lib or default_library()
    answers, ranking = resolve_model(answers, book)
    refuse_blocked(answers, book)
    crosscheck.refuse_contradictions(answers)
    documents = assemble_set(answers, lib)
    present = {a.clause_id for d in documents for a in d.articles}
    found = findings(answers, book, present) + crosscheck.findings(answers, lib)
    found += stamp.findings(stamp.assess(answers, documents), answers)
    found.sort(key=lambda f: (not f.block, SEVERITIES.index(f.severity), f.rule))
    return answers, documents, found, ranking


def build_set(
    answers: Answers,
    lib: Library | None = None,
    book: RiskBook | None = None,
    formats: tuple[str, ...] = ("docx",),
) -> GeneratedSet:
    """Assemble and render everything in memory: Word drafts (clean and review) and/or the board packet PDF."""
    lib = lib or default_library()
    answers, documents, found, ranking = prepare(answers, lib, book)
    files = dict(render_files(answers, documents, found, ranking, lib, book, formats))
    return GeneratedSet(answers, documents, found, ranking, files)


def render_files(
    answers: Answers,
    documents: list[Document],
    found: list[Finding],
    ranking: list[Ranked],
    lib: Library,
    book: RiskBook | None = None,
    formats: tuple[str, ...] = ("docx",),
    parallel: bool = False,
) -> Iterator[tuple[str, bytes]]:
    """Every file of a prepared set as (relative path, content), rendered only when the next one is asked for.
    ``parallel``: this is a one-shot process, which may fork to render the PDF on two cores (never a server)."""
    from contracts.render.docx import render_package
    from contracts.render.review import review_copy
    from contracts.render.summary import summary_json, summary_markdown

    notes: dict[str, list[str]] = {}
    for f in found:
        for cid in f.clauses:
            notes.setdefault(cid, []).append(f"重要度{f.severity}: {f.message}")
    packet = pdf = None
    if "pdf" in formats:
        from contracts.packet import build_packet
        from contracts.render.pdf import PacketPdf
        from contracts.risk import default_riskbook

        # Started before the Word files: with `parallel`, a child process lays out half of the packet meanwhile.
        packet = build_packet(answers, documents, found, lib, book or default_riskbook())
        pdf = PacketPdf(packet, parallel)
    try:
        if "docx" in formats:
            for d in documents:
                clean = render_package(d)
                yield f"{d.file_name}.docx", clean.to_bytes()
                yield f"{REVIEW_DIR}/{d.file_name}_レビュー用.docx", review_copy(clean.reopened(), d, notes)
                del clean
        if pdf is not None:
            yield packet.approval.file_name, pdf.result()
    finally:
        if pdf is not None:
            pdf.close()  # a child whose PDF was never asked for (the caller stopped early) is stopped
    del packet, pdf
    found_dicts = [f.as_dict() for f in found]
    ranked_dicts = [{"model": r.model, "label": r.label, "score": r.score, "eligible": r.eligible,
                     "excluded": list(r.excluded), "reasons": list(r.reasons)} for r in ranking]
    yield f"{REVIEW_DIR}/summary.json", summary_json(answers.model, documents, found_dicts, ranked_dicts)
    label = lib.labels.get("model", {}).get(answers.model, answers.model)
    yield f"{REVIEW_DIR}/summary.md", summary_markdown(label, documents, found_dicts, ranked_dicts)


def generate(
    answers: Answers,
    out_dir: Path,
    force: bool = False,
    lib: Library | None = None,
    formats: tuple[str, ...] = ("docx",),
) -> list[Path]:
    """Check and assemble the set, then render it file by file straight into the folder's staging area: every file,
    or (on any failure) nothing and the old set intact. Refusals (blocked deals, contradictions) come before the
    folder is touched."""
    lib = lib or default_library()
    answers, documents, found, ranking = prepare(answers, lib)
    files = render_files(answers, documents, found, ranking, lib, formats=formats, parallel=True)  # the CLI's path
    return write_set(Path(out_dir), files, force)
