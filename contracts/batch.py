"""Batch generation from a spreadsheet: one deal per CSV row, each column an answers field.

Pure logic only (no click, no terminal): decoding the CSV, checking its columns against the answers model (a
column is a dotted answers path or the field's label from the catalogue, 相手方の正式名称), turning cell text into
the field's value with the one lenient parser (``contracts.parse``, as the answers file and ``init`` do), applying
the overrides to the base answers, naming each row's folder safely, the header template, and the manifest.
``cli/batch.py`` drives it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import re
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from contracts import messages as _msg
from contracts import parse as _parse
from contracts import vocabulary
from contracts.answers import MAX_LIST_ENTRIES, Answers
from contracts.vocabulary import field_kind, value_labels

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")
LIST_SEPARATORS = re.compile(r"[;；、]")
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000
MAX_DIGITS = 16  # a whole number in a cell: the largest field (yen, at most 10**13) has 14 digits


class BatchError(Exception):
    """The CSV as a whole cannot be used (encoding, header, unknown column)."""


class CellError(ValueError):
    """One cell cannot be turned into its field's type; ``problem(path)`` is the catalogue message for that field."""

    def __init__(self, error: _parse.Unreadable | str):
        self.error = error
        super().__init__(str(error))

    def __str__(self) -> str:
        return self.error.message() if isinstance(self.error, _parse.Unreadable) else str(self.error)

    def problem(self, path: str) -> _msg.Problem:
        if isinstance(self.error, _parse.Unreadable):
            return self.error.problem(path)
        return _msg.Problem.plain(path, str(self.error))


# --------------------------------------------------------------------------- the answers model's types
# Paths and types come from the one walker of the answers model (contracts.vocabulary); these names stay for the
# callers of this module.

unwrap = vocabulary.unwrap
is_model = vocabulary.is_model
split_path = vocabulary.split_path
is_index = vocabulary.is_index
type_at = vocabulary.annotation_at


def field_at(path: str) -> tuple[type, str] | None:
    """The model class and field name of a dotted answers path (list indexes allowed), or None (a mapping's key)."""
    try:
        found = vocabulary.entry(path)
    except KeyError:
        return None
    return found.owner, found.name


def check_column(path: str) -> str | None:
    """None if the column can be used as an override, else why not (in the language in use).

    A list index is bounded by the answers model (MAX_LIST_ENTRIES), so that ``prizes.100000.rank`` is refused
    here, in the header, instead of growing a list of 100,000 empty entries in every row."""
    try:
        parts = split_path(path)
    except KeyError:
        return _unknown_column(path)
    for part in parts:
        if is_index(part) and (len(part) > 4 or int(part) >= MAX_LIST_ENTRIES):
            return _msg.text("batch.column.index", index=part[:12], max=MAX_LIST_ENTRIES, last=MAX_LIST_ENTRIES - 1)
    try:
        kind = type_at(path)
    except KeyError:
        return _unknown_column(path)
    if is_model(kind):
        return _msg.text("batch.column.section", example=f"{path}.{next(iter(kind.model_fields))}")
    if typing.get_origin(kind) is list and is_model(unwrap(typing.get_args(kind)[0])):
        return _msg.text("batch.column.entries", example=f"{path}.0.<field>")
    if typing.get_origin(kind) is dict:
        return _msg.text("batch.column.mapping", example=f"{path}.<key>")
    return None


def _unknown_column(header: str) -> str:
    known = list(vocabulary.paths()) + list(_msg.labels("ja").values())
    suggestion = _msg.closest(header, known)
    if suggestion:
        return _msg.text("batch.column.unknown.suggest", suggestion=suggestion)
    return _msg.text("batch.column.unknown")


def resolve_column(header: str) -> str:
    """The answers path a CSV header stands for: a dotted path as written, or a field label from the catalogue
    (相手方の正式名称 → parties.recipient.name; 賞の名称（1件目） → deal.hackathon.prizes.0.rank)."""
    header = header.strip()
    if re.fullmatch(r"[A-Za-z0-9_.\[\]]+", header):
        return header
    return _msg.path_for_label(header) or header


