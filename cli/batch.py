"""`keiyaku batch BASE.yaml ROWS.csv --out DIR`: one document set per CSV row, plus a manifest.

Each CSV column is a dotted answers path (``parties.recipient.name``, ``deal.fee.amount_yen``) whose cells
override the base answers; an empty cell keeps the base value. A bad row is reported with its row number and
field and does not stop the others; the exit status is 1 if any row failed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.errors import Failure, errors_to_exit

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")  # as contracts.batch.ENCODINGS; kept here so that --help stays light


def _build(answers):
    """Worker: one row's answers -> ("ok", model, files) or ("error", problems). Only plain data crosses processes."""
    from contracts.answers import AnswersError
    from contracts.assembly import AssemblyError
    from contracts.generate import build_set
    from contracts.library import LibraryError

    try:
        result = build_set(answers)
    except AnswersError as exc:
        return "error", list(exc.problems)
    except (AssemblyError, LibraryError) as exc:
        return "error", [("(generation)", str(exc))]
    except Exception as exc:  # noqa: BLE001 - one broken row must not stop the batch
        return "error", [("(internal error)", f"{type(exc).__name__}: {exc}")]
    return "ok", result.answers.model, result.files


def _results(todo: list, jobs: int):
    """Generated sets in row order, in worker processes when there is more than one job."""
    if jobs <= 1 or len(todo) <= 1:
        for answers in todo:
            yield _build(answers)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_build, todo, chunksize=1)


def _default_jobs() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


@click.command()
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("rows", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the sets and the manifest.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    show_default=True,
    help="Encoding of the CSV; auto tries UTF-8 (with or without BOM), then cp932 (Shift_JIS, as Excel saves it).",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist in the folder.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPUs, at most 8).")
@errors_to_exit
def batch(base: str, rows: str, out_dir: str, encoding: str, force: bool, jobs: int | None) -> None:
    """One document set per row of ROWS (CSV), each column overriding a field of BASE.

    \b
    The header row names answers paths, for example:
      parties.recipient.name,parties.recipient.kind,deal.fee.amount_yen,data.items
    Lists are split on ';' or '、'; numbers may use thousands separators; yes/no, true/false or はい/いいえ for
    flags. Each row is written to OUT/<row number>_<recipient name>/, and OUT/manifest.json and
    OUT/manifest.csv list every row, its files with SHA-256, and any error.
    """
    from contracts.answers import AnswersError, parse_text, validate_answers
    from contracts.batch import BatchError, decode, folder_name, manifest_csv, manifest_json, read_rows, row_data, sha256
    from contracts.library import default_library
    from contracts.render.files import OutputError, plan_outputs, write_all
    from contracts.risk import default_riskbook

    try:
        base_bytes = Path(base).read_bytes()
        csv_bytes = Path(rows).read_bytes()
    except OSError as exc:
        raise Failure(f"{exc.filename}: cannot read: {exc.strerror}", 2) from None
    try:
        base_text = base_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersError(base, [("(file)", f"not UTF-8 text (byte {exc.start})")]) from None
    base_data = parse_text(base_text, base)
    if not isinstance(base_data, dict):
        raise AnswersError(base, [("(top level)", "expected a mapping with model, stance, parties, data and deal")])
    try:
        text, used_encoding = decode(csv_bytes, encoding)
        _, table = read_rows(text)
    except BatchError as exc:
        raise Failure(f"{rows}: {exc}", 2) from None
    if not table:
        raise Failure(f"{rows}: no data rows below the header", 2)

    out = Path(out_dir)
    for name in (MANIFEST_JSON, MANIFEST_CSV):
        if (out / name).exists() and not force:
            raise OutputError(f"{out / name}: already exists (use --force to overwrite)")
    plan_outputs(out, {}, force)  # refuses a symlinked or non-folder OUT before any work

    width = max(3, len(str(len(table))))
    entries: dict[int, dict] = {}
    todo, todo_rows = [], []
    for row in table:
        entry = {"row": row.number, "line": row.line, "status": "error", "folder": "", "model": None, "files": [], "errors": []}
        entries[row.number] = entry
        data, problems = row_data(base_data, row)
        if not problems:
            try:
                answers = validate_answers(data, f"row {row.number}")
            except AnswersError as exc:
                problems = exc.problems
        if problems:
            entry["errors"] = [{"field": f, "message": m} for f, m in problems]
            continue
        entry["folder"] = folder_name(row.number, answers.parties.recipient.name, width)
        todo.append(answers)
        todo_rows.append(row.number)

    if todo:
        default_library(), default_riskbook()  # loaded once, before the workers fork
    jobs = jobs or _default_jobs()
    hidden = not sys.stderr.isatty()  # a bar only on a terminal; logs and pipes get the summary
    with click.progressbar(length=len(todo), label="generating", file=sys.stderr, show_pos=True, hidden=hidden) as bar:
        for number, result in zip(todo_rows, _results(todo, jobs)):
            entry = entries[number]
            if result[0] == "error":
                entry["errors"] = [{"field": f, "message": m} for f, m in result[1]]
                entry["folder"] = ""
            else:
                _, model, files = result
                try:
                    written = write_all(plan_outputs(out / entry["folder"], files, force))
                except OutputError as exc:
                    entry["errors"] = [{"field": "(output)", "message": str(exc)}]
                    entry["folder"] = ""
                else:
                    entry["status"] = "ok"
                    entry["model"] = model
                    entry["files"] = [
                        {"path": p.relative_to(out).as_posix(), "sha256": sha256(c), "bytes": len(c)}
                        for p, c in zip(written, files.values())
                    ]
            bar.update(1)

    ordered = [entries[n] for n in sorted(entries)]
    meta = {"base": str(base), "csv": str(rows), "encoding": used_encoding}
    write_all(plan_outputs(out, {MANIFEST_JSON: manifest_json(ordered, meta), MANIFEST_CSV: manifest_csv(ordered)}, True))

    failed = [e for e in ordered if e["status"] != "ok"]
    for e in ordered:
        if e["status"] == "ok":
            click.echo(str(out / e["folder"]))
    for e in failed:
        for p in e["errors"]:
            click.echo(f"row {e['row']} (line {e['line']}): {p['field']}: {p['message']}", err=True)
    click.echo(
        f"{len(ordered) - len(failed)} of {len(ordered)} row(s) generated into {out}; manifest: {out / MANIFEST_JSON}. "
        "These are drafts: have them reviewed by qualified counsel.",
        err=True,
    )
    if failed:
        raise Failure(f"{len(failed)} row(s) failed (listed above and in {MANIFEST_CSV})", 1)
