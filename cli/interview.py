"""`keiyaku init` (the guided interview) and `keiyaku schema` (the JSON Schema of the answers file).

The interview has no list of questions of its own: it walks the pydantic answers model field by field,
recursing into sub-models, and takes each question, explanation, choice list and default from the field
(``description``, ``json_schema_extra["question"]``, ``description_en``, the Literal values, the default).
What it adds is *relevance*: ``RULES`` says when an earlier answer makes a field irrelevant (no
representative for an individual, no fee amount for a free deal, only the chosen model's ``deal.<section>``),
and which answers a rule needs first, so that those are asked before the field that depends on them.

Nothing is written until the very end, and then atomically: an interrupted interview leaves no file.
"""

from __future__ import annotations

import json
import os
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import click

from cli.errors import Failure, errors_to_exit

SCHEMA_FILE = "answers.schema.json"
SCHEMA_ID = "urn:keiyaku:answers-schema:v1"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MODELS = ("hackathon", "paid_consulting", "joint_research", "data_provision", "auto")
_OMIT = object()  # an optional field left empty: not written to the file


# --------------------------------------------------------------------------- texts from the model


def _extra(field) -> dict:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def question(field, lang: str) -> str:
    q = _extra(field).get("question") or {}
    return q.get(lang) or q.get("ja") or description(field, lang)


def description(field, lang: str) -> str:
    if lang == "en":
        return _extra(field).get("description_en") or field.description or ""
    return field.description or _extra(field).get("description_en") or ""


_MEANING_JA = re.compile(r"([a-z_0-9]+)（([^）]*)）")
_MEANING_EN = re.compile(r"([a-z_0-9]+) \(([^)]*)\)")


def choice_meanings(field, options: tuple, lang: str) -> dict[str, str]:
    """What each Literal value means, as the field's description (or question) says: ``value（意味）``."""
    pattern = _MEANING_EN if lang == "en" else _MEANING_JA
    found: dict[str, str] = {}
    for text in (description(field, lang), question(field, lang)):
        for value, meaning in pattern.findall(text):
            if value in map(str, options):
                found.setdefault(value, meaning)
    return found


def _without_choices(text: str, options: tuple | None, lang: str) -> str:
    """A question that spells out its choices, shown without them (they are listed below it)."""
    if not options:
        return text
    m = (_MEANING_EN if lang == "en" else _MEANING_JA).search(text)
    if m and m.group(1) in map(str, options) and m.start() > 0:
        return text[: m.start()].rstrip(" 　:")
    return text


def headline(field, lang: str, options: tuple | None = None) -> str:
    """The description without its list of choices: the part before ``:`` when a choice list follows."""
    text = description(field, lang)
    head, sep, rest = text.partition(": ")
    if sep and ((_MEANING_EN if lang == "en" else _MEANING_JA).search(rest)
                or (options and rest.split(",")[0].strip() in map(str, options))):
        return head
    return text


# --------------------------------------------------------------------------- relevance


@dataclass(frozen=True)
class Rule:
    needs: tuple[str, ...]  # answers the rule reads; asked first if not yet answered
    ask: Callable[["Interview"], bool]  # False: the field is irrelevant and is neither asked nor written


def _value_is(path: str, *values) -> Rule:
    return Rule((path,), lambda iv: iv.get(path) in values)


def _value_is_not(path: str, *values) -> Rule:
    return Rule((path,), lambda iv: iv.get(path) not in values)


def _section_rule(model: str) -> Rule:
    return Rule(("model",), lambda iv: iv.effective_model() == model)


