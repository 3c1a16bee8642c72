"""`keiyaku init` (the guided interview) and `keiyaku schema` (the JSON Schema of the answers file).

The interview has no list of questions of its own: it walks the answers model field by field, recursing into
sub-models, and takes each question, explanation, choice list and default from ``contracts.vocabulary``
(``entry(path)``: the field's question, description, allowed values and their meanings, default).
The relevance rules are shared with the web form (``contracts.questions.rules``): they say when an earlier answer makes a field irrelevant (no
representative for an individual, no fee amount for a free deal, only the chosen model's ``deal.<section>``),
and which answers a rule needs first, so that those are asked before the field that depends on them.

Answers are read by the one lenient parser (``contracts.parse``, as in the answers file and ``keiyaku batch``):
２４, 500,000, 50万円, 24か月, はい/いいえ, 2027/4/1, 令和9年4月1日, and a choice by number, value or Japanese label
(国立大学法人). 「戻る」 (back) returns to the previous question; each question shows its number and the expected
total (n/N, which grows or shrinks as answers make questions relevant); before the file is written, every answer is
listed with its label, and any of them can be changed by number.

Nothing is written until the very end, and then atomically: an interrupted interview leaves no file.
"""

from __future__ import annotations

import json
import os
import re
import typing
from pathlib import Path
from typing import Any, Literal

import click

from cli.errors import Failure, errors_to_exit
from contracts import vocabulary as _vocab

# The relevance rules are shared with the browser questionnaire (web/): contracts/questions.py.
from contracts.questions import rules as _rules
from contracts.questions import suggested_default as _suggested_default
from contracts.questions import value_at

MODELS = _vocab.MODEL_CHOICES
_OMIT = object()  # an optional field left empty: not written to the file


# --------------------------------------------------------------------------- the interview


class Interrupted(Exception):
    pass


class _Back(Exception):
    """The user typed 戻る (back): return to the previous question."""


_BACK_WORDS = {"戻る", "もどる", "back", "<"}


