"""`keiyaku batch BASE.yaml ROWS.csv --out DIR`: one document set per CSV row, plus a manifest.

Each CSV column is a dotted answers path (``parties.recipient.name``, ``deal.fee.amount_yen``) whose cells
override the base answers; an empty cell keeps the base value. A bad row is reported with its row number, column
and field and does not stop the others; the exit status is 1 if any row failed. Every row's folder is written as a
whole set; OUT is locked for the run, and the manifest paths are checked before the first row is generated.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.errors import Failure, errors_to_exit, shown

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
@click.option("--force", is_flag=True, help="Replace the manifest and the sets of rows already in the folder.")
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
    from contracts.answers import AnswersError, read_input, load_data, validate_answers
    from contracts.batch import (MAX_CSV_BYTES, BatchError, decode, folder_name, manifest_csv, manifest_json, read_rows,
                                 row_data, sha256, split_path)
    from contracts.library import default_library
    from contracts.render.files import OutputError, OutputFolder, write_set
    from contracts.risk import default_riskbook

    base_data, _, _ = load_data(base)  # the same bounded reader and parser as `keiyaku validate`
    if not isinstance(base_data, dict):
        raise AnswersError(base, [("(top level)", "expected a mapping with model, stance, parties, data and deal")])
    csv_bytes = read_input(rows, MAX_CSV_BYTES)
    try:
        text, used_encoding = decode(csv_bytes, encoding)
        columns, table = read_rows(text)
    except BatchError as exc:
        raise Failure(f"{rows}: {exc}", 2) from None
    if not table:
        raise Failure(f"{rows}: no data rows below the header", 2)
    column_of = {".".join(split_path(c)): i for i, c in enumerate(columns, start=1)}

    def problem(field: str, message: str) -> dict:
        """One error of a row; ``column`` is the CSV column the field came from, if it came from one."""
        dotted = field.replace("[", ".").replace("]", "")
        return {"field": field, "column": column_of.get(dotted), "message": message}

    out = Path(out_dir)
    with OutputFolder(out) as folder:  # locked for the whole run; a symlinked or occupied manifest fails here, first
        folder.check({MANIFEST_JSON: b"", MANIFEST_CSV: b""}, force)
        width = max(3, len(str(len(table))))
        entries: dict[int, dict] = {}
        todo, todo_rows = [], []
        for row in table:
            entry = {"row": row.number, "line": row.line, "status": "error", "folder": "", "model": None, "files": [],
                     "errors": []}
            entries[row.number] = entry
            data, problems = row_data(base_data, row)
            if not problems:
                try:
                    answers = validate_answers(data, f"row {row.number}")
                except AnswersError as exc:
                    problems = exc.problems
            if problems:
                entry["errors"] = [problem(f, m) for f, m in problems]
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
                    entry["errors"] = [problem(f, m) for f, m in result[1]]
                    entry["folder"] = ""
                else:
                    _, model, files = result
                    try:  # each row's folder is a whole set of its own: all of it, or nothing
                        written = write_set(out / entry["folder"], files, force)
                    except OutputError as exc:
                        entry["errors"] = [problem("(output)", str(exc))]
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
        folder.write_set({MANIFEST_JSON: manifest_json(ordered, meta), MANIFEST_CSV: manifest_csv(ordered)}, True)

    failed = [e for e in ordered if e["status"] != "ok"]
    for e in ordered:
        if e["status"] == "ok":
            click.echo(shown(str(out / e["folder"])))
    for e in failed:
        for p in e["errors"]:
            column = f" (column {p['column']})" if p["column"] else ""
            click.echo(shown(f"row {e['row']} (line {e['line']}): {p['field']}{column}: {p['message']}"), err=True)
    click.echo(
        f"{len(ordered) - len(failed)} of {len(ordered)} row(s) generated into {shown(str(out))}; "
        f"manifest: {shown(str(out / MANIFEST_JSON))}. These are drafts: have them reviewed by qualified counsel.",
        err=True,
    )
    if failed:
        raise Failure(f"{len(failed)} row(s) failed (listed above and in {MANIFEST_CSV})", 1)