def _rules() -> dict[str, Rule]:
    from contracts.answers import _SECTION_FOR_MODEL

    rules = {
        "schema_version": Rule((), lambda iv: False),  # always the current version
        "deal.choices": Rule((), lambda iv: False),  # expert setting, edit the file (see `keiyaku clauses show`)
        "deal.version": Rule((), lambda iv: False),  # set per negotiation round in the file; the first draft is 第1版
        "deal.goals": _value_is("model", "auto"),  # only used to recommend a model
        "deal.constraints": _value_is("model", "auto"),
        "data.sensitive": _value_is_not("data.personal_info", "none"),
        "data.anonymized_publication": _value_is("data.personal_info", "anonymized"),
        "deal.fee.amount_yen": _value_is("deal.fee.kind", "fixed", "per_learner"),
        "deal.fee.percent": _value_is("deal.fee.kind", "revenue_share"),
        "deal.fee.due": _value_is_not("deal.fee.kind", "free"),
        "deal.liability_cap.amount_yen": _value_is("deal.liability_cap.kind", "fixed"),
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
        rules[f"parties.{side}.representative"] = _value_is_not(f"parties.{side}.kind", "individual")
        rules[f"parties.{side}.acts_as_business"] = _value_is(f"parties.{side}.kind", "individual")
        rules[f"parties.{side}.role_name"] = _value_is("parties.naming", "roles")
    for model, section in _SECTION_FOR_MODEL.items():
        rules[f"deal.{section}"] = _section_rule(model)
    return rules


def _suggested_default(iv: "Interview", path: str) -> Any:
    """Defaults that depend on earlier answers (the model's own defaults otherwise)."""
    model = iv.effective_model(resolve=False)
    if path == "deal.fee.kind" and model == "joint_research":
        return "free"  # the research costs are in deal.research
    if path == "parties.recipient.kind" and model == "joint_research":
        return "national_university"
    return None


# --------------------------------------------------------------------------- the interview


class Interrupted(Exception):
    pass


def _unwrap(annotation):
    from contracts.batch import unwrap

    return unwrap(annotation)


def _is_model(annotation) -> bool:
    from contracts.batch import is_model

    return is_model(annotation)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class Interview:
    """Asks what the answers file still lacks; ``data`` holds the answers as plain values."""

    def __init__(self, lang: str = "ja", data: dict | None = None, echo=click.echo, prompt=click.prompt):
        self.lang = lang
        self.data: dict = data if data is not None else {}
        self.echo = echo
        self.prompt = prompt
        self.done: set[str] = set()
        self.rules = _rules()
        self.asked = 0

    # ----------------------------------------------------------- small helpers

    def t(self, ja: str, en: str) -> str:
        return en if self.lang == "en" else ja

    def get(self, path: str) -> Any:
        """The answer at ``path``, or the field's default when it has not been (or will not be) asked."""
        from contracts.answers import Answers
        from contracts.batch import split_path

        node: Any = self.data
        cls: Any = Answers
        value: Any = None
        for part in split_path(path):
            field = cls.model_fields[part] if _is_model(cls) else None
            if isinstance(node, dict) and part in node:
                value = node[part]
            elif field is not None and not field.is_required():
                value = field.get_default(call_default_factory=True)
                if hasattr(value, "model_dump"):
                    value = value.model_dump()
            else:
                return None
            node = value
            cls = _unwrap(field.annotation) if field is not None else None
        return value

    def effective_model(self, resolve: bool = True) -> str | None:
        model = self.data.get("model")
        if model == "auto" and resolve:
            self.resolve_auto()
            model = self.data.get("model")
        return model

    def relevant(self, path: str) -> bool:
        rule = self.rules.get(path)
        if rule is None:
            return True
        for need in rule.needs:
            self.ask_path(need)
        return rule.ask(self)

    # ----------------------------------------------------------- walking the model

    def run(self) -> dict:
        from contracts.answers import Answers

        self.walk(Answers, self.data, "")
        return self.data

    def walk(self, cls, node: dict, prefix: str) -> None:
        if prefix == "deal" and self.data.get("model") == "auto":
            self.resolve_auto()
        for name in cls.model_fields:
            self.ask_field(cls, node, prefix, name)

    def ask_path(self, path: str) -> None:
        """Ask the field at ``path`` (and the sections on the way) unless it is answered already."""
        from contracts.answers import Answers
        from contracts.batch import split_path

        parts = split_path(path)
        cls: Any = Answers
        node: Any = self.data
        prefix = ""
        for part in parts[:-1]:
            if isinstance(node, list):
                node = node[int(part)]
                prefix = f"{prefix}[{part}]"
                continue
            field = cls.model_fields[part]
            kind = _unwrap(field.annotation)
            if typing.get_origin(kind) is list:
                cls = _unwrap(typing.get_args(kind)[0])
                node = node.setdefault(part, [])
            else:
                cls = kind
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            prefix = _join(prefix, part)
        self.ask_field(cls, node, prefix, parts[-1])

    def ask_field(self, cls, node: dict, prefix: str, name: str) -> None:
        path = _join(prefix, name)
        if path in self.done:
            return
        self.done.add(path)
        field = cls.model_fields[name]
        generic = re.sub(r"\[\d+\]", "", path)
        if not self.relevant(generic):
            return
        kind = _unwrap(field.annotation)
        origin = typing.get_origin(kind)
        given = name in node
        if origin is dict:
            return  # mappings (deal.choices) are edited in the file, not asked
        if _is_model(kind):
            if given and node[name] is None and not field.is_required():
                return  # explicitly left out in the --from file
            if not isinstance(node.get(name), dict):
                node[name] = {}
            self.section(field, path)
            self.walk(kind, node[name], path)
            return
        if origin is list and _is_model(_unwrap(typing.get_args(kind)[0])):
            item_cls = _unwrap(typing.get_args(kind)[0])
            if given and isinstance(node[name], list):
                for i, item in enumerate(node[name]):
                    if isinstance(item, dict):
                        self.walk(item_cls, item, f"{path}[{i}]")
                return
            node[name] = self.ask_entries(field, item_cls, path)
            return
        if given:
            problem = self.check(field, node[name])
            if problem is None:
                return
            self.echo(self.t(f"\n{path}: ファイルの値を使えません（{problem}）。もう一度伺います。",
                             f"\n{path}: the value in the file cannot be used ({problem}); asking again."), err=True)
        value = self.ask_value(field, path)
        if value is _OMIT:
            node.pop(name, None)
        else:
            node[name] = value

    # ----------------------------------------------------------- asking

    def section(self, field, path: str) -> None:
        self.echo("")
        self.echo(f"━━ {question(field, self.lang)}　（{path}）")

    def show(self, field, path: str, options: tuple | None) -> None:
        self.asked += 1
        self.echo("")
        self.echo(f"【{path}】{_without_choices(question(field, self.lang), options, self.lang)}")
        self.echo(f"  {headline(field, self.lang, options)}")
        if options:
            meanings = choice_meanings(field, options, self.lang)
            width = max(len(str(o)) for o in options)
            for i, option in enumerate(options, start=1):
                meaning = meanings.get(str(option), "")
                self.echo(f"    {i}) {str(option).ljust(width)}  {meaning}".rstrip())

    def _default_text(self, field, path: str, kind) -> str | None:
        suggested = _suggested_default(self, path)
        if suggested is not None:
            value = suggested
        elif field.is_required():
            return None
        else:
            value = field.get_default(call_default_factory=True)
        if value is None:
            return None
        if kind is bool:
            return "y" if value else "n"
        if isinstance(value, list):
            return None
        return str(value)

    def ask_value(self, field, path: str):
        """One scalar or one list of scalars; re-asks until the answer is valid."""
        kind = _unwrap(field.annotation)
        origin = typing.get_origin(kind)
        if origin is list:
            return self.ask_list(field, path, typing.get_args(kind)[0])
        options = typing.get_args(kind) if origin is Literal else None
        self.show(field, path, options)
        default = self._default_text(field, path, kind)
        optional = not field.is_required() and default is None
        if optional:
            self.echo(self.t("  （省略可: 空欄のまま Enter）", "  (optional: just press Enter to leave it out)"))
        hint = "y/n" if kind is bool else (self.t("番号又は値", "number or value") if options else "")
        label = "  " + self.t("回答", "Answer") + (f" ({hint})" if hint else "")

        def parse(raw: str):
            text = raw.strip()
            if not text:
                if default is not None:
                    text = default
                elif optional:
                    return _OMIT
                else:
                    raise click.BadParameter(self.t("回答が必要です。", "an answer is required."))
            return self.parse_one(field, kind, options, text, whole=True)

        return self.prompt(label, default=default if default is not None else "", show_default=default is not None,
                           value_proc=parse)

    def parse_one(self, field, kind, options, text: str, whole: bool):
        """Text -> a valid value of ``kind``; click.BadParameter (shown, then asked again) otherwise."""
        from pydantic import TypeAdapter, ValidationError

        from contracts.batch import CellError, convert

        if options and text.isdigit() and 1 <= int(text) <= len(options):
            text = str(options[int(text) - 1])
        try:
            value = convert(text, kind)
        except CellError as exc:
            if options:
                raise click.BadParameter(self.t(
                    f"{text!r} は選択肢にありません。番号（1〜{len(options)}）か値（{', '.join(map(str, options))}）を入力してください。",
                    f"{text!r} is not a choice; enter a number (1-{len(options)}) or one of: {', '.join(map(str, options))}.",
                )) from None
            if kind is bool:
                raise click.BadParameter(self.t("はい（y）かいいえ（n）で答えてください。", "answer y (yes) or n (no).")) from None
            import datetime as dt

            hint = {int: "整数で入力してください（例: 24、1,000,000）", float: "数値で入力してください（例: 12.5）",
                    dt.date: "日付を YYYY-MM-DD で入力してください（例: 2027-04-01）"}.get(kind, str(exc))
            raise click.BadParameter(self.t(f"{text!r}: {hint}。", f"{exc}.")) from None
        if whole:
            adapter = TypeAdapter(typing.Annotated[tuple([field.annotation, *field.metadata])] if field.metadata else field.annotation)
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                raise click.BadParameter(self._message(exc)) from None
        return value

    def _message(self, exc) -> str:
        err = exc.errors()[0]
        ctx = err.get("ctx") or {}
        if self.lang != "en":
            kind = err["type"]
            if kind == "greater_than_equal":
                return f"{ctx['ge']} 以上の値を入力してください。"
            if kind == "less_than_equal":
                return f"{ctx['le']} 以下の値を入力してください。"
            if kind == "greater_than":
                return f"{ctx['gt']} より大きい値を入力してください。"
            if kind == "too_short":
                return "少なくとも1件入力してください。"
        return str(err["msg"]).removeprefix("Value error, ")

    def check(self, field, value) -> str | None:
        """None if a value from the --from file is valid for the field on its own, else why not."""
        from pydantic import TypeAdapter, ValidationError

        annotation = typing.Annotated[tuple([field.annotation, *field.metadata])] if field.metadata else field.annotation
        try:
            TypeAdapter(annotation).validate_python(value)
        except ValidationError as exc:
            return self._message(exc)
        return None

    def ask_list(self, field, path: str, item_type) -> list:
        """Repeated entries, one per line, ending with an empty answer."""
        item_kind = _unwrap(item_type)
        options = typing.get_args(item_kind) if typing.get_origin(item_kind) is Literal else None
        self.show(field, path, options)
        minimum = next((getattr(m, "min_length", 0) for m in field.metadata if hasattr(m, "min_length")), 0)
        self.echo(self.t("  （1行に1件。空欄のまま Enter で終了）", "  (one per line; an empty answer ends the list)"))
        values: list = []
        from pydantic import TypeAdapter, ValidationError

        adapter = TypeAdapter(item_type)

        def parse(raw: str):
            text = raw.strip()
            if not text:
                if len(values) < minimum:
                    raise click.BadParameter(self.t("少なくとも1件入力してください。", "enter at least one."))
                return _OMIT
            value = self.parse_one(field, item_kind, options, text, whole=False)
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                raise click.BadParameter(self._message(exc)) from None

        while True:
            value = self.prompt(f"  {len(values) + 1}", default="", show_default=False, value_proc=parse)
            if value is _OMIT:
                return values
            values.append(value)

    def ask_entries(self, field, item_cls, path: str) -> list[dict]:
        """A list of sub-models: each entry starts with its first field; an empty first answer ends the list."""
        self.section(field, path)
        self.echo(f"  {headline(field, self.lang)}")
        entries: list[dict] = []
        first, *_ = item_cls.model_fields
        while True:
            item_path = f"{path}[{len(entries)}]"
            first_field = item_cls.model_fields[first]
            self.show(first_field, f"{item_path}.{first}", None)
            kind = _unwrap(first_field.annotation)

            def parse(raw: str, kind=kind, first_field=first_field):
                text = raw.strip()
                if not text:
                    return _OMIT
                return self.parse_one(first_field, kind, None, text, whole=True)

            value = self.prompt("  " + self.t("回答（空欄で終了）", "Answer (empty to finish)"), default="",
                                show_default=False, value_proc=parse)
            if value is _OMIT:
                return entries
            entry = {first: value}
            entries.append(entry)
            self.done.add(f"{item_path}.{first}")
            self.walk(item_cls, entry, item_path)

    # ----------------------------------------------------------- model: auto

    def resolve_auto(self) -> None:
        """Ask the goals and constraints, show the ranking, and let the user pick the model to draft."""
        if self.data.get("model") != "auto" or getattr(self, "_resolving", False):
            return
        self._resolving = True
        try:
            from types import SimpleNamespace

            from contracts.answers import Answers, Constraints, Data
            from contracts.recommend import rank, verdict

            self.ask_path("deal.goals")
            self.ask_path("deal.constraints")
            deal = self.data.get("deal", {})
            try:
                ns = SimpleNamespace(
                    data=Data.model_validate(self.data.get("data", {})),
                    deal=SimpleNamespace(goals=deal.get("goals", []),
                                         constraints=Constraints.model_validate(deal.get("constraints", {}))),
                )
                ranking = rank(ns)
                decision = verdict(ranking)
            except Exception:  # noqa: BLE001 - without a ranking the user simply chooses
                ranking, decision = [], None
            field = Answers.model_fields["model"]
            options = MODELS[:-1]
            self.echo("")
            if ranking:
                self.echo(self.t("■ 推奨モデル（目的と制約から）", "■ Recommended models (from the goals and constraints)"))
                self.echo(f"    {decision.text}")
                for i, r in enumerate(ranking, start=1):
                    note = "" if r.eligible else "（対象外: " + "、".join(r.excluded) + "）"
                    self.echo(f"    {i}. {r.label}（{r.model}） {r.score}点{note}")
                    for reason in r.reasons:
                        self.echo(f"         - {reason}")
            self.show(field, "model", options)
            default = decision.recommended if decision else None

            def parse(raw: str):
                text = raw.strip() or (default or "")
                if not text:
                    raise click.BadParameter(self.t("回答が必要です。", "an answer is required."))
                return self.parse_one(field, Literal[options], options, text, whole=False)

            self.data["model"] = self.prompt("  " + self.t("作成するモデル", "Model to draft"), default=default or "",
                                             show_default=bool(default), value_proc=parse)
        finally:
            self._resolving = False

    # ----------------------------------------------------------- the end

    def finish(self):
        """Validate the whole file; re-ask the fields a cross-field check or a blocking risk rule names."""
        from contracts.answers import AnswersError, validate_answers
        from contracts.batch import type_at
        from contracts.risk import refuse_blocked

        while True:
            try:
                answers = validate_answers(self.data, "answers")
                refuse_blocked(answers)
                return answers
            except AnswersError as exc:
                problems = exc.problems
            self.echo("")
            self.echo(self.t("■ 回答を見直してください:", "■ Please review these answers:"), err=True)
            for path, msg in problems:
                self.echo(f"  {path}: {msg}", err=True)
            askable = []
            for path, _ in problems:
                path = re.sub(r"\[\d+\]$", "", path)  # an entry of a list of values: ask the list again
                try:
                    kind = type_at(path)
                except KeyError:
                    continue
                if typing.get_origin(kind) is not dict:
                    askable.append(path)
            if not askable:
                raise Failure("the answers are not valid and cannot be fixed by asking again; nothing was written", 2)
            for path in askable:
                self.forget(path)
            for path in askable:
                self.ask_path(path)

    def forget(self, path: str) -> None:
        from contracts.batch import split_path

        self.done = {p for p in self.done if p != path and not p.startswith(path + ".") and not p.startswith(path + "[")}
        parts = split_path(path)
        node: Any = self.data
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.get(part)
            if node is None:
                return
        if isinstance(node, dict):
            node.pop(parts[-1], None)


# --------------------------------------------------------------------------- the answers file as YAML


def _scalar(value: Any) -> str:
    import datetime as dt

    import yaml

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    text = str(value)
    dumped = yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10**9)
    dumped = dumped.removesuffix("\n...\n").rstrip("\n")
    if "\n" in dumped:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return dumped


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def _emit(cls, node: dict, indent: int, lang: str, lines: list[str], comments: bool = True) -> None:
    """YAML lines for ``node``; with ``comments``, each field's description above it (entries of a list of
    sub-models go without: their fields are described once, above the list)."""
    pad = " " * indent
    for name, field in cls.model_fields.items():
        if name not in node:
            continue
        value = node[name]
        kind = _unwrap(field.annotation)
        origin = typing.get_origin(kind)
        if comments:
            lines.append(pad + _comment(description(field, lang)))
        if value is None:
            lines.append(f"{pad}{name}: null")
        elif _is_model(kind) and isinstance(value, dict):
            if not value:
                lines.append(f"{pad}{name}: {{}}")
            else:
                lines.append(f"{pad}{name}:")
                _emit(kind, value, indent + 2, lang, lines, comments)
        elif isinstance(value, list):
            if not value:
                lines.append(f"{pad}{name}: []")
                continue
            lines.append(f"{pad}{name}:")
            item = _unwrap(typing.get_args(kind)[0]) if origin is list else None
            if item is not None and _is_model(item):
                if comments:
                    parts = [f"{n}: {description(f, lang)}" for n, f in item.model_fields.items()]
                    lines.append(pad + "  " + _comment(" / ".join(parts)))
                for entry in value:
                    sub: list[str] = []
                    _emit(item, entry, indent + 4, lang, sub, comments=False)
                    sub[0] = pad + "  - " + sub[0].lstrip()
                    lines.extend(sub)
            else:
                lines.extend(f"{pad}  - {_scalar(v)}" for v in value)
        elif isinstance(value, dict):
            if not value:
                lines.append(f"{pad}{name}: {{}}")
            else:
                lines.append(f"{pad}{name}:")
                lines.extend(f"{pad}  {_scalar(k)}: {_scalar(v)}" for k, v in value.items())
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}")