def _is_back(text: str) -> bool:
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip().casefold() in _BACK_WORDS


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
        self.history: list[str] = []  # the paths answered in this interview, in order (戻る walks it back)
        self.omitted: set[str] = set()  # optional questions answered with nothing
        self.previous: dict[str, Any] = {}  # answers taken back with 戻る: offered again as the default
        self.open_lists: set[str] = set()  # lists of entries still being filled in when 戻る was typed
        self.pending: list[tuple[str, list[str]]] = []  # section headings shown with their first question

    # ----------------------------------------------------------- small helpers

    def t(self, ja: str, en: str) -> str:
        return en if self.lang == "en" else ja

    def get(self, path: str) -> Any:
        """The answer at ``path``, or the field's default when it has not been (or will not be) asked."""
        return value_at(self.data, path)

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
        """Ask what is missing, from the top; 「戻る」 takes the last answer back and asks again from there."""
        from contracts.answers import Answers

        while True:
            self.done = set()
            try:
                self.walk(Answers, self.data, "")
                return self.data
            except _Back:
                self.step_back()

    def step_back(self) -> None:
        """Forget the last answer given in this interview (it is asked again, with that answer as the default)."""
        from contracts.messages import text

        if not self.history:
            self.echo(self.t(text("init.back.none", "ja"), text("init.back.none", "en")), err=True)
            self.asked = max(0, self.asked - 1)
            return
        path = self.history.pop()
        self.asked = max(0, self.asked - 2)  # the question taken back and the one abandoned are shown again
        if path == "model" and getattr(self, "auto_resolved", False):
            self.data["model"] = "auto"  # back to the recommendation
            self.auto_resolved = False
            return
        self.previous[path] = self.get(path)
        self.omitted.discard(path)
        self.forget(path)
        m = re.fullmatch(r"(.+)\[(\d+)\]\.[a-z_]+", path)
        if m:  # the first answer of a new entry taken back: the entry goes, and the list is open again
            entries = self.get(m.group(1))
            index = int(m.group(2))
            if isinstance(entries, list) and index < len(entries) and entries[index] == {}:
                del entries[index]
            self.open_lists.add(m.group(1))

    def walk(self, cls, node: dict, prefix: str) -> None:
        for name in cls.model_fields:
            if not prefix and name not in ("schema_version", "model") and self.data.get("model") == "auto":
                self.resolve_auto()  # the user does not know the model: recommend one first, then ask the rest
            self.ask_field(cls, node, prefix, name)

    def ask_path(self, path: str) -> None:
        """Ask the field at ``path`` (and the sections on the way) unless it is answered already."""
        from contracts.answers import Answers

        parts = _vocab.split_path(path)
        cls: Any = Answers
        node: Any = self.data
        prefix = ""
        for part in parts[:-1]:
            if isinstance(node, list):
                node = node[int(part)]
                prefix = f"{prefix}[{part}]"
                continue
            field = _vocab.entry(_join(prefix, part))
            cls = field.model
            if field.shape == "list":
                node = node.setdefault(part, [])
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            prefix = _join(prefix, part)
        self.ask_field(cls, node, prefix, parts[-1])

    def ask_field(self, cls, node: dict, prefix: str, name: str) -> None:
        path = _join(prefix, name)
        if path in self.done or path in self.omitted:
            return
        self.done.add(path)
        field = _vocab.entry(path)
        generic = re.sub(r"\[\d+\]", "", path)
        if not self.relevant(generic):
            return
        given = name in node
        if field.shape == "mapping":
            return  # mappings (deal.choices) are edited in the file, not asked
        if field.shape == "model":
            if given and node[name] is None and field.optional:
                return  # explicitly left out in the --from file
            if not isinstance(node.get(name), dict):
                node[name] = {}
            self.section(field, path)
            self.walk(field.model, node[name], path)
            return
        if field.shape == "list" and field.model is not None:
            item_cls = field.model
            if given and isinstance(node[name], list):
                for i, item in enumerate(node[name]):
                    if isinstance(item, dict):
                        self.walk(item_cls, item, f"{path}[{i}]")
                if path not in self.open_lists:
                    return
            else:
                node[name] = []
                self.open_lists.add(path)
            self.ask_entries(field, item_cls, path, node[name])
            self.open_lists.discard(path)
            return
        if given:
            node[name] = self.widened(field, path, node[name])
            problem = self.check(field, node[name], path)
            if problem is None:
                return
            self.echo(self.t(f"\n{path}: ファイルの値を使えません（{problem}）。もう一度伺います。",
                             f"\n{path}: the value in the file cannot be used ({problem}); asking again."), err=True)
        value = self.ask_value(field, path)
        if value is _OMIT:
            node.pop(name, None)
            self.omitted.add(path)
        else:
            node[name] = value
        self.history.append(path)

    # ----------------------------------------------------------- asking

    def section(self, field, path: str, *lines: str) -> None:
        """A section's heading, shown just before its first question (a section whose answers are all given, as on
        the way back to an earlier question, shows nothing)."""
        self.pending = [(p, ls) for p, ls in self.pending if path.startswith(p + ".") or path.startswith(p + "[")]
        self.pending.append((path, [f"━━ {field.question(self.lang)}　（{path}）", *lines]))

    def show(self, field, path: str, options: tuple | None) -> None:
        from contracts.messages import text

        for section, lines in self.pending:
            if path.startswith(section + ".") or path.startswith(section + "["):
                self.echo("")
                for line in lines:
                    self.echo(line)
        self.pending = []
        self.asked += 1
        progress = text("init.progress", self.lang, n=self.asked, total=self.asked + self.remaining())
        self.echo("")
        self.echo(f"【{path}】{progress}{_vocab.without_values(field.question(self.lang), options, self.lang)}")
        self.echo(f"  {field.headline(self.lang)}")
        if options:
            meanings = field.meanings(self.lang)
            width = max(len(str(o)) for o in options)
            for i, option in enumerate(options, start=1):
                meaning = meanings.get(str(option), "")
                self.echo(f"    {i}) {str(option).ljust(width)}  {meaning}".rstrip())

    def _default_text(self, field, path: str, kind) -> str | None:
        suggested = _suggested_default(self, path)
        if self.previous.get(path) is not None and not isinstance(self.previous[path], (list, dict)):
            value = self.previous[path]  # the answer given before 戻る
            if kind is bool:
                return "y" if value else "n"
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        if suggested is not None:
            value = suggested
        elif field.required:
            return None
        else:
            value = field.default()
        if value is None:
            return None
        if kind is bool:
            return "y" if value else "n"
        if isinstance(value, list):
            return None
        return str(value)

    def ask_value(self, field, path: str):
        """One scalar or one list of scalars; re-asks until the answer is valid."""
        kind = field.annotation
        if field.shape == "list":
            return self.ask_list(field, path, typing.get_args(kind)[0])
        options = field.values or None
        self.show(field, path, options)
        default = self._default_text(field, path, kind)
        optional = field.optional and default is None
        if optional:
            self.echo(self.t("  （省略可: 空欄のまま Enter）", "  (optional: just press Enter to leave it out)"))
        hint = "y/n" if kind is bool else (self.t("番号・値又は名称", "number, value or label") if options else "")
        label = "  " + self.t("回答", "Answer") + (f" ({hint})" if hint else "")

        def parse(raw: str):
            text = raw.strip()
            if _is_back(text):
                raise _Back()
            if not text:
                if default is not None:
                    text = default
                elif optional:
                    return _OMIT
                else:
                    raise click.BadParameter(self.say("init.required"))
            return self.parse_one(field, kind, options, text, whole=True, path=path)

        return self.prompt(label, default=default if default is not None else "", show_default=default is not None,
                           value_proc=parse)

    def say(self, key: str, **params) -> str:
        """A message from the catalogue in the interview's language."""
        from contracts.messages import text

        return text(key, self.lang, **params)

    def parse_one(self, field, kind, options, text: str, whole: bool, path: str = ""):
        """Text -> a valid value of ``kind``; click.BadParameter (shown, then asked again) otherwise.

        A choice is a number, a value or a Japanese label; everything else goes through the shared lenient parser
        (``contracts.batch.convert`` → ``contracts.parse``), which also reads the field's counter word (24か月, 50万円)."""
        from pydantic import TypeAdapter, ValidationError

        from contracts.batch import CellError, convert
        from contracts.parse import choices_text

        if options and text.isdigit() and 1 <= int(text) <= len(options):
            text = str(options[int(text) - 1])
        try:
            value = convert(text, kind, path or None)
        except CellError as exc:
            if options:
                try:
                    labels = _vocab.entry(path).value_labels() if path else None
                except KeyError:
                    labels = None
                raise click.BadParameter(self.say("init.unknown_value", value=repr(text), count=len(options),
                                                  options=choices_text(options, labels, self.lang))) from None
            raise click.BadParameter(exc.error.message(self.lang) if hasattr(exc.error, "message") else str(exc)) from None
        if whole:
            info = field.info
            adapter = TypeAdapter(typing.Annotated[tuple([info.annotation, *info.metadata])] if info.metadata else info.annotation)
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                raise click.BadParameter(self._message(exc, path)) from None
        return value

    def _message(self, exc, path: str = "") -> str:
        """A field's validation error in the catalogue's words (never pydantic's English)."""
        from contracts.answers import describe_error

        return describe_error(exc.errors()[0], path).message(self.lang)

    def widened(self, field, path: str, value):
        """A value from the --from file as the lenient parser reads it (はい, ２４, 2027/4/1 …); unchanged if it is not
        text in one of the documented forms (``check`` then says why)."""
        from contracts.batch import CellError, convert

        kind = field.annotation
        if isinstance(value, str) and kind is not str:
            try:
                return convert(value, kind, path)
            except (CellError, KeyError):
                return value
        if isinstance(value, list) and field.shape == "list":
            return [self.widened(field, path, v) if isinstance(v, str) else v for v in value] if field.item is not str else value
        return value

    def check(self, field, value, path: str = "") -> str | None:
        """None if a value from the --from file is valid for the field on its own, else why not."""
        from pydantic import TypeAdapter, ValidationError

        info = field.info
        annotation = typing.Annotated[tuple([info.annotation, *info.metadata])] if info.metadata else info.annotation
        try:
            TypeAdapter(annotation).validate_python(value)
        except ValidationError as exc:
            return self._message(exc, path)
        return None

    def remaining(self) -> int:
        """How many questions are still to come, as the answers so far make them relevant (without asking)."""
        from contracts.answers import Answers
        from contracts.questions import Values

        view = Values(self.data)

        def count(cls, node, prefix: str) -> int:
            n = 0
            for name in cls.model_fields:
                path = _join(prefix, name)
                rule = self.rules.get(re.sub(r"\[\d+\]", "", path))
                if rule is not None and (not rule.needs or not rule.ask(view)):
                    continue
                field = _vocab.entry(path)
                given = isinstance(node, dict) and name in node
                if field.shape == "mapping":
                    continue
                if field.shape == "model":
                    if given and node[name] is None:
                        continue
                    n += count(field.model, node.get(name) if given else {}, path)
                elif field.shape == "list" and field.model is not None:
                    if not given or path in self.open_lists:
                        n += 1
                elif not given and path not in self.done and path not in self.omitted:
                    n += 1
            return n

        return count(Answers, self.data, "")

    def ask_list(self, field, path: str, item_type) -> list:
        """Repeated entries, one per line, ending with an empty answer."""
        item_kind = field.item
        options = field.values or None
        self.show(field, path, options)
        minimum = field.min_entries
        self.echo(self.t("  （1行に1件。空欄のまま Enter で終了）", "  (one per line; an empty answer ends the list)"))
        values: list = []
        from pydantic import TypeAdapter, ValidationError

        adapter = TypeAdapter(item_type)

        def parse(raw: str):
            text = raw.strip()
            if _is_back(text):
                raise _Back()
            if not text:
                if len(values) < minimum:
                    raise click.BadParameter(self.say("init.at_least_one"))
                return _OMIT
            value = self.parse_one(field, item_kind, options, text, whole=False, path=path)
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                raise click.BadParameter(self._message(exc, f"{path}[{len(values)}]")) from None

        while True:
            value = self.prompt(f"  {len(values) + 1}", default="", show_default=False, value_proc=parse)
            if value is _OMIT:
                return values
            values.append(value)

    def ask_entries(self, field, item_cls, path: str, entries: list[dict]) -> list[dict]:
        """A list of sub-models, added to ``entries`` in place: each entry starts with its first field; an empty
        first answer ends the list."""
        self.section(field, path, f"  {field.headline(self.lang)}")
        first, *_ = item_cls.model_fields
        while True:
            item_path = f"{path}[{len(entries)}]"
            first_field = _vocab.entry(f"{item_path}.{first}")
            self.show(first_field, f"{item_path}.{first}", None)
            kind = first_field.annotation

            def parse(raw: str, kind=kind, first_field=first_field, item_path=item_path):
                text = raw.strip()
                if _is_back(text):
                    raise _Back()
                if not text:
                    return _OMIT
                return self.parse_one(first_field, kind, None, text, whole=True, path=f"{item_path}.{first}")

            value = self.prompt("  " + self.t("回答（空欄で終了）", "Answer (empty to finish)"), default="",
                                show_default=False, value_proc=parse)
            if value is _OMIT:
                return entries
            entry = {first: value}
            entries.append(entry)
            self.done.add(f"{item_path}.{first}")
            self.history.append(f"{item_path}.{first}")
            self.walk(item_cls, entry, item_path)

    # ----------------------------------------------------------- model: auto

    def resolve_auto(self) -> None:
        """Ask the goals and constraints, show the recommendation with its reasons first, then let the user pick the
        model to draft (the recommended one by default)."""
        if self.data.get("model") != "auto" or getattr(self, "_resolving", False):
            return
        self._resolving = True
        try:
            from contracts.questions import RECOMMEND_ASKS, recommendation

            for path in RECOMMEND_ASKS:  # what the recommendation reads: goals, constraints, personal data, know-how
                self.ask_path(path)
            try:
                ranking, decision = recommendation(self.data) or ([], None)
            except Exception:  # noqa: BLE001 - without a ranking the user simply chooses
                ranking, decision = [], None
            field = _vocab.entry("model")
            options = _vocab.MODEL_IDS
            self.echo("")
            if ranking:
                self.echo(self.say("init.recommend.title"))
                self.echo(f"    {decision.text}")
                for i, r in enumerate(ranking, start=1):
                    note = "" if r.eligible else "（対象外: " + "、".join(r.excluded) + "）"
                    self.echo(f"    {i}. {r.label}（{r.model}） {r.score}点{note}")
                    for reason in r.reasons:
                        self.echo(f"         - {reason}")
            else:
                self.echo(self.say("init.recommend.none"))
            self.show(field, "model", options)
            default = decision.recommended if decision else None

            def parse(raw: str):
                if _is_back(raw):
                    raise _Back()
                text = raw.strip() or (default or "")
                if not text:
                    raise click.BadParameter(self.say("init.required"))
                return self.parse_one(field, Literal[options], options, text, whole=False, path="model")

            self.data["model"] = self.prompt("  " + self.t("作成するモデル", "Model to draft"), default=default or "",
                                             show_default=bool(default), value_proc=parse)
            self.history.append("model")
            self.auto_resolved = True
        finally:
            self._resolving = False

    # ----------------------------------------------------------- the end

    def finish(self):
        """Validate the whole file; re-ask the fields a cross-field check or a blocking risk rule names."""
        from contracts.answers import AnswersError, validate_answers
        from contracts.risk import refuse_blocked

        while True:
            try:
                answers = validate_answers(self.data, "answers")
                refuse_blocked(answers)
                return answers
            except AnswersError as exc:
                problems = exc.details
            self.echo("")
            self.echo(self.t("■ 回答を見直してください:", "■ Please review these answers:"), err=True)
            for problem in problems:
                self.echo(f"  {problem.line_text(self.lang)}", err=True)
            askable = []
            for problem in problems:
                path = re.sub(r"\[\d+\]$", "", problem.path)  # an entry of a list of values: ask the list again
                try:
                    kind = _vocab.annotation_at(path)
                except KeyError:
                    continue
                if typing.get_origin(kind) is not dict:
                    askable.append(path)
            if not askable:
                raise Failure("the answers are not valid and cannot be fixed by asking again; nothing was written", 2)
            for path in askable:
                self.forget(path)
                self.omitted.discard(path)
            try:
                for path in askable:
                    self.ask_path(path)
            except _Back:
                continue  # at this point 戻る asks the problem fields again

    def summary(self) -> list[tuple[str, Any]]:
        """Every answer given, as (path, value) in the order of the answers model (entries of a list in order)."""
        from contracts.answers import Answers

        out: list[tuple[str, Any]] = []

        def visit(cls, node: dict, prefix: str) -> None:
            for name in cls.model_fields:
                if name not in node or name == "schema_version":
                    continue
                path, value = _join(prefix, name), node[name]
                field = _vocab.entry(path)
                if field.shape == "model" and isinstance(value, dict):
                    visit(field.model, value, path)
                elif field.shape == "list" and field.model is not None:
                    for i, item in enumerate(value or []):
                        visit(field.model, item, f"{path}[{i}]")
                elif field.shape != "mapping":
                    out.append((path, value))

        visit(Answers, self.data, "")
        return out

    def shown(self, path: str, value: Any) -> str:
        """An answer as the summary shows it: a choice with its label, はい/いいえ, a list joined."""
        import datetime as dt

        if isinstance(value, bool):
            return self.t("はい", "yes") if value else self.t("いいえ", "no")
        if isinstance(value, list):
            return self.t("、", ", ").join(self.shown(path, v) for v in value) or self.say("init.summary.empty")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and re.search(r"_yen$", path):
            return f"{value:,}" + self.t("円", " yen")
        try:
            meaning = _vocab.entry(path).meaning(value, self.lang) if isinstance(value, str) else ""
        except KeyError:  # a key of a mapping
            meaning = ""
        if meaning:
            return f"{value}（{meaning}）" if self.lang != "en" else f"{value} ({meaning})"
        return str(value)

    def review(self) -> str | None:
        """Show every answer and ask whether to write: None to write, a path to change, or "back"."""
        from contracts.messages import field_label

        items = self.summary()
        self.echo("")
        self.echo(self.say("init.summary.title"))
        width = len(str(len(items)))
        for i, (path, value) in enumerate(items, start=1):
            label = field_label(path, self.lang) or path
            self.echo(f"  {str(i).rjust(width)}. {label}（{path}）: {self.shown(path, value)}" if self.lang != "en"
                      else f"  {str(i).rjust(width)}. {label} ({path}): {self.shown(path, value)}")

        def parse(raw: str):
            import unicodedata

            text = unicodedata.normalize("NFKC", raw).strip()
            if not text:
                return None
            if _is_back(text):
                return "back"
            if text.isdigit() and 1 <= int(text) <= len(items):
                return items[int(text) - 1][0]
            raise click.BadParameter(self.say("init.summary.bad", count=len(items)))

        self.echo("")
        return self.prompt("  " + self.say("init.summary.prompt"), default="", show_default=False, value_proc=parse)

    def change(self, path: str) -> None:
        """Ask one answer again (chosen in the summary), with the current answer as the default."""
        self.previous[path] = self.get(path)
        self.forget(path)
        self.omitted.discard(path)
        if path in self.history:
            self.history.remove(path)

    def forget(self, path: str) -> None:
        split_path = _vocab.split_path

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


