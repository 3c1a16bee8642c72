"""`keiyaku batch BASE.yaml ROWS.csv --out DIR`: one document set per CSV row, plus a manifest.

Each CSV column is an answers field — a dotted path (``parties.recipient.name``, ``deal.fee.amount_yen``) or the
field's label (相手方の正式名称, 対価の金額（円）) — whose cells override the base answers; an empty cell keeps the base
value. Cells are read by the same lenient parser as the answers file and ``keiyaku init`` (50万円, はい, 令和9年4月1日,
国立大学法人). A bad row is reported with its row number, column and field and does not stop the others; the exit
status is 1 if any row failed. Every row's folder is written as a whole set; OUT is locked for the run, and the
manifest paths are checked before the first row is generated. ``keiyaku batch --template FILE`` writes a header
row of labels that Excel opens (UTF-8 with BOM, or Shift_JIS with ``--encoding cp932``).
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


def _build(job):
    """Worker: (answers, lang) -> ("ok", model, files) or ("error", problems). Only plain data crosses processes;
    problems are ``contracts.messages.Problem`` objects, rendered by the parent in its language."""
    from contracts.answers import AnswersError
    from contracts.assembly import AssemblyError
    from contracts.generate import build_set
    from contracts.library import LibraryError
    from contracts.messages import Problem, using

    answers, lang = job
    with using(lang):
        try:
            result = build_set(answers)
        except AnswersError as exc:
            return "error", list(exc.details)
        except (AssemblyError, LibraryError) as exc:
            return "error", [Problem.plain("(generation)", str(exc))]
        except Exception as exc:  # noqa: BLE001 - one broken row must not stop the batch
            return "error", [Problem.plain("(internal error)", f"{type(exc).__name__}: {exc}")]
    return "ok", result.answers.model, result.files


def _results(todo: list, jobs: int):
    """Generated sets in row order, in worker processes when there is more than one job."""
    if jobs <= 1 or len(todo) <= 1:
        for job in todo:
            yield _build(job)
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
    from contracts.batch import (MAX_CSV_BYTES, BatchError, decode, default_name_column, folder_name, manifest_csv,
                                 manifest_json, read_table, row_data, row_name, sha256)
    from contracts.library import default_library
    from contracts.render.files import OutputError, OutputFolder, write_set
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
            todo.append((answers, lang))
            todo_rows.append(row.number)

        if todo:
            default_library(), default_riskbook()  # loaded once, before the workers fork
        jobs = jobs or _default_jobs()
        hidden = not sys.stderr.isatty()  # a bar only on a terminal; logs and pipes get the summary
        with click.progressbar(length=len(todo), label="generating", file=sys.stderr, show_pos=True, hidden=hidden) as bar:
            for number, result in zip(todo_rows, _results(todo, jobs)):
                entry = entries[number]
                if result[0] == "error":
                    entry["errors"] = [problem(p) for p in result[1]]
                    entry["folder"] = ""
                else:
                    _, model, files = result
                    try:  # each row's folder is a whole set of its own: all of it, or nothing
                        written = write_set(out / entry["folder"], files, force)
                    except OutputError as exc:
                        entry["errors"] = [problem(("(output)", str(exc)))]
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
            field = messages.text("batch.field", label=p["label"], path=p["field"]) if p["label"] else p["field"]
            column = messages.text("batch.column", n=p["column"]) if p["column"] else ""
            click.echo(shown(messages.text("batch.row_problem", row=e["row"], line=e["line"], field=field, column=column,
                                           message=p["message"])), err=True)
    click.echo(shown(messages.text("batch.done", ok=len(ordered) - len(failed), total=len(ordered), out=out,
                                   manifest=out / MANIFEST_JSON)), err=True)
    if failed:
        raise Failure(messages.text("batch.failed", count=len(failed), manifest=MANIFEST_CSV), 1)