def schema_reference(target: Path) -> str:
    """Where the modeline points: the repository's answers.schema.json, relative when it is close by."""
    from contracts.paths import _HERE

    schema = _HERE.parent / SCHEMA_FILE
    if not schema.is_file():
        return SCHEMA_FILE  # an installed package: `keiyaku schema -o answers.schema.json` beside the file
    folder = target.resolve().parent
    try:
        rel = Path(os.path.relpath(schema, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return schema.as_uri()
    return rel if rel.count("../") <= 2 else schema.as_uri()


def answers_yaml(data: dict, lang: str, schema_ref: str) -> str:
    from contracts.answers import SCHEMA_VERSION, Answers

    data = {"schema_version": SCHEMA_VERSION, **data}
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        _comment(
            "keiyaku の回答ファイル（keiyaku init で作成）。各項目の上の説明を読み、必要に応じて編集してください。"
            "確認: keiyaku validate このファイル"
            if lang != "en"
            else "keiyaku answers file (written by keiyaku init). Each field has its description above it; edit as needed. "
            "Check it with: keiyaku validate THIS_FILE"
        ),
        "",
    ]
    body: list[str] = []
    _emit(Answers, data, 0, lang, body)
    out: list[str] = []
    for line in body:
        if line.startswith("# ") and out:
            out.append("")  # a blank line before each top-level field, for readability
        out.append(line)
    return "\n".join(lines + out) + "\n"


# --------------------------------------------------------------------------- the JSON Schema


def answers_schema() -> dict:
    """The answers model's JSON Schema with Japanese and English descriptions and the model-section rules."""
    from contracts.answers import _SECTION_FOR_MODEL, Answers

    raw = Answers.model_json_schema()

    def bilingual(node):
        if isinstance(node, dict):
            if "description_en" in node:
                ja = node.get("description", "")
                en = node.pop("description_en")
                node["description"] = f"{ja} / {en}" if ja else en
                node["x-description-ja"] = ja
                node["x-description-en"] = en
            if isinstance(node.get("question"), dict) and set(node["question"]) <= {"ja", "en"}:
                node["x-question"] = node.pop("question")
            for value in node.values():
                bilingual(value)
        elif isinstance(node, list):
            for value in node:
                bilingual(value)

    bilingual(raw)
    raw.pop("title", None)
    universities = [k for k in typing.get_args(Answers.model_fields["parties"].annotation.model_fields["recipient"]
                                               .annotation.model_fields["kind"].annotation) if k.endswith("_university")]
    rules = []
    for model, section in _SECTION_FOR_MODEL.items():
        deal: dict = {
            "required": [section],
            "properties": {section: {"type": "object"}, **{s: {"type": "null"} for s in _SECTION_FOR_MODEL.values() if s != section}},
        }
        then: dict = {"properties": {"deal": deal}}
        if model == "joint_research":
            then["properties"]["parties"] = {"properties": {"recipient": {"properties": {"kind": {"enum": universities}}}}}
        rules.append({"if": {"properties": {"model": {"const": model}}, "required": ["model"]}, "then": then})
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "keiyaku answers file / keiyaku 回答ファイル",
        "description": "契約書の作成に必要な当事者・データ・取引条件の回答 / Answers about the parties, the data and the deal "
        "from which keiyaku drafts the contracts. Generated by `keiyaku schema` from contracts/answers.py; do not edit by hand.",
        **raw,
        "allOf": rules,
    }


