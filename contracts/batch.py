"""Batch generation from a spreadsheet: one deal per CSV row, each column a dotted answers path.

Pure logic only (no click, no terminal): decoding the CSV, checking its columns against the answers model,
turning cell text into the field's type, applying the overrides to the base answers, naming each row's
folder safely, and writing the manifest. ``cli/batch.py`` drives it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import re
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from pydantic import BaseModel

from contracts.answers import MAX_LIST_ENTRIES, Answers

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")
LIST_SEPARATORS = re.compile(r"[;；、]")
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000
MAX_DIGITS = 16  # a whole number in a cell: the largest field (yen, at most 10**13) has 14 digits


class BatchError(Exception):
    """The CSV as a whole cannot be used (encoding, header, unknown column)."""


class CellError(ValueError):
    """One cell cannot be turned into its field's type."""


# --------------------------------------------------------------------------- the answers model's types


def unwrap(annotation: Any) -> Any:
    """``Optional[X]`` and ``Annotated[X, ...]`` down to ``X`` (a Literal, a list, a model, a scalar)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def split_path(path: str) -> list[str]:
    """``deal.research.students[0].name`` or ``deal.research.students.0.name`` -> parts (indexes as digits)."""
    parts = []
    for part in re.sub(r"\[([0-9]+)\]", r".\1", path.strip()).split("."):
        if part == "":
            raise KeyError(path)
        parts.append(part)
    return parts


def type_at(path: str) -> Any:
    """The unwrapped type of the value at a dotted answers path; KeyError if there is no such field.

    List indexes are allowed only into lists of sub-models (``deal.hackathon.prizes.0.rank``); a dict field
    (``deal.choices``) takes any key below it.
    """
    node: Any = Answers
    for part in split_path(path):
        node = unwrap(node)
        if is_model(node):
            if part not in node.model_fields:
                raise KeyError(path)
            node = node.model_fields[part].annotation
        elif typing.get_origin(node) is list and is_index(part):
            node = typing.get_args(node)[0]
            if not is_model(unwrap(node)):
                raise KeyError(path)
        elif typing.get_origin(node) is dict:
            node = typing.get_args(node)[1]
        else:
            raise KeyError(path)
    return unwrap(node)


def is_index(part: str) -> bool:
    return part.isascii() and part.isdigit()


def check_column(path: str) -> str | None:
    """None if the column can be used as an override, else why not.

    A list index is bounded by the answers model (MAX_LIST_ENTRIES), so that ``prizes.100000.rank`` is refused
    here, in the header, instead of growing a list of 100,000 empty entries in every row."""
    try:
        parts = split_path(path)
    except KeyError:
        return "not a field of the answers file (see `keiyaku schema`)"
    for part in parts:
        if is_index(part) and (len(part) > 4 or int(part) >= MAX_LIST_ENTRIES):
            return f"index {part[:12]} is out of range: a list holds at most {MAX_LIST_ENTRIES} entries (0-{MAX_LIST_ENTRIES - 1})"
    try:
        kind = type_at(path)
    except KeyError:
        return "not a field of the answers file (see `keiyaku schema`)"
    if is_model(kind):
        return "is a section, not a single value; use its fields (e.g. " + f"{path}.{next(iter(kind.model_fields))})"
    if typing.get_origin(kind) is list and is_model(unwrap(typing.get_args(kind)[0])):
        return f"is a list of entries; use numbered columns such as {path}.0.<field>"
    if typing.get_origin(kind) is dict:
        return f"is a mapping; use columns such as {path}.<key>"
    return None


_TRUE = {"true", "yes", "y", "1", "はい", "○", "〇", "有", "あり", "on"}
_FALSE = {"false", "no", "n", "0", "いいえ", "×", "✕", "無", "なし", "off"}
_DATE = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$")


def _number_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("_", "").removesuffix("円").strip()


def _quoted(text: str) -> str:
    """A cell as an error message shows it: at most 40 characters, in repr form (controls escaped)."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def convert(text: str, kind: Any) -> Any:
    """Cell text -> a value of the field's (unwrapped) type; CellError with a short reason otherwise.

    Numbers accept full-width digits and thousands separators; booleans accept true/false, yes/no, はい/いいえ,
    ○/×; dates accept 2027-04-01, 2027/4/1 and 2027年4月1日; lists are split on ``;`` or ``、``.
    Text is kept as written (no normalisation: full-width characters in names are deliberate).
    """
    kind = unwrap(kind)
    origin = typing.get_origin(kind)
    if origin is list:
        item = typing.get_args(kind)[0]
        return [convert(part, item) for part in LIST_SEPARATORS.split(text) if part.strip()]
    if origin is Literal:
        value = unicodedata.normalize("NFKC", text).strip()
        allowed = typing.get_args(kind)
        for option in allowed:
            if str(option) == value:
                return option
        raise CellError(f"{_quoted(value)} is not one of: {', '.join(str(a) for a in allowed)}")
    if kind is bool:
        value = unicodedata.normalize("NFKC", text).strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise CellError(f"{_quoted(text)} is not yes/no (true/false, はい/いいえ)")
    if kind is int:
        value = _number_text(text)
        if not re.fullmatch(r"-?[0-9]+", value):
            raise CellError(f"{_quoted(text)} is not a whole number")
        if len(value.lstrip("-").lstrip("0")) > MAX_DIGITS:
            raise CellError(f"{_quoted(text)} has more than {MAX_DIGITS} digits")
        return int(value)
    if kind is float:
        value = _number_text(text).removesuffix("%")
        if not re.fullmatch(r"-?[0-9]{1,16}(\.[0-9]{1,16})?", value):
            raise CellError(f"{_quoted(text)} is not a number (such as 12.5)")
        return float(value)
    if kind is _dt.date:
        value = unicodedata.normalize("NFKC", text).strip()
        m = _DATE.match(value)
        if not m:
            raise CellError(f"{_quoted(text)} is not a date (YYYY-MM-DD)")
        try:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise CellError(f"{_quoted(text)} is not a valid date ({exc})") from None
    return text.strip()


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
    cells: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)


