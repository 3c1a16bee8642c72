"""`keiyaku batch BASE.yaml ROWS.csv --out DIR`: one document set per CSV row, plus a manifest.

Each CSV column is an answers field — a dotted path (``parties.recipient.name``, ``deal.fee.amount_yen``) or the
field's label (相手方の正式名称, 対価の金額（円）) — whose cells override the base answers; an empty cell keeps the base
value. Cells are read by the same lenient parser as the answers file and ``keiyaku init`` (50万円, はい, 令和9年4月1日,
国立大学法人). A bad row is reported with its row number, column and field and does not stop the others; the exit
status is 1 if any row failed. Every row's folder is written as a whole set; OUT is locked for the run, and the
manifest paths are checked before the first row is generated. ``keiyaku batch --template FILE`` writes a header
row of labels that Excel opens (UTF-8 with BOM, or Shift_JIS with ``--encoding cp932``).

The parent reads and checks every row, loads the library, then forks the workers (``--jobs``, one per CPU by
default): each renders its rows and writes their folders itself, and sends back only the manifest's records, so the
parent stays small whatever the number of rows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.errors import Failure, errors_to_exit, shown
from cli.process import collect_garbage

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")  # as contracts.batch.ENCODINGS; kept here so that --help stays light


def _build(shared: tuple, row, folder: str) -> tuple:
    """One row, start to end, where it runs (a worker process, or the parent with --jobs 1): its answers (the base
    with the row's cells, as the parent checked them), the set rendered file by file into the row's folder (a
    whole set of its own: all of it, or nothing). Returns ("ok", model, files) with each file's path under OUT,
    SHA-256 and size, or ("error", problems). The documents never cross processes, and the parent never holds
    more than the rows' cells. Problems are ``contracts.messages.Problem`` objects, rendered by the parent in its
    language."""
    from contracts.answers import AnswersError, validate_answers
    from contracts.assembly import AssemblyError
    from contracts.batch import row_data, sha256
    from contracts.generate import prepare, render_files
    from contracts.library import LibraryError, default_library
    from contracts.messages import Problem, using
    from contracts.render.files import OutputError, write_set

    base_data, out, force, lang = shared
    sums: list[tuple[str, int]] = []

    def summed(files):
        for name, content in files:
            sums.append((sha256(content), len(content)))
            yield name, content

    with using(lang):
        try:
            answers = validate_answers(row_data(base_data, row)[0], f"row {row.number}")
            lib = default_library()
            answers, documents, found, ranking = prepare(answers, lib)
            written = write_set(out / folder, summed(render_files(answers, documents, found, ranking, lib)), force)
        except AnswersError as exc:
            return "error", list(exc.details)
        except (AssemblyError, LibraryError) as exc:
            return "error", [Problem.plain("(generation)", str(exc))]
        except OutputError as exc:
            return "error", [Problem.plain("(output)", str(exc))]
        except Exception as exc:  # noqa: BLE001 - one broken row must not stop the batch
            return "error", [Problem.plain("(internal error)", f"{type(exc).__name__}: {exc}")]
    files = [{"path": p.relative_to(out).as_posix(), "sha256": digest, "bytes": size}
             for p, (digest, size) in zip(written, sums)]
    return "ok", answers.model, files


_WORK: tuple = ((), [])  # in a worker: what every row shares, and each row's (row, folder)


def _adopt(shared: tuple, todo: list) -> None:
    """Pool initializer: the rows reach a worker once (inherited as they are when the pool forks), not per task."""
    global _WORK
    _WORK = (shared, todo)


def _build_row(index: int) -> tuple:
    shared, todo = _WORK
    return _build(shared, *todo[index])


def _results(shared: tuple, todo: list, jobs: int):
    """Each row's result, in row order; in ``jobs`` worker processes when there is more than one row.

    The workers are forked after the parent has read and checked every row and loaded the library, so they start
    with both instead of receiving them; a task is a row's index, sent in small chunks."""
    if jobs <= 1 or len(todo) <= 1:
        for row, folder in todo:
            yield _build(shared, row, folder)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = min(jobs, len(todo))
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    chunk = max(1, min(8, len(todo) // (jobs * 8)))  # few round trips, yet every worker busy until the end
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_adopt, initargs=(shared, todo)) as pool:
        yield from pool.map(_build_row, range(len(todo)), chunksize=chunk)


def _default_jobs() -> int:
    """One worker per CPU this process may use, at most 8: the work is CPU-bound, and each worker holds a library."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


@click.command()
@click.argument("base", type=click.Path(dir_okay=False), required=False)
@click.argument("rows", type=click.Path(dir_okay=False), required=False)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the sets and the manifest.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    show_default=True,
    help="Encoding of the CSV; auto tries UTF-8 (with or without BOM), then cp932 (Shift_JIS, as Excel saves it). "
    "With --template: utf-8-sig (auto) or cp932.",
)
@click.option("--name-column", "name_column",
              help="The column whose cell names each row's folder (a path, a label or any header of the CSV). "
              "Default: the counterparty's name, or the provider's when only that varies.")
@click.option("--template", "template", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write a header row of field labels to this file (- for stdout) instead of generating.")
@click.option("--column", "template_columns", multiple=True,
              help="With --template: a column to include (path or label; repeat). Default: the counterparty, "
              "contract date and fee.")
@click.option("--force", is_flag=True, help="Replace the manifest and the sets of rows already in the folder.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPUs, at most 8).")
@errors_to_exit
def batch(base: str | None, rows: str | None, out_dir: str | None, encoding: str, name_column: str | None,
          template: str | None, template_columns: tuple[str, ...], force: bool, jobs: int | None) -> None:
    """One document set per row of ROWS (CSV), each column overriding a field of BASE.

    \b
    The header row names answers fields by dotted path or by label, for example:
      parties.recipient.name,parties.recipient.kind,deal.fee.amount_yen,data.items
      相手方の正式名称,相手方の種別,対価の金額（円）,データ項目
    `keiyaku batch --template rows.csv` writes such a header (UTF-8 with BOM; --encoding cp932 for Shift_JIS).
    Cells are read as in an answers file: 1,500,000 or 150万円, はい/いいえ, 2027/4/1 or 令和9年4月1日, a choice or
    its label (国立大学法人); lists are split on ';' or '、'. Each row is written to OUT/<row number>_<name>/ (the
    name from --name-column, by default the counterparty), and OUT/manifest.json and OUT/manifest.csv list every
    row, its files with SHA-256, and any error.
    """
    from contracts import messages

    if template is not None:
        _write_template(template, base, rows, encoding, template_columns, force)
        return
    if base is None or rows is None or out_dir is None:
        raise Failure(messages.text("batch.missing_args"), 2)
    _run(base, rows, out_dir, encoding, name_column, force, jobs)


def _write_template(target: str, base, rows, encoding: str, columns: tuple[str, ...], force: bool) -> None:
    from contracts import messages
    from contracts.batch import TEMPLATE_COLUMNS, BatchError, resolve_column, template_csv

    if base is not None or rows is not None:
        raise Failure(messages.text("batch.template.args"), 2)
    chosen = [resolve_column(c) for c in columns] or list(TEMPLATE_COLUMNS)
    file_encoding = "cp932" if encoding == "cp932" else "utf-8-sig"
    try:
        content = template_csv(chosen, file_encoding)
    except BatchError as exc:
        raise Failure(str(exc), 2) from None
    if target == "-":
        click.echo(content, nl=False)  # bytes go to the binary stream as they are (the BOM, Shift_JIS)
        return
    from contracts.render.files import plan_outputs, write_all

    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    written = write_all(plan_outputs(folder, {path.name: content}, force))[0]
    click.echo(shown(messages.text("batch.template.written", path=written, encoding=file_encoding, count=len(chosen))),
               err=True)


def _run(base: str, rows: str, out_dir: str, encoding: str, name_column: str | None, force: bool, jobs: int | None):
    from contracts import messages
    from contracts.answers import AnswersError, load_data, read_input, validate_answers
    from contracts.batch import (
        MAX_CSV_BYTES,
        BatchError,
        decode,
        default_name_column,
        folder_name,
        manifest_csv,
        manifest_json,
        read_table,
        row_data,
        row_name,
    )
    from contracts.library import default_library
    from contracts.render.files import OutputFolder
    from contracts.risk import default_riskbook

    base_data, _, _ = load_data(base)  # the same bounded reader and parser as `keiyaku validate`
    if not isinstance(base_data, dict):
        raise AnswersError(base, [messages.Problem("(top level)", "batch.base_not_mapping")])
    csv_bytes = read_input(rows, MAX_CSV_BYTES)
    try:
        text, used_encoding = decode(csv_bytes, encoding)
        table = read_table(text, name_column)
    except BatchError as exc:
        raise Failure(f"{rows}: {exc}", 2) from None
    if not table.rows:
        raise Failure(messages.text("batch.no_rows", rows=rows), 2)
    name_path = table.name_path if name_column is not None else default_name_column(table)

    def problem(p) -> dict:
        """One error of a row: the field, its label, the CSV column it came from (if any) and the message."""
        if not isinstance(p, messages.Problem):
            p = messages.Problem.plain(*p)
        return {"field": p.path, "label": messages.field_label(p.path), "column": table.column_number(p.path),
                "message": p.message()}

    lang = messages.language()
    out = Path(out_dir)
    with OutputFolder(out) as folder:  # locked for the whole run; a symlinked or occupied manifest fails here, first
        folder.check({MANIFEST_JSON: b"", MANIFEST_CSV: b""}, force)
        width = max(3, len(str(len(table.rows))))
        entries: dict[int, dict] = {}
        todo, todo_rows = [], []
        for row in table.rows:
            entry = {"row": row.number, "line": row.line, "status": "error", "folder": "", "model": None, "files": [],
                     "errors": []}
            entries[row.number] = entry
            data, problems = row_data(base_data, row)
            if not problems:
                try:
                    answers = validate_answers(data, f"row {row.number}")
                except AnswersError as exc:
                    problems = exc.details
            if problems:
                entry["errors"] = [problem(p) for p in problems]
                continue
            entry["folder"] = folder_name(row.number, row_name(answers, row, name_path), width)
            todo.append((row, entry["folder"]))  # not the answers: 10,000 rows of them would be 120 MB per process
            todo_rows.append(row.number)

        if todo:
            default_library(), default_riskbook()  # loaded once, before the workers fork (they share its pages)
        collect_garbage()  # a long run: the collector works again, on what the rows make (the library is frozen)
        jobs = jobs or _default_jobs()
        hidden = not sys.stderr.isatty()  # a bar only on a terminal; logs and pipes get the summary
        with click.progressbar(length=len(todo), label="generating", file=sys.stderr, show_pos=True, hidden=hidden) as bar:
            for number, result in zip(todo_rows, _results((base_data, out, force, lang), todo, jobs)):
                entry = entries[number]
                if result[0] == "error":
                    entry["errors"] = [problem(p) for p in result[1]]
                    entry["folder"] = ""
                else:
                    _, entry["model"], entry["files"] = result
                    entry["status"] = "ok"
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
            field = messages.text("batch.field", label=p["label"], path=p["field"]) if p["label"] else p["field"]
            column = messages.text("batch.column", n=p["column"]) if p["column"] else ""
            click.echo(shown(messages.text("batch.row_problem", row=e["row"], line=e["line"], field=field, column=column,
                                           message=p["message"])), err=True)
    click.echo(shown(messages.text("batch.done", ok=len(ordered) - len(failed), total=len(ordered), out=out,
                                   manifest=out / MANIFEST_JSON)), err=True)
    if failed:
        raise Failure(messages.text("batch.failed", count=len(failed), manifest=MANIFEST_CSV), 1)