def schema_text() -> str:
    return json.dumps(answers_schema(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- commands


def _write_atomically(target: Path, content: bytes, force: bool) -> Path:
    from contracts.render.files import plan_outputs, write_all

    folder = target.parent if str(target.parent) else Path(".")
    return write_all(plan_outputs(folder, {target.name: content}, force))[0]


@click.command()
@click.option("-o", "--out", "out", default="answers.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="The answers file to write.")
@click.option("--model", type=click.Choice(MODELS), help="The provision model (asked if not given).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of the questions.")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True),
              help="Start from an existing (possibly partial) answers file; only what is missing is asked.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@errors_to_exit
def init(out: str, model: str | None, lang: str, from_file: str | None, force: bool) -> None:
    """Write an answers file by a guided interview (Japanese by default).

    Asks only what the chosen model needs, one question at a time, with an explanation and, for a choice, what
    each option means; press Enter to accept the default shown in brackets. Nothing is written until the end:
    Ctrl-C or end of input leaves no file behind.
    """
    from contracts.answers import AnswersError, answers_from_bytes, parse_text

    target = Path(out)
    if target.exists() and not force:
        raise Failure(f"{target}: already exists (use --force to overwrite, or --out another file)", 2)
    data: dict = {}
    if from_file:
        raw = Path(from_file).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnswersError(from_file, [("(file)", f"not UTF-8 text (byte {exc.start})")]) from None
        data = parse_text(text, from_file) or {}
        if not isinstance(data, dict):
            raise AnswersError(from_file, [("(top level)", "expected a mapping")])
        unknown = _unknown_keys(data)
        if unknown:
            raise AnswersError(from_file, [(p, "unknown field (check the spelling; see `keiyaku schema`)") for p in unknown])
        if model and data.get("model") not in (None, model):
            raise Failure(f"--model {model} differs from model: {data['model']} in {from_file}", 2)
    if model:
        data["model"] = model
    iv = Interview(lang, data)
    iv.echo(iv.t(
        "keiyaku の質問に答えて回答ファイルを作ります。[ ] 内は既定値で、Enter でそのまま使えます。Ctrl-C で中断（ファイルは作りません）。",
        "Answer the questions to write an answers file. The value in [ ] is the default: press Enter to keep it. "
        "Ctrl-C stops without writing anything.",
    ))
    try:
        iv.run()
        if iv.effective_model() not in (None, "auto"):
            _drop_other_sections(iv)
        answers = iv.finish()
    except click.Abort:
        click.echo("", err=True)
        raise Failure("interrupted; nothing was written", 1) from None
    text = answers_yaml(iv.data, lang, schema_reference(target))
    check = answers_from_bytes(text.encode("utf-8"), str(target))
    if check.model_dump() != answers.model_dump():  # the file must say exactly what was answered
        raise Failure("internal error: the written answers would differ from the interview; nothing was written", 1)
    written = _write_atomically(target, text.encode("utf-8"), force)
    iv.echo("")
    iv.echo(iv.t(f"{written} を書き出しました（{iv.asked}問）。次は: keiyaku validate {written} / keiyaku generate {written} --out 出力先",
                 f"Wrote {written} ({iv.asked} questions). Next: keiyaku validate {written} / keiyaku generate {written} --out DIR"),
            err=True)


def _unknown_keys(data: dict) -> list[str]:
    from contracts.answers import Answers

    found: list[str] = []

    def visit(cls, node, prefix):
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            path = _join(prefix, str(key))
            if key not in cls.model_fields:
                found.append(path)
                continue
            kind = _unwrap(cls.model_fields[key].annotation)
            if _is_model(kind):
                visit(kind, value, path)
            elif typing.get_origin(kind) is list and _is_model(_unwrap(typing.get_args(kind)[0])) and isinstance(value, list):
                for i, item in enumerate(value):
                    visit(_unwrap(typing.get_args(kind)[0]), item, f"{path}[{i}]")

    visit(Answers, data, "")
    return found


def _drop_other_sections(iv: Interview) -> None:
    """A --from file may hold another model's deal section; it would make the file invalid, so it goes (with a note)."""
    from contracts.answers import _SECTION_FOR_MODEL

    deal = iv.data.get("deal")
    if not isinstance(deal, dict):
        return
    wanted = _SECTION_FOR_MODEL.get(iv.data.get("model"))
    for section in _SECTION_FOR_MODEL.values():
        if section != wanted and deal.get(section) is not None:
            del deal[section]
            iv.echo(iv.t(f"deal.{section}: このモデルでは使わないため削除しました。", f"deal.{section}: not used by this model; removed."),
                    err=True)


@click.command()
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@errors_to_exit
def schema(out: str | None, force: bool) -> None:
    """Print the JSON Schema of the answers file (descriptions in Japanese and English).

    Editors that use yaml-language-server (VS Code's YAML extension and others) read it through the first line of
    an answers file, ``# yaml-language-server: $schema=answers.schema.json``, for completion and hover help.
    """
    text = schema_text()
    if out:
        _write_atomically(Path(out), text.encode("utf-8"), force)
        click.echo(f"{out}: written", err=True)
    else:
        click.echo(text, nl=False)