def decode(raw: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Bytes -> (text, encoding used). ``auto`` tries UTF-8 (with or without BOM), then cp932 (Excel in Japan)."""
    if len(raw) > MAX_CSV_BYTES:
        raise BatchError(f"the CSV is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB")
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
    raise BatchError(
        f"cannot decode the CSV as {' or '.join(tried)} (byte {last.start}); save it as UTF-8 or Shift_JIS (cp932), "
        "or pass --encoding"
    )


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """Header and data rows; BatchError for an unusable header. Rows with every cell empty are dropped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BatchError("the CSV is empty (expected a header row of answers paths)") from None
    except csv.Error as exc:
        raise BatchError(f"line 1: malformed CSV: {exc}") from None
    columns = [h.strip() for h in header]
    problems = []
    seen = set()
    for i, col in enumerate(columns, start=1):
        if not col:
            problems.append(f"column {i}: empty header")
            continue
        shown = col if len(col) <= 80 else col[:80] + "…"
        if col in seen:
            problems.append(f"column {i} ({shown}): appears twice")
        seen.add(col)
        why = check_column(col)
        if why:
            problems.append(f"column {i} ({shown}): {why}")
    if problems:
        raise BatchError("the CSV header is not usable:\n  " + "\n  ".join(problems))
    rows: list[Row] = []
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BatchError(f"line {line}: malformed CSV: {exc}") from None
        if not any(c.strip() for c in cells):
            continue
        number += 1
        if number > MAX_ROWS:
            raise BatchError(f"more than {MAX_ROWS} rows; split the CSV")
        row = Row(number, line, {})
        if len(cells) > len(columns):
            row.problems.append(("(row)", f"{len(cells)} cells but only {len(columns)} columns in the header"))
        for col, cell in zip(columns, cells):
            row.cells[col] = cell
        rows.append(row)
    return columns, rows


def row_data(base: dict, row: Row) -> tuple[dict, list[tuple[str, str]]]:
    """The base answers with this row's non-empty cells applied, and the cells that could not be converted."""
    import copy

    data = copy.deepcopy(base)
    problems = list(row.problems)
    for path, cell in row.cells.items():
        if not cell.strip():
            continue  # an empty cell keeps the base value
        try:
            apply_override(data, path, convert(cell, type_at(path)))
        except CellError as exc:
            problems.append((path, str(exc)))
        except (ValueError, OverflowError) as exc:  # whatever else a cell can do, it stays this row's problem
            problems.append((path, f"{_quoted(cell)} cannot be used: {exc}"[:200]))
    return data, problems


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