def _quoted(text: str) -> str:
    """A cell as an error message shows it: at most 40 characters, in repr form (controls escaped)."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


# Without the field's path its unit is unknown: every whole number of the answers model reads as widely as an
# amount, every decimal as a percentage (the answers model has no other decimals).
_PY_KINDS = {bool: "bool", int: "yen", float: "percent", _dt.date: "date", str: "text"}


def convert(text: str, kind: Any, path: str | None = None) -> Any:
    """Cell (or typed) text -> a value of the field's (unwrapped) type; CellError saying why not otherwise.

    The one lenient parser (``contracts.parse.read_as``) reads it, as for the answers file and ``keiyaku init``:
    full-width digits, thousands separators, 50万円, 24か月, はい/いいえ, 2027/4/1, 令和9年4月1日. Given the field's
    ``path``, numbers take that field's counter word (円, か月, 日, 人 …) and choices their Japanese labels
    (国立大学法人 for national_university); without it, whole numbers are read as widely as amounts (500,000円,
    50万), decimals as percentages (12.5%) and choices by value only. Lists are split on ``;`` or ``、``. Text is
    kept as written (no normalisation: full-width characters in names are deliberate).
    """
    kind = unwrap(kind)
    origin = typing.get_origin(kind)
    if origin is list:
        item = typing.get_args(kind)[0]
        return [convert(part, item, path) for part in LIST_SEPARATORS.split(text) if part.strip()]
    owner = field_at(path) if path else None
    if owner is not None:
        read_kind, _ = field_kind(*owner)
        labels = value_labels(*owner) if read_kind == "choice" else None
    else:
        read_kind = "choice" if origin is Literal else _PY_KINDS.get(kind, "text")
        labels = None
    if read_kind is None:
        read_kind = "text"
    options = typing.get_args(kind) if origin is Literal else ()
    try:
        return _parse.read_as(text, read_kind, options, labels)
    except _parse.Unreadable as exc:
        raise CellError(exc) from None


def apply_override(data: dict, path: str, value: Any) -> None:
    """Set ``value`` at a dotted path inside plain answers data, creating the sections on the way."""
    parts = split_path(path)
    node: Any = data
    for part, following in zip(parts, parts[1:]):
        child_is_list = is_index(following)
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append({})
            if not isinstance(node[index], (dict, list)):
                node[index] = [] if child_is_list else {}
            node = node[index]
            continue
        child = node.get(part)
        if not isinstance(child, (dict, list)):
            child = [] if child_is_list else {}
            node[part] = child
        node = child
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append({})
        node[index] = value
    else:
        node[last] = value


# --------------------------------------------------------------------------- folder names

_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Invisible in a file manager: controls, format characters (bidi controls such as U+202E, zero-width characters),
# surrogates, private-use and unassigned code points, line and paragraph separators.
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def folder_name(row: int, name: str | None, width: int = 3, max_len: int = 60) -> str:
    """``007_国立大学法人東京科学大学``: the row number (unique by construction) plus a readable, safe name.

    No separators, no control or Windows-reserved characters, no leading or trailing dots or spaces, never
    ``..``, nothing invisible (U+202E would show ``cod.exe`` as ``exe.doc``); the number in front makes every folder distinct even when two rows name the same party, and keeps
    Windows device names (CON, NUL, ...) from ever being the whole name.
    """
    cleaned = unicodedata.normalize("NFC", name or "")
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in _INVISIBLE)
    cleaned = _BAD_CHARS.sub("_", cleaned)
    cleaned = re.sub(r"\s+", "_", cleaned)
    cleaned = re.sub(r"_+", "_", cleaned).strip("._ ")
    cleaned = cleaned[:max_len].rstrip("._ ")
    number = str(row).zfill(width)
    return f"{number}_{cleaned}" if cleaned else number


# --------------------------------------------------------------------------- the CSV


@dataclass
class Row:
    number: int  # 1 for the first data row
    line: int  # line of the file where the row starts (the header is line 1)
    cells: dict[str, str]  # answers path -> cell text, for the columns that are fields
    problems: list = field(default_factory=list)  # (path, message) pairs or contracts.messages.Problem
    name: str | None = None  # the cell of a --name-column that is not a field


def decode(raw: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Bytes -> (text, encoding used). ``auto`` tries UTF-8 (with or without BOM), then cp932 (Excel in Japan)."""
    if len(raw) > MAX_CSV_BYTES:
        raise BatchError(_msg.text("batch.too_large", size=MAX_CSV_BYTES // (1024 * 1024)))
    if encoding not in ENCODINGS:
        raise BatchError(f"unknown encoding {encoding!r} (use one of {', '.join(ENCODINGS)})")
    tried = ["utf-8-sig", "cp932"] if encoding == "auto" else [encoding]
    for name in tried:
        try:
            text = raw.decode(name)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        if name == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        return text, ("utf-8" if name == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf") else name)
    raise BatchError(_msg.text("batch.undecodable", tried=" / ".join(tried), byte=last.start))


@dataclass
class Table:
    """A read CSV: ``headers`` as written, ``columns`` the answers path of each (None: a --name-column that is not
    a field), and the data rows."""

    headers: list[str]
    columns: list[str | None]
    rows: list[Row]
    name_path: str | None = None  # the field a --name-column names (None: not given, or a column only for naming)

    def column_number(self, path: str) -> int | None:
        """The 1-based column a field came from (``deal.research.students[0].name`` and ``…students.0.name`` alike)."""
        dotted = ".".join(split_path(path)) if path and not path.startswith("(") else path
        for i, column in enumerate(self.columns, start=1):
            if column is not None and ".".join(split_path(column)) == dotted:
                return i
        return None


def read_table(text: str, name_column: str | None = None) -> Table:
    """Header and data rows; BatchError for an unusable header. Rows with every cell empty are dropped.

    A header is a dotted answers path or a field's label (``相手方の正式名称``). ``name_column`` names the column that
    names each row's folder (a path, a label or any header of the CSV); a column that is not a field is allowed only
    as that column and is not applied to the answers."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BatchError(_msg.text("batch.empty_csv")) from None
    except csv.Error as exc:
        raise BatchError(_msg.text("batch.malformed", line=1, problem=exc)) from None
    headers = [h.strip().lstrip("\ufeff") for h in header]
    name_header = None
    if name_column is not None:
        wanted = {name_column.strip(), resolve_column(name_column)}
        name_header = next((h for h in headers if h in wanted or resolve_column(h) in wanted), None)
        if name_header is None:
            raise BatchError(_msg.text("batch.name_column.unknown", column=name_column, columns=", ".join(headers)))
    problems = []
    seen: set[str] = set()
    columns: list[str | None] = []
    for i, col in enumerate(headers, start=1):
        shown = col if len(col) <= 80 else col[:80] + "…"
        if not col:
            problems.append(_msg.text("batch.header.empty", n=i))
            columns.append(None)
            continue
        path = resolve_column(col)
        why = check_column(path)
        if why and col == name_header:
            columns.append(None)  # a column only for naming the folders
            continue
        key = ".".join(split_path(path)) if not why else col
        if key in seen:
            problems.append(_msg.text("batch.header.twice", n=i, column=shown))
        seen.add(key)
        if why:
            problems.append(_msg.text("batch.header.problem", n=i, column=shown, why=why))
        columns.append(path)
    if problems:
        raise BatchError(_msg.text("batch.header_unusable") + "\n  " + "\n  ".join(problems))
    name_path = next((c for h, c in zip(headers, columns) if h == name_header), None)
    rows: list[Row] = []
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BatchError(_msg.text("batch.malformed", line=line, problem=exc)) from None
        if not any(c.strip() for c in cells):
            continue
        number += 1
        if number > MAX_ROWS:
            raise BatchError(_msg.text("batch.too_many_rows", max=MAX_ROWS))
        row = Row(number, line, {})
        if len(cells) > len(columns):
            row.problems.append(_msg.Problem("(row)", "batch.cells_over", {"cells": len(cells), "columns": len(columns)}))
        for header_text, col, cell in zip(headers, columns, cells):
            if col is None:
                if header_text == name_header:
                    row.name = cell.strip()
                continue
            row.cells[col] = cell
        rows.append(row)
    return Table(headers, columns, rows, name_path)


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """Header (answers paths) and data rows, as ``read_table`` reads them."""
    table = read_table(text)
    return [c for c in table.columns if c is not None], table.rows


NAME_CANDIDATES = ("parties.recipient.name", "parties.provider.name")


def default_name_column(table: Table) -> str:
    """The column that names the folders when none is chosen: the counterparty's name — the party whose name varies
    from row to row (the recipient, or the provider when only the provider's name varies, as for a university that
    provides data to many companies); the recipient's name when neither (or both) vary."""
    varying = []
    for path in NAME_CANDIDATES:
        values = {r.cells.get(path, "").strip() for r in table.rows if path in r.cells}
        if table.column_number(path) is not None and len(values) > 1:
            varying.append(path)
    return varying[0] if len(varying) == 1 else NAME_CANDIDATES[0]


def row_name(answers: Answers, row: Row, name_path: str | None) -> str | None:
    """The text that names a row's folder: the name-only column's cell, else the value at ``name_path`` in the row's
    answers (a date or a number as written in an answers file)."""
    if row.name is not None:
        return row.name
    if name_path and any(is_index(p) for p in split_path(name_path)):
        return row.cells.get(name_path, "").strip() or None  # an entry of a list: the cell as written
    try:
        value = answers.lookup(".".join(p for p in split_path(name_path or NAME_CANDIDATES[0]) if not is_index(p)))
    except KeyError:
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "_".join(str(v) for v in value)
    return None if value is None or isinstance(value, BaseModel) else str(value)


def row_data(base: dict, row: Row) -> tuple[dict, list]:
    """The base answers with this row's non-empty cells applied, and the cells that could not be converted
    (``contracts.messages.Problem`` objects naming the field)."""
    import copy

    data = copy.deepcopy(base)
    problems = list(row.problems)
    for path, cell in row.cells.items():
        if not cell.strip():
            continue  # an empty cell keeps the base value
        try:
            apply_override(data, path, convert(cell, type_at(path), path))
        except CellError as exc:
            problems.append(exc.problem(path))
        except (ValueError, OverflowError) as exc:  # whatever else a cell can do, it stays this row's problem
            problems.append(_msg.Problem(path, "batch.cell.unusable", {"value": _quoted(cell), "detail": str(exc)[:160]}))
    return data, problems


# --------------------------------------------------------------------------- the header template

TEMPLATE_COLUMNS = (
    "parties.recipient.name",
    "parties.recipient.kind",
    "parties.recipient.address",
    "parties.recipient.representative.title",
    "parties.recipient.representative.name",
    "deal.contract_date",
    "deal.fee.amount_yen",
)
TEMPLATE_ENCODINGS = ("utf-8-sig", "cp932")


def template_csv(columns: tuple[str, ...] | list[str] = TEMPLATE_COLUMNS, encoding: str = "utf-8-sig",
                 lang: str | None = None) -> bytes:
    """A header row of field labels that Excel opens as it is: UTF-8 with BOM (Excel needs the BOM to read UTF-8)
    or Shift_JIS (cp932), CRLF. Every label reads back as its path (``resolve_column``)."""
    if encoding not in TEMPLATE_ENCODINGS:
        raise BatchError(f"unknown encoding {encoding!r} (use one of {', '.join(TEMPLATE_ENCODINGS)})")
    headers = []
    for path in columns:
        why = check_column(path)
        if why:
            raise BatchError(_msg.text("batch.template.column", column=path, why=why))
        label = _msg.field_label(path, lang) or path
        headers.append(label if _msg.path_for_label(label) and ".".join(split_path(_msg.path_for_label(label))) ==
                       ".".join(split_path(path)) else path)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(headers)
    return out.getvalue().encode(encoding)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --------------------------------------------------------------------------- the manifest


def manifest_json(entries: list[dict], meta: dict) -> bytes:
    ok = sum(e["status"] == "ok" for e in entries)
    doc = {**meta, "rows": len(entries), "succeeded": ok, "failed": len(entries) - ok, "entries": entries}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas when opened in Excel


def manifest_csv(entries: list[dict]) -> bytes:
    """One line per written file (and one per failed row), UTF-8 with BOM so that Excel opens it correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "line", "status", "folder", "file", "sha256", "bytes", "error"])
    for e in entries:
        error = "; ".join(f"{p['field']}: {p['message']}" for p in e["errors"])
        base = [e["row"], e["line"], e["status"], e["folder"]]
        if e["files"]:
            for f in e["files"]:
                writer.writerow([_cell(v) for v in base + [f["path"], f["sha256"], f["bytes"], error]])
        else:
            writer.writerow([_cell(v) for v in base + ["", "", "", error]])
    return out.getvalue().encode("utf-8-sig")