def _emit(cls, node: dict, indent: int, lang: str, lines: list[str], comments: bool = True, prefix: str = "") -> None:
    """YAML lines for ``node`` (the section at ``prefix``); with ``comments``, each field's description above it
    (entries of a list of sub-models go without: their fields are described once, above the list)."""
    pad = " " * indent
    for name in cls.model_fields:
        if name not in node:
            continue
        value = node[name]
        field = _vocab.entry(_join(prefix, name))
        if comments:
            lines.append(pad + _comment(field.description(lang)))
        if value is None:
            lines.append(f"{pad}{name}: null")
        elif field.shape == "model" and isinstance(value, dict):
            if not value:
                lines.append(f"{pad}{name}: {{}}")
            else:
                lines.append(f"{pad}{name}:")
                _emit(field.model, value, indent + 2, lang, lines, comments, field.path)
        elif isinstance(value, list):
            if not value:
                lines.append(f"{pad}{name}: []")
                continue
            lines.append(f"{pad}{name}:")
            item = field.model if field.shape == "list" else None
            if item is not None:
                if comments:
                    parts = [f"{n}: {_vocab.entry(f'{field.path}.{n}').description(lang)}" for n in item.model_fields]
                    lines.append(pad + "  " + _comment(" / ".join(parts)))
                for entry in value:
                    sub: list[str] = []
                    _emit(item, entry, indent + 4, lang, sub, comments=False, prefix=field.path)
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
    from contracts.schema import SCHEMA_FILE

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


