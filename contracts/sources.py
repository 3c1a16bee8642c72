"""The registry of legal sources (``clauses/sources.yaml``): what an annotation's ``references`` and a risk rule's
``basis`` cite, as ids.

Each entry records one provision or document: its kind, official title, article, the date from which the cited
wording applies, when it was superseded, and whether it is in force, a draft or repealed. ``cite(id)`` gives the
string shown to people; ``problems(ids, where, on_date)`` lints a list of cited ids: an unknown id, a draft (案)
and a provision superseded or repealed on that date are errors. The registry is loaded once per process.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

FILE_NAME = "sources.yaml"
KINDS = ("statute", "cabinet_order", "ministry_rule", "guideline", "model_contract", "notice")
# Laws are cited as title + article only; documents with an edition are cited with their issuer and edition.
LAW_KINDS = ("statute", "cabinet_order", "ministry_rule")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


class SourcesError(Exception):
    """The registry file cannot be loaded; the message names the file and the problem."""


class UnknownSource(KeyError):
    """An id that is not in the registry."""

    def __str__(self) -> str:
        return f"unknown legal source id {self.args[0]!r} (not in clauses/{FILE_NAME})"


def _iso(value: Any) -> Any:
    """YAML reads 2024-04-01 as a date and 2021-03 as a string; keep both as text (YYYY-MM-DD or YYYY-MM)."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = _DATE.match(value)
        if not m:
            raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD, or YYYY-MM when only the month is known)")
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        _dt.date(year, month, day)  # raises on 2024-02-30
    return value


def _start(value: str) -> _dt.date:
    """The first day a YYYY-MM-DD / YYYY-MM date covers."""
    y, m, d = _DATE.match(value).groups()
    return _dt.date(int(y), int(m), int(d or 1))


class Source(BaseModel):
    # defer_build: the validators are built on first validation (a cache miss), not when the module is imported.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    kind: Literal["statute", "cabinet_order", "ministry_rule", "guideline", "model_contract", "notice"]
    issuer: str = ""
    title: str
    article: str = ""
    in_force_from: str | None
    superseded_on: str | None = None
    superseded_by: str | None = None
    status: Literal["in_force", "draft", "repealed"]
    note: str

    @field_validator("in_force_from", "superseded_on", mode="before")
    @classmethod
    def _date(cls, v: str | _dt.date | None) -> str | None:
        return None if v is None else _iso(v)

    @property
    def edition(self) -> str:
        """「2019年12月版」 for a guideline or model contract; 「2023年6月2日」 for a notice."""
        if not self.in_force_from:
            return ""
        y, m, d = _DATE.match(self.in_force_from).groups()
        if self.kind == "notice" and d:
            return f"{int(y)}年{int(m)}月{int(d)}日"
        return f"{int(y)}年{int(m)}月版"

    def display(self) -> str:
        """The string a reader sees, e.g. 個人情報の保護に関する法律第27条第1項."""
        if self.kind in LAW_KINDS:
            text = f"{self.title}{self.article}"
        else:
            text = f"{self.issuer}「{self.title}」{self.article}"
            if self.status != "draft" and self.edition:
                text += f"（{self.edition}）"
        if self.superseded_on:
            d = _start(self.superseded_on)
            text += f"（{d.year}年{d.month}月{d.day}日改正前のもの）"
        return text


