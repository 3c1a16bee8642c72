"""Deal-level findings and the model recommendation. The rules and profiles are data in the library.

``clauses/rules.yaml`` holds the risk rules (a condition over the answers, a severity, a message, what to
do, the clauses touched and the legal basis); ``clauses/models.yaml`` holds each model's benefit profile
from the source report. This module only evaluates them.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts import cache, conditions
from contracts.answers import MODEL_IDS, Answers, AnswersError
from contracts.library import LibraryError, Text, read_folder, resolve, strings_in, text_conditions, text_strings
from contracts.sources import Registry, SourcesError, default_registry, load_registry

SEVERITIES = ("高", "中", "低")


class _Spec(BaseModel):
    # defer_build: the validators are built on first validation (a cache miss), not when the module is imported.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RuleSpec(_Spec):
    id: str
    severity: Literal["高", "中", "低"]
    block: bool = False  # the deal may not be drafted at all (e.g. 仮名加工情報 to a third party)
    field: str | None = None  # the answer to change, named in the error when the rule blocks
    when: dict[str, Any]
    message: Text  # a string, or pieces chosen by conditions (contracts.library.Text); Jinja interpolates only
    action: Text
    clauses: list[str] = Field(default_factory=list)
    basis: list[str] = Field(min_length=1)  # ids of clauses/sources.yaml (see contracts.sources)


class ProfileSpec(_Spec):
    id: Literal["hackathon", "paid_consulting", "joint_research", "data_provision"]
    label: str
    benefits: dict[Literal["money", "talent", "pr", "deliverables", "research"], int]
    returns: str  # what comes back to the provider, in the report's words (paraphrased)
    provider_cost_yen: int  # a typical outlay for the provider (0 when the provider earns)
    recipients: Literal["few", "some", "many"]
    control: Literal["low", "medium", "high"]
    exposure: Literal["low", "medium", "high"]
    note: str


class RiskFile(_Spec):
    rules: list[RuleSpec] = Field(default_factory=list)
    profiles: list[ProfileSpec] = Field(default_factory=list)
    goal_labels: dict[str, str] = Field(default_factory=dict)
    recipients_min: dict[str, int] = Field(default_factory=dict)  # fewest recipients a model typically involves


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    block: bool
    message: str
    action: str
    clauses: tuple[str, ...]
    basis: tuple[str, ...]  # display strings (民法第415条 …), not registry ids

    def as_dict(self) -> dict:
        return asdict(self)


class RiskBook:
    """All rules and profiles of the library."""

    def __init__(self, data: RiskFile, registry: Registry | None = None, codes: dict[str, bytes] | None = None):
        """``codes``: the rule texts compiled ahead (contracts.cache)."""
        self.data = data
        self._codes = codes or {}
        self.rules = data.rules
        self._registry = registry
        self.profiles = {p.id: p for p in data.profiles}
        self.goal_labels = data.goal_labels
        self.recipients_min = data.recipients_min
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self._compiled: dict[str, Any] = {}

    @property
    def registry(self) -> Registry:
        """The legal sources the rules cite: the folder's sources.yaml, else the shipped one."""
        return self._registry if self._registry is not None else default_registry()

    def say(self, text: Text, ctx: dict, answers: Answers) -> str:
        """A message or action for these answers: the pieces their conditions select, each rendered, joined."""
        return "".join(self.render(s, ctx) for s in resolve(text, answers)).strip()

    def render(self, text: str, ctx: dict) -> str:
        """Render one string of a message or action; each is compiled once per process."""
        tpl = self._compiled.get(text)
        if tpl is None:
            code = self._codes.get(text)
            tpl = cache.template_from_code(self.env, code) if code else self.env.from_string(text)
            self._compiled[text] = tpl
        return tpl.render(ctx).strip()

    def texts(self) -> list[str]:
        """Every rule text that renders as a template (for compiling them ahead)."""
        return sorted({t for t in strings_in(self.data) if "{" in t})


def load_riskbook(directory: Path | None = None) -> RiskBook:
    merged: dict[str, Any] = {"rules": [], "profiles": [], "goal_labels": {}, "recipients_min": {}}
    for raw in read_folder(directory).values():
        for key in merged:
            if key in raw:
                if isinstance(merged[key], list):
                    merged[key] += raw[key]
                else:
                    merged[key].update(raw[key])
    try:
        registry = load_registry(directory)
    except SourcesError as exc:
        raise LibraryError(str(exc)) from None
    try:
        return RiskBook(RiskFile.model_validate(merged), registry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LibraryError(f"risk rules: {where}: {first['msg']} ({len(exc.errors())} problem(s))") from None


def default_riskbook() -> RiskBook:
    """The shipped rules and profiles, loaded once per process (from the cross-process cache when current)."""
    return cache.shipped().riskbook


def findings(answers: Answers, book: RiskBook | None = None, present: set[str] | None = None) -> list[Finding]:
    """Every rule whose condition holds, most severe first (blocks before everything).

    ``present``: the clause ids in this deal's documents; a finding then names only those clauses.
    """
    book = book or default_riskbook()
    ctx = {"data": answers.data, "deal": answers.deal, "model": answers.model, "parties": answers.parties}
    out = []
    for rule in book.rules:
        if conditions.evaluate(rule.when, answers):
            out.append(
                Finding(
                    rule=rule.id,
                    severity=rule.severity,
                    block=rule.block,
                    message=book.say(rule.message, ctx, answers),
                    action=book.say(rule.action, ctx, answers),
                    clauses=tuple(c for c in rule.clauses if present is None or c in present),
                    basis=tuple(book.registry.label(b) for b in rule.basis),
                )
            )
    return sorted(out, key=lambda f: (not f.block, SEVERITIES.index(f.severity), f.rule))


def refuse_blocked(answers: Answers, book: RiskBook | None = None) -> None:
    """A deal the law does not allow is refused with the answer to change, never silently drafted."""
    book = book or default_riskbook()
    by_id = {r.id: r for r in book.rules}
    blocked = [f for f in findings(answers, book) if f.block]
    if blocked:
        raise AnswersError(
            "answers",
            [(by_id[f.rule].field or "(deal)", f"{f.message} 対応: {f.action}") for f in blocked],
        )


def check_rules(book: RiskBook, clause_ids: set[str], on_date: _dt.date | None = None) -> list[str]:
    """Every problem in the rules and profiles; cited sources are checked as of ``on_date`` (default: today)."""
    errors = []
    seen = set()
    for r in book.rules:
        where = f"rule {r.id}"
        if r.id in seen:
            errors.append(f"{where}: duplicate rule id")
        seen.add(r.id)
        errors += conditions.problems(r.when, f"{where}.when")
        if r.field and not conditions.field_exists(r.field):
            errors.append(f"{where}.field: answers field '{r.field}' does not exist")
        if r.block and not r.field:
            errors.append(f"{where}: a blocking rule must name the answers field to change")
        for cid in r.clauses:
            if cid not in clause_ids:
                errors.append(f"{where}: clause '{cid}' does not exist")
        errors += book.registry.problems(r.basis, f"{where}.basis", on_date)
        for name in ("message", "action"):
            for w, cond in text_conditions(getattr(r, name), f"{where}.{name}"):
                errors += conditions.problems(cond, w)
        for text in text_strings(r.message) + text_strings(r.action):
            try:
                book.env.parse(text)
            except Exception as exc:  # noqa: BLE001 - any template error is a lint error
                errors.append(f"{where}: template error: {exc}")
    missing = [m for m in MODEL_IDS if m not in book.profiles]
    if missing:
        errors.append(f"model profiles missing for: {', '.join(missing)}")
    return errors