# --------------------------------------------------------------------------- commands


def _write_atomically(target: Path, content: bytes, force: bool) -> Path:
    from contracts.render.files import plan_outputs, write_all

    folder = target.parent if str(target.parent) else Path(".")
    return write_all(plan_outputs(folder, {target.name: content}, force))[0]


@click.command()
@click.option("-o", "--out", "out", default="answers.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="The answers file to write.")
@click.option("--model", type=click.Choice(MODELS), help="The provision model (asked if not given).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of the questions (default: that of `keiyaku --lang`, or the locale; ja).")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True),
              help="Start from an existing (possibly partial) answers file; only what is missing is asked.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@errors_to_exit
def init(out: str, model: str | None, lang: str | None, from_file: str | None, force: bool) -> None:
    """Write an answers file by a guided interview (Japanese by default).

    Asks only what the chosen model needs, one question at a time (n/N), with an explanation and, for a choice,
    what each option means; answer a choice by number, value or label. Press Enter to accept the default shown in
    brackets; type 戻る (or back) for the previous question. At the end every answer is listed: press Enter to
    write the file, or a number to change that answer. Nothing is written until then: Ctrl-C or end of input
    leaves no file behind.
    """
    from contracts.messages import language, using

    lang = lang or language()
    with using(lang):
        _init(out, model, lang, from_file, force)