class Registry:
    """All entries of one sources.yaml, by id; ``lint()`` lists what is wrong with the file itself."""

    def __init__(self, entries: list[Source], name: str = FILE_NAME):
        self.name = name
        self.entries: dict[str, Source] = {}
        self.duplicates: list[str] = []
        for e in entries:
            if e.id in self.entries:
                self.duplicates.append(f"{name}: duplicate source id '{e.id}'")
            self.entries.setdefault(e.id, e)

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, source_id: str) -> Source:
        try:
            return self.entries[source_id]
        except KeyError:
            raise UnknownSource(source_id) from None

    def cite(self, source_id: str) -> str:
        return self.get(source_id).display()

    def label(self, source_id: str) -> str:
        """``cite`` for a known id; an unknown one is shown as written (the library check reports it), so a
        half-edited library still drafts."""
        e = self.entries.get(source_id)
        return e.display() if e is not None else source_id

    def lint(self) -> list[str]:
        errors = list(self.duplicates)
        for e in self.entries.values():
            where = f"{self.name}: source '{e.id}'"
            if not _ID.match(e.id):
                errors.append(f"{where}: id must be ASCII snake_case")
            if not e.title.strip():
                errors.append(f"{where}: missing title")
            if not e.note.strip():
                errors.append(f"{where}: missing note")
            if e.kind not in LAW_KINDS and not e.issuer.strip():
                errors.append(f"{where}: a {e.kind} needs its issuer")
            if e.in_force_from is None and e.status != "draft":
                errors.append(f"{where}: in_force_from is missing (only a draft may omit it)")
            if e.in_force_from and e.superseded_on and _start(e.superseded_on) <= _start(e.in_force_from):
                errors.append(f"{where}: superseded_on {e.superseded_on} is not after in_force_from {e.in_force_from}")
            if e.superseded_on and e.status == "in_force":
                errors.append(f"{where}: superseded on {e.superseded_on} but status is in_force (use repealed)")
            if e.superseded_by is not None:
                if e.superseded_by not in self.entries:
                    errors.append(f"{where}: superseded_by '{e.superseded_by}' is not in the registry")
                if not e.superseded_on:
                    errors.append(f"{where}: superseded_by without superseded_on")
        return errors

    def problems(self, ids: Iterable[str], where: str, on_date: _dt.date | None = None) -> list[str]:
        """Lint messages for the ids cited at ``where``, as of ``on_date`` (default: today)."""
        on_date = on_date or _dt.date.today()
        errors: list[str] = []
        seen: set[str] = set()
        for sid in ids:
            if sid in seen:
                errors.append(f"{where}: '{sid}' is cited twice")
                continue
            seen.add(sid)
            e = self.entries.get(sid)
            if e is None:
                errors.append(f"{where}: unknown legal source id '{sid}' (not in clauses/{FILE_NAME})")
                continue
            label = f"'{sid}'（{e.display()}）"
            if e.status == "draft":
                errors.append(f"{where}: {label}: 案は根拠として引用できません")
            elif e.superseded_on and _start(e.superseded_on) <= on_date:
                now = f"（現行: '{e.superseded_by}'）" if e.superseded_by else ""
                errors.append(f"{where}: {label}: {e.superseded_on}に改正・廃止され、{on_date.isoformat()}の時点で効力がありません{now}")
            elif e.status == "repealed" and not e.superseded_on:
                errors.append(f"{where}: {label}: 廃止されています")
            elif e.in_force_from and _start(e.in_force_from) > on_date:
                errors.append(f"{where}: {label}: {e.in_force_from}施行で、{on_date.isoformat()}の時点ではまだ効力がありません")
        return errors


def parse_registry(raw: Any, name: str = FILE_NAME) -> Registry:
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise SourcesError(f"{name}: expected a top-level 'sources:' list")
    entries = []
    for i, item in enumerate(raw["sources"]):
        try:
            entries.append(Source.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            sid = item.get("id", "?") if isinstance(item, dict) else "?"
            raise SourcesError(f"{name}: sources[{i}] ({sid}): {field}: {first['msg']}") from None
    return Registry(entries, name)


def load_registry(directory: Path | None = None) -> Registry:
    """The registry of a library folder; a folder without a sources.yaml uses the shipped one."""
    if directory is None:
        return default_registry()
    path = Path(directory) / FILE_NAME
    if not path.is_file():
        return default_registry()
    from contracts.library import LibraryError, read_folder  # the folder's files are parsed once, for all readers

    try:
        raw = read_folder(directory)[FILE_NAME]
    except LibraryError as exc:
        raise SourcesError(str(exc)) from None
    return parse_registry(raw, FILE_NAME)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The shipped registry (clauses/sources.yaml), loaded once per process with the library (contracts.cache)."""
    from contracts import cache

    return cache.shipped_registry()


def cite(source_id: str) -> str:
    """The display string of a shipped source: 個人情報の保護に関する法律第27条第1項, 経済産業省「…」（2019年12月版）."""
    return default_registry().cite(source_id)


def problems(ids: Iterable[str], where: str, on_date: _dt.date | None = None) -> list[str]:
    """Lint messages for cited ids against the shipped registry: unknown, draft, superseded/repealed or not yet
    in force on ``on_date`` (default: today)."""
    return default_registry().problems(ids, where, on_date)


def sources_in_force_problems(on_date: _dt.date, documents: Iterable[Any] = (), findings: Iterable[Any] = (),
                              lib: Any = None, book: Any = None) -> list[str]:
    """What a deal with this contract date cites that is not in force on that date.

    ``documents``: the assembled documents (each article's chosen variant is checked); ``findings``: the risk
    findings of the deal (each rule's basis is checked). Uses the library's and the rule book's registries.
    """
    from contracts.library import default_library
    from contracts.risk import default_riskbook

    lib = lib or default_library()
    book = book or default_riskbook()
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        for a in doc.articles:
            key = (a.clause_id, a.variant_id)
            clause = lib.clauses.get(a.clause_id)
            variant = clause.variant(a.variant_id) if clause else None
            if variant is None or key in seen:
                continue
            seen.add(key)
            out += lib.registry.problems(variant.annotation.references, f"{doc.file_name} {a.label}（{a.heading}）", on_date)
    rules = {r.id: r for r in book.rules}
    for f in findings:
        rule = rules.get(f.rule)
        if rule is not None and ("rule", rule.id) not in seen:
            seen.add(("rule", rule.id))
            out += book.registry.problems(rule.basis, f"finding {rule.id}", on_date)
    return out
