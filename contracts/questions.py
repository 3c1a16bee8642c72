"""What to ask about a deal and when: the questions of the answers file, shared by every front end.

The terminal interview (``cli/interview.py``) and the browser questionnaire (``web/``) ask the same questions with
the same words: each question, explanation, choice list and default comes from the answers model through
``contracts.vocabulary`` (``entry(path).question(lang)``, ``.headline``, ``.values``, ``.meanings``, ``.default``),
never from a copy. What this module adds is *relevance* — ``rules()`` says when an earlier answer makes a field
irrelevant (no representative for an individual, no fee amount for a free deal, only the chosen model's
``deal.<section>``) and which answers a rule needs first — and, for forms, the sections of the questionnaire, the
reading of what a person typed (full-width digits, 2027年4月1日, one entry per line) and the Japanese wording of the
problems ``validate_answers`` reports.

Light on purpose: nothing heavy is imported at module level (``keiyaku --help`` imports the interview, which imports
this), the answers model is imported inside the functions that need it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Protocol

# --------------------------------------------------------------------------- relevance


class Answered(Protocol):
    """What a relevance rule reads: the answers so far (the interview, or a form's values)."""

    def get(self, path: str) -> Any: ...

    def effective_model(self, resolve: bool = True) -> str | None: ...


@dataclass(frozen=True)
class Rule:
    needs: tuple[str, ...]  # answers the rule reads; asked first if not yet answered
    ask: Callable[[Answered], bool]  # False: the field is irrelevant and is neither asked nor written


def _value_is(path: str, *values) -> Rule:
    return Rule((path,), lambda iv: iv.get(path) in values)


def _value_is_not(path: str, *values) -> Rule:
    return Rule((path,), lambda iv: iv.get(path) not in values)


def _section_rule(model: str) -> Rule:
    return Rule(("model",), lambda iv: iv.effective_model() == model)


def _required_when(prefix: str, req) -> Rule:
    when = f"{prefix}.{req.when}" if prefix else req.when
    return Rule((when,), lambda iv: req.applies(iv.get(when)))


def rules() -> dict[str, Rule]:
    """Field path (without list indexes) -> when it is asked. A rule without ``needs`` never asks its field: the
    field is an expert setting kept as the answers file gives it (``deal.choices``, ``deal.version``).

    Derived from the answers model where it states the condition: a field its section's validator requires for
    some values of another field (``Requirement``: a representative unless the party is an individual, the fee
    amount for a fixed or per-learner fee, the cap amount for a fixed cap) is asked for those values only, and
    each model's deal section (``SECTION_FOR_MODEL``) for that model only. The rest are written here: they say
    when an answer *matters* (is read by the drafts), which no validator checks."""
    from contracts.vocabulary import SECTION_FOR_MODEL, requirements

    found = {
        "schema_version": Rule((), lambda iv: False),  # always the current version
        "deal.choices": Rule((), lambda iv: False),  # expert setting, edit the file (see `keiyaku clauses show`)
        "deal.version": Rule((), lambda iv: False),  # set per negotiation round in the file; the first draft is 第1版
        "deal.goals": _value_is("model", "auto"),  # only used to recommend a model
        "deal.constraints": _value_is("model", "auto"),
        "data.sensitive": _value_is_not("data.personal_info", "none"),
        "data.anonymized_publication": _value_is("data.personal_info", "anonymized"),
        "deal.publication.review_days": _value_is("deal.publication.allowed", True),
        "deal.deletion.certificate": _value_is_not("deal.deletion.method", "return"),
        "deal.hackathon.prize_payer": Rule(("deal.hackathon.prizes",), lambda iv: bool(iv.get("deal.hackathon.prizes"))),
        "deal.research.non_practice_compensation": _value_is("deal.research.results_owner", "joint"),
        "deal.research.royalty_percent": _value_is("deal.research.non_practice_compensation", "royalty"),
        "deal.research.in_house_royalty_percent": _value_is("deal.research.non_practice_compensation", "royalty"),
        # how learners are recruited and paid changes the documents of the consulting model only
        "deal.learners.selection": _section_rule("paid_consulting"),
        "deal.learners.paid": _section_rule("paid_consulting"),
    }
    for side in ("provider", "recipient"):
        found[f"parties.{side}.acts_as_business"] = _value_is(f"parties.{side}.kind", "individual")
        found[f"parties.{side}.role_name"] = _value_is("parties.naming", "roles")
    for prefix, req in requirements():
        found[f"{prefix}.{req.field}" if prefix else req.field] = _required_when(prefix, req)
    for model, section in SECTION_FOR_MODEL.items():
        found[f"deal.{section}"] = _section_rule(model)
    return found


def suggested_default(iv: Answered, path: str) -> Any:
    """Defaults that depend on earlier answers (the model's own defaults otherwise)."""
    model = iv.effective_model(resolve=False)
    if path == "deal.fee.kind" and model == "joint_research":
        return "free"  # the research costs are in deal.research
    if path == "parties.recipient.kind" and model == "joint_research":
        return "national_university"
    return None


def value_at(data: dict, path: str) -> Any:
    """The answer at ``path`` in plain answers data, or the field's default when it is not (or will not be) given."""
    from contracts.vocabulary import entry, is_index, split_path

    node: Any = data
    value: Any = None
    names: list[str] = []
    for part in split_path(path):
        if is_index(part):
            return None  # an entry of a list has no default
        names.append(part)
        try:
            field = entry(".".join(names))
        except KeyError:
            field = None  # a key of a mapping (deal.choices)
        if isinstance(node, dict) and part in node:
            value = node[part]
        elif field is not None and field.optional:
            value = field.default()
            if hasattr(value, "model_dump"):
                value = value.model_dump()
        else:
            return None
        node = value
    return value


class Values:
    """Plain answers data as a relevance rule reads it (``model: auto`` has no section until a model is chosen)."""

    def __init__(self, data: dict):
        self.data = data

    def get(self, path: str) -> Any:
        return value_at(self.data, path)

    def effective_model(self, resolve: bool = True) -> str | None:
        model = self.data.get("model")
        return None if model == "auto" else model


# --------------------------------------------------------------------------- the questionnaire as forms


@dataclass(frozen=True)
class Section:
    key: str  # parties | data | deal | the model's own section (course, hackathon, consulting, research)
    path: str  # where its fields live: parties, data, deal, deal.course …
    title: str  # from the answers model: 当事者, 提供データ, 取引の条件, データ提供型で教材を作る講座 …


BASICS = Section("basics", "", "契約の型と立場")


@dataclass(frozen=True)
class Question:
    """One thing a form asks. ``kind`` is how it is answered:

    text, int, float, date — one line; lines — one entry per line (a list of texts); choice — one of ``options``;
    multi — any of ``options``; bool — はい/いいえ; group — the fields of a sub-section (``children``);
    entries — a list of sub-sections, one row per entry (``rows``: the children of each row, the last one blank).
    """

    path: str  # dotted, with list indexes: parties.provider.name, deal.hackathon.prizes[0].rank
    kind: str
    label: str  # the question, without the choices it spells out
    help: str  # the field's description, without its list of choices
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (value, meaning); "" for 指定しない on an optional choice
    default: str | None = None  # the default as form text
    children: tuple[Question, ...] = ()
    rows: tuple[tuple[Question, ...], ...] = ()

    def leaves(self):
        if self.kind == "group":
            for c in self.children:
                yield from c.leaves()
        elif self.kind == "entries":
            for row in self.rows:
                for c in row:
                    yield from c.leaves()
        else:
            yield self


def _model_sections() -> dict[str, str]:
    from contracts.vocabulary import SECTION_FOR_MODEL

    return dict(SECTION_FOR_MODEL)


def _short_title(text: str) -> str:
    return re.split(r"[（(]", text, maxsplit=1)[0].strip() or text


def sections(model: str | None) -> list[Section]:
    """The questionnaire's sections for a model: 当事者, 提供データ, 取引の条件 and the model's own section."""
    from contracts.vocabulary import entry

    out = [Section(name, name, _short_title(entry(name).info.description or name)) for name in ("parties", "data", "deal")]
    own = _model_sections().get(model or "")
    if own:
        out.append(Section(own, f"deal.{own}", _short_title(entry(f"deal.{own}").info.description or own)))
    return out


def section_of(path: str, model: str | None) -> Section | None:
    """The section whose form shows the field at ``path`` (None for a problem of the whole file)."""
    generic = re.sub(r"\[\d+\]", "", path)
    best = None
    for s in [BASICS, *sections(model)]:
        if s.path == "":
            if "." not in generic and generic in ("model", "stance"):
                best = s
        elif generic == s.path or generic.startswith(s.path + "."):
            if best is None or len(s.path) > len(best.path):
                best = s
    return best


def _class_at(path: str):
    from contracts.answers import Answers
    from contracts.vocabulary import annotation_at

    return Answers if not path else annotation_at(path)


def _text_of(value: Any) -> str | None:
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_RULES: dict[str, Rule] | None = None


def _rules_cached() -> dict[str, Rule]:
    global _RULES
    if _RULES is None:
        _RULES = rules()
    return _RULES


def _question(field, path: str, values: Values, rows: Callable[[str], int]) -> Question | None:
    """The question for the field at ``path`` (a ``contracts.vocabulary.Entry``)."""
    from contracts.vocabulary import without_values

    label = field.question("ja").replace("のまま Enter", "のまま")  # a form has no Enter to press
    required = field.required
    if field.shape == "mapping":
        return None  # mappings (deal.choices) are edited in the file
    if field.shape == "model":
        children = _walk(field.model, path, values, rows)
        return Question(path, "group", field.headline("ja"), label, required, children=children)
    if field.shape == "list":
        if field.model is not None:
            n = rows(path)
            all_rows = tuple(_walk(field.model, f"{path}[{i}]", values, rows) for i in range(n + 1))
            return Question(path, "entries", field.headline("ja"), label, required, rows=all_rows)
        if field.values:
            options = tuple(str(o) for o in field.values)
            meanings = field.meanings("ja")
            label = label.replace("を1行に1つずつ選んでください", "をすべて選んでください")  # ticked, not typed
            return Question(path, "multi", without_values(label, options, "ja"), field.headline("ja"),
                            required, tuple((o, meanings.get(o, "")) for o in options))
        return Question(path, "lines", label, field.headline("ja"), required)
    suggested = suggested_default(values, re.sub(r"\[\d+\]", "", path))
    default = suggested if suggested is not None else field.default()
    default_text = _text_of(default) if not isinstance(default, (list, dict)) else None
    if field.values:
        options = tuple(str(o) for o in field.values)
        meanings = field.meanings("ja")
        pairs = tuple((o, meanings.get(o, "")) for o in options)
        if not required and default is None:
            pairs = (("", "指定しない"),) + pairs
        return Question(path, "choice", without_values(label, options, "ja"), field.headline("ja"),
                        required, pairs, default_text)
    import datetime as dt

    simple = {bool: "bool", int: "int", float: "float", dt.date: "date"}.get(field.annotation, "text")
    return Question(path, simple, label, field.headline("ja"), required, default=default_text)


def _walk(cls, prefix: str, values: Values, rows: Callable[[str], int], skip: tuple[str, ...] = ()) -> tuple[Question, ...]:
    from contracts.vocabulary import entry

    rules_ = _rules_cached()
    out = []
    for name in cls.model_fields:
        if name in skip:
            continue
        path = f"{prefix}.{name}" if prefix else name
        rule = rules_.get(re.sub(r"\[\d+\]", "", path))
        if rule is not None and not rule.ask(values):
            continue
        q = _question(entry(path), path, values, rows)
        if q is not None:
            out.append(q)
    return tuple(out)


def form(section: Section, data: dict, rows: Callable[[str], int] | None = None) -> tuple[Question, ...]:
    """The questions of one section that this deal needs, given the answers so far (``data``, plain).

    ``rows(path)`` tells how many entries a list of sub-sections has (default: as many as ``data`` holds); the form
    shows one more, blank, for a new entry.
    """
    from contracts.answers import Answers
    from contracts.vocabulary import entries

    values = Values(data)
    count = rows or (lambda path: len(value_at(data, path) or []))
    if section.key == "basics":
        names = tuple(e.name for e in entries() if "." not in e.path and e.shape == "model")
        return _walk(Answers, "", values, count, skip=names)
    skip = tuple(_model_sections().values()) if section.path == "deal" else ()
    return _walk(_class_at(section.path), section.path, values, count, skip=skip)


def ask_at(paths: tuple[str, ...], data: dict) -> tuple[Question, ...]:
    """Questions for named fields wherever they live (the model recommendation asks a few from two sections)."""
    from contracts.vocabulary import entry

    values = Values(data)
    count = lambda path: len(value_at(data, path) or [])  # noqa: E731
    out = []
    for path in paths:
        q = _question(entry(path), path, values, count)
        if q is not None:
            out.append(q)
    return tuple(out)


# --------------------------------------------------------------------------- form text <-> answers

RawValue = str | list  # what a form holds for one field: its text, or the values ticked
MAX_TEXT = 10_000  # characters in one field of a form


def askable(path: str) -> bool:
    """True if a form may set the field at ``path``: a single value or a list of values somewhere in the answers
    model (list indexes within MAX_LIST_ENTRIES), not a section, not a mapping, not an expert setting."""
    from contracts.answers import MAX_LIST_ENTRIES
    from contracts.vocabulary import annotation_at as type_at
    from contracts.vocabulary import is_index, is_model, split_path, unwrap

    if not isinstance(path, str) or len(path) > 200:
        return False
    try:
        parts = split_path(path)
        kind = type_at(path)
    except (KeyError, ValueError):
        return False
    if not re.fullmatch(r"[a-z_]+(\.[a-z_]+|\[\d{1,2}\])*", path):
        return False  # one spelling: deal.hackathon.prizes[0].rank
    if any(is_index(p) and int(p) >= MAX_LIST_ENTRIES for p in parts):
        return False
    if _expert(path):
        return False
    if is_model(kind) or typing.get_origin(kind) is dict:
        return False
    if typing.get_origin(kind) is list and is_model(unwrap(typing.get_args(kind)[0])):
        return False
    return True


def _expert(path: str) -> bool:
    """True for a field no form asks (a rule without ``needs``: deal.choices, deal.version …), or one inside it."""
    generic = re.sub(r"\[\d+\]", "", path)
    return any(not rule.needs and (generic == prefix or generic.startswith(prefix + "."))
               for prefix, rule in _rules_cached().items())


def parse(path: str, raw: RawValue) -> Any:
    """Form text -> the field's value; ValueError with a Japanese message that says how to write it.

    Numbers accept full-width digits, thousands separators and 円; dates 2027-04-01, 2027/4/1 and 2027年4月1日;
    a list one entry per line. Text is kept as written. Returns None for an empty answer (the field is left out).
    """
    from contracts.vocabulary import annotation_at, unwrap

    kind = annotation_at(path)
    origin = typing.get_origin(kind)
    if origin is list:
        item = unwrap(typing.get_args(kind)[0])
        entries = raw if isinstance(raw, list) else str(raw).splitlines()
        out = []
        for entry in entries:
            if str(entry).strip():
                out.append(parse_scalar(item, str(entry), path))
        return out or None
    if isinstance(raw, list):
        raise ValueError(_catalogue("value.one_only", "値を一つだけ指定してください"))
    if not raw.strip():
        return None
    return parse_scalar(kind, raw, path)


def parse_scalar(kind, text: str, path: str | None = None) -> Any:
    """One value, read by the shared lenient parser (``contracts.batch.convert`` → ``contracts.parse``, as the
    answers file, ``keiyaku init`` and ``keiyaku batch`` read it), with its message from the catalogue."""
    from contracts.batch import CellError, convert

    try:
        return convert(text, kind, path)
    except CellError as exc:
        raise ValueError(message_ja(str(exc))) from None


def flatten(data: dict) -> dict[str, RawValue]:
    """Plain answers data (an answers file) -> form text per field path; ``build`` reads it back."""
    from contracts.answers import Answers
    from contracts.vocabulary import entry

    out: dict[str, RawValue] = {}

    def visit(cls, node: dict, prefix: str) -> None:
        for name, value in node.items():
            if name not in cls.model_fields or value is None:
                continue
            path = f"{prefix}.{name}" if prefix else name
            field = entry(path)
            if field.shape == "model" and isinstance(value, dict):
                visit(field.model, value, path)
            elif field.shape == "mapping" and isinstance(value, dict):
                for key, v in value.items():
                    out[f"{path}.{key}"] = str(v)
            elif field.shape == "list" and isinstance(value, list):
                if field.model is not None:
                    for i, entry_ in enumerate(value):
                        if isinstance(entry_, dict):
                            visit(field.model, entry_, f"{path}[{i}]")
                elif field.values:
                    out[path] = [str(v) for v in value]
                else:
                    out[path] = "\n".join(_text_of(v) or "" for v in value)
            else:
                text = _text_of(value)
                if text is not None:
                    out[path] = text

    visit(Answers, data, "")
    return out


def compact(raw: dict[str, RawValue]) -> dict[str, RawValue]:
    """Entries of a list of sub-sections renumbered 0, 1, 2 … with the blank ones dropped (an emptied row is gone)."""
    rows: dict[str, dict[int, dict[str, RawValue]]] = {}
    plain: dict[str, RawValue] = {}
    pattern = re.compile(r"^(.*?)\[(\d+)\](\..*)$")
    for path, value in raw.items():
        m = pattern.match(path)
        if not m:
            plain[path] = value
            continue
        rows.setdefault(m[1], {}).setdefault(int(m[2]), {})[m[3]] = value
    for base, entries in rows.items():
        n = 0
        for index in sorted(entries):
            fields = entries[index]
            if not any((v.strip() if isinstance(v, str) else v) for v in fields.values()):
                continue
            for rest, value in fields.items():
                plain[f"{base}[{n}]{rest}"] = value
            n += 1
    return plain


def row_count(raw: dict[str, RawValue], path: str) -> int:
    """How many entries the list of sub-sections at ``path`` has in the form text."""
    found = {int(m[1]) for p in raw for m in [re.match(re.escape(path) + r"\[(\d+)\]\.", p)] if m}
    return max(found) + 1 if found else 0


@dataclass
class Built:
    """The answers a form's text makes: ``data`` only what the form shows for this deal, ``problems`` each
    (field path, Japanese message), ``answers`` the validated answers when there is no problem."""

    data: dict
    problems: list[tuple[str, str]]
    answers: Any = None
    shown: set[str] = dc_field(default_factory=set)
    missing: set[str] = dc_field(default_factory=set)  # paths whose problem is only that nothing was entered yet


def _shown_paths(data: dict, keep: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(leaf paths, group paths) the forms show for these answers, plus ``keep`` (asked on another page)."""
    leaves: set[str] = set()
    groups: set[str] = set()

    def visit(qs):
        for q in qs:
            if q.kind == "group":
                groups.add(q.path)
                visit(q.children)
            elif q.kind == "entries":
                for row in q.rows:
                    visit(row)
            else:
                leaves.add(q.path)

    model = data.get("model")
    for s in [BASICS, *sections(model if isinstance(model, str) else None)]:
        if s.path:
            groups.add(s.path)  # an empty section: each of its required fields is named, not the section
        visit(form(s, data))
    if keep:
        visit(ask_at(keep, data))
    return leaves, groups


def _nested(parsed: dict[str, Any], include: Callable[[str], bool]) -> dict:
    from contracts.batch import apply_override

    data: dict = {}
    for path in sorted(parsed, key=_order_key):
        if include(path):
            apply_override(data, path, parsed[path])
    return data


def _order_key(path: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]


def build(raw: dict[str, RawValue], keep: tuple[str, ...] = ()) -> Built:
    """Form text -> answers: each field read, what this deal does not ask left out (a fee amount once the deal is
    free: kept in the form text, so it comes back when the deal is paid again), the whole validated.

    ``keep`` names fields asked elsewhere than in the sections (the goals and constraints of the recommendation).
    Fields no form asks (``deal.choices``, ``deal.version`` from an imported file) are kept as given.
    """
    from contracts.answers import AnswersError, validate_answers

    parsed: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for path, value in raw.items():
        try:
            v = parse(path, value)
        except ValueError as exc:
            problems.append((path, str(exc)))
            continue
        except KeyError:
            problems.append((path, _catalogue("field.unknown", "この項目は回答ファイルにありません")))
            continue
        if v is not None:
            parsed[path] = v
    failed = {p for p, _ in problems}
    as_given = _expert

    def kept(path: str) -> bool:
        return any(path == k or path.startswith(k + ".") or path.startswith(k + "[") for k in keep)

    data = _nested(parsed, lambda p: True)
    leaves: set[str] = set()
    for _ in range(6):  # a field left out can make another irrelevant: settle
        leaves, groups = _shown_paths(data, keep)
        narrowed = _nested(parsed, lambda p, leaves=leaves: p in leaves or as_given(p) or kept(p))
        for g in sorted(groups, key=_order_key):
            _ensure_group(narrowed, g)
        if narrowed == data:
            break
        data = narrowed
    problems = [(p, m) for p, m in problems if p in leaves or kept(p)]
    try:
        answers = validate_answers(data, "form")
    except AnswersError as exc:
        missing = _missing(exc) - failed
        for path, msg in exc.problems:
            if path in failed:
                continue  # the field's own reading problem says more than "missing"
            problems.append((path, message_ja(msg)))
        return Built(data, problems, None, leaves, missing)
    if problems:
        return Built(data, problems, None, leaves)
    return Built(data, [], answers, leaves)


def _ensure_group(data: dict, path: str) -> None:
    from contracts.vocabulary import split_path

    node: Any = data
    for part in split_path(path):
        if isinstance(node, list):
            index = int(part)
            if index >= len(node):
                return
            node = node[index]
            continue
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(part), (dict, list)):
            node[part] = {}
        node = node[part]


# --------------------------------------------------------------------------- messages in Japanese

_BILINGUAL = re.compile(r"^(?P<ja>.*[^\x00-\x7f].*?)\s*\((?P<en>[\x00-\x7f]+)\)\s*$", re.S)


def _catalogue(key: str, fallback: str, **params) -> str:
    """A message of the catalogue (contracts/messages.yaml) in Japanese."""
    try:
        from contracts.messages import text
    except ImportError:  # pragma: no cover - the catalogue ships with the core
        return fallback
    return text(key, "ja", **params)


def message_ja(message: str) -> str:
    """A problem as a Japanese form shows it. The core words its problems in the language in use (Japanese unless
    set otherwise, ``contracts.messages``); a message written 「日本語 (English)」 shows its Japanese half."""
    message = str(message).strip()
    m = _BILINGUAL.match(message)
    return m["ja"].strip() if m else message


def _missing(exc) -> set[str]:
    """The paths of an AnswersError whose problem is only that nothing was given (the catalogue's keys)."""
    details = getattr(exc, "details", None)
    if details is not None:
        return {d.path for d in details if getattr(d, "key", None) in ("field.missing", "value.empty_list")}
    return {p for p, m in exc.problems if m == "required field is missing" or m.startswith("List should have at least")}


# --------------------------------------------------------------------------- the model recommendation

RECOMMEND_ASKS = ("deal.goals", "deal.constraints", "data.personal_info", "data.know_how")
"""What the recommendation reads (contracts.recommend.rank): the goals and constraints, and whether the data carries
personal information or know-how. A form that recommends asks these before the sections."""


def recommendation(data: dict):
    """(ranking, verdict) for the goals and constraints in ``data`` (plain, possibly partial), or None without goals.

    The sections need not be complete: what ``rank`` reads of the data defaults to the field defaults."""
    from types import SimpleNamespace

    from pydantic import ValidationError

    from contracts.answers import Constraints, Learners
    from contracts.recommend import rank, verdict

    values = Values(data)
    goals = list(values.get("deal.goals") or [])
    if not goals:
        return None
    deal = data.get("deal") if isinstance(data.get("deal"), dict) else {}
    try:
        constraints = Constraints.model_validate(deal.get("constraints") or {})
    except ValidationError:
        constraints = Constraints()
    try:
        learners = Learners.model_validate(deal.get("learners") or {})
    except ValidationError:
        learners = None
    ns = SimpleNamespace(
        data=SimpleNamespace(know_how=bool(values.get("data.know_how")), personal_info=values.get("data.personal_info"),
                             sensitive=bool(values.get("data.sensitive"))),
        deal=SimpleNamespace(goals=goals, constraints=constraints, learners=learners, research=None),
    )
    ranking = rank(ns)
    return ranking, verdict(ranking)