def _init(out: str, model: str | None, lang: str, from_file: str | None, force: bool) -> None:
    from contracts.answers import AnswersError, answers_from_bytes, parse_text
    from contracts.messages import Problem

    target = Path(out)
    if target.exists() and not force:
        raise Failure(f"{target}: already exists (use --force to overwrite, or --out another file)", 2)
    data: dict = {}
    if from_file:
        raw = Path(from_file).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnswersError(from_file, [Problem("(file)", "file.not_utf8", {"byte": exc.start})]) from None
        data = parse_text(text, from_file) or {}
        if not isinstance(data, dict):
            raise AnswersError(from_file, [Problem("(top level)", "file.not_mapping")])
        unknown = _unknown_keys(data)
        if unknown:
            raise AnswersError(from_file, [Problem(p, "field.unknown") for p in unknown])
        if model and data.get("model") not in (None, model):
            raise Failure(f"--model {model} differs from model: {data['model']} in {from_file}", 2)
    if model:
        data["model"] = model
    iv = Interview(lang, data)
    iv.echo(iv.t(
        "keiyaku の質問に答えて回答ファイルを作ります。[ ] 内は既定値で、Enter でそのまま使えます。「戻る」で前の質問へ。"
        "最後に回答の一覧を確かめてから書き出します。Ctrl-C で中断（ファイルは作りません）。",
        "Answer the questions to write an answers file. The value in [ ] is the default: press Enter to keep it. "
        "Type \"back\" for the previous question. Every answer is listed for a check before the file is written. "
        "Ctrl-C stops without writing anything.",
    ))
    try:
        while True:
            iv.run()
            if iv.effective_model() not in (None, "auto"):
                _drop_other_sections(iv)
            answers = iv.finish()
            choice = iv.review()
            if choice is None:
                break
            if choice == "back":
                iv.step_back()
            else:
                iv.change(choice)
    except click.Abort:
        click.echo("", err=True)
        raise Failure(iv.say("init.interrupted"), 1) from None
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
            field = _vocab.entry(path)
            if field.shape == "model":
                visit(field.model, value, path)
            elif field.shape == "list" and field.model is not None and isinstance(value, list):
                for i, item in enumerate(value):
                    visit(field.model, item, f"{path}[{i}]")

    visit(Answers, data, "")
    return found


def _drop_other_sections(iv: Interview) -> None:
    """A --from file may hold another model's deal section; it would make the file invalid, so it goes (with a note)."""
    deal = iv.data.get("deal")
    if not isinstance(deal, dict):
        return
    wanted = _vocab.SECTION_FOR_MODEL.get(iv.data.get("model"))
    for section in _vocab.SECTION_FOR_MODEL.values():
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
    from contracts.schema import schema_text

    text = schema_text()
    if out:
        _write_atomically(Path(out), text.encode("utf-8"), force)
        click.echo(f"{out}: written", err=True)
    else:
        click.echo(text, nl=False)
