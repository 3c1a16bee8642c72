"""The vocabulary of the answers file: for every dotted path, what the answers model says about it.

One walker over the answers model (``contracts.answers``) answers, for a path such as ``deal.liability_cap.kind``,
``parties.provider.name`` or ``deal.research.students[0].name`` (list indexes allowed, as ``[0]`` or ``.0``):
its shape (a scalar, a section, a list, a mapping), how a scalar is read (``contracts.parse`` kinds), its allowed
values, whether it may be left empty, its question and description in Japanese and English, its label
(``contracts/messages.yaml``), the label of each allowed value, and its value in an ``Answers`` object. Every other
module that needs to know the model's shape asks here (``entry``, ``paths``, ``annotation_at``, ``value``) instead
of walking ``model_fields`` itself.

Value labels have one source: the field's own text in ``contracts/answers.py`` — ``value（意味）`` in the Japanese
description and question, ``value (meaning)`` in the English description. That text is what the interview, the
web form and the JSON Schema (hover help in an editor) already show beside each choice, so reading the labels from
it keeps one wording for a choice wherever a person sees it; the reading happens here and nowhere else. The
meanings stay written inside those sentences rather than in a table the sentences are built from: they carry notes
(``中立。迷ったらこれ``), a question may give a shorter form than the description (``公募``), and each language has
its own wording, so generated sentences would not stay word for word what the schema and the forms show today.
``clauses/labels.yaml`` is not a second source of these: it holds the contract *wording* the clauses print for a
value (個人情報を含まない, 株式会社等の法人), which is legal drafting text edited with the clauses.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Union

from contracts import messages as _msg

__all__ = ["AUTO", "MODEL_IDS", "MODEL_CHOICES", "PARTY_KINDS", "SECTION_FOR_MODEL", "STANCES", "UNIVERSITY_KINDS",
           "Requirement", "Entry", "entry", "paths", "entries", "annotation_at", "owner_at", "value", "exists",
           "given_paths", "requirements", "unwrap", "is_model", "split_path", "is_index", "field_kind", "choices",
           "value_labels", "value_label", "without_values"]

# --------------------------------------------------------------------------- value sets
# One tuple per value set that code outside the answers model names; the model's Literal types are made from them.
# Light on purpose (no pydantic at import): the command line's option choices read them at start-up.

MODEL_IDS = ("hackathon", "paid_consulting", "joint_research", "data_provision")
AUTO = "auto"  # model: auto — recommend a model from deal.goals and deal.constraints
MODEL_CHOICES = (*MODEL_IDS, AUTO)  # what ``model:`` takes
SECTION_FOR_MODEL = {"hackathon": "hackathon", "paid_consulting": "consulting", "joint_research": "research",
                     "data_provision": "course"}  # the deal section each model needs (and no other model may have)
STANCES = ("provider", "balanced", "recipient")
PARTY_KINDS = ("corporation", "national_university", "public_university", "private_university", "public_body",
               "individual", "other")
UNIVERSITY_KINDS = tuple(k for k in PARTY_KINDS if k.endswith("_university"))


@dataclass(frozen=True)
class Requirement:
    """A field of a section that its validator requires when another field of the same section (``when``) has one
    of ``values`` (with ``unless``: any value but those). A section lists them in ``REQUIRES``; its validator
    (``contracts.answers._Required``) and the questionnaire's relevance (``contracts.questions.rules``) both read
    that one statement. ``key`` is the catalogue message of the refusal."""

    field: str
    when: str
    values: tuple
    key: str
    unless: bool = False

    def applies(self, value: Any) -> bool:
        return (value in self.values) != self.unless


# --------------------------------------------------------------------------- types


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
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _item(annotation: Any) -> Any:
    """The unwrapped type of a field's value, or of one entry when it is a list."""
    annotation = unwrap(annotation)
    if typing.get_origin(annotation) is list:
        return unwrap(typing.get_args(annotation)[0])
    return annotation


def _nullable(annotation: Any) -> bool:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in typing.get_args(annotation)


_KIND_CACHE: dict[tuple[type, str], tuple[str | None, bool]] = {}


def field_kind(cls: type, name: str) -> tuple[str | None, bool]:
    """How the answer to field ``name`` of model ``cls`` is read (a ``contracts.parse.KINDS`` kind, or None for a
    section) and whether it is a list of such answers. The kind of a number comes from its field name:
    ``*_yen`` yen (50万円), ``*_months`` months (24か月), ``*_days`` days, ``*_years`` years, a count of people
    (``count``, ``max_recipients``) people (120名), ``cohorts`` times (4回), ``*percent`` percent (12.5%)."""
    import datetime as dt

    key = (cls, name)
    if key in _KIND_CACHE:
        return _KIND_CACHE[key]
    annotation = unwrap(cls.model_fields[name].annotation)
    item = typing.get_origin(annotation) is list
    if item:
        annotation = unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is Literal:
        kind = "choice"
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = ("yen" if name.endswith("_yen") else "months" if name.endswith("_months") else "days" if name.endswith("_days")
                else "years" if name.endswith("_years") else "people" if name in ("count", "max_recipients")
                else "times" if name == "cohorts" else "int")
    elif annotation is float:
        kind = "percent" if name.endswith("percent") else "float"
    elif annotation is dt.date:
        kind = "date"
    elif annotation is str:
        kind = "text"
    else:
        kind = None
    _KIND_CACHE[key] = (kind, item)
    return kind, item


def choices(cls: type, name: str) -> tuple:
    """The Literal values field ``name`` of ``cls`` (or each entry of it) takes; () for any other field."""
    annotation = _item(cls.model_fields[name].annotation)
    return typing.get_args(annotation) if typing.get_origin(annotation) is Literal else ()


# --------------------------------------------------------------------------- the field's own texts

MEANING = {"ja": re.compile(r"([a-z_0-9]+)（([^）]*)）"), "en": re.compile(r"([a-z_0-9]+) \(([^)]*)\)")}
"""``value（意味）`` / ``value (meaning)``: how a field's text spells out what each of its values means."""


def _extra(info) -> dict:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _description(info, lang: str) -> str:
    if lang == "en":
        return _extra(info).get("description_en") or info.description or ""
    return info.description or _extra(info).get("description_en") or ""


def _question(info, lang: str) -> str:
    q = _extra(info).get("question") or {}
    return q.get(lang) or q.get("ja") or _description(info, lang)


def without_values(text: str, values: tuple | None, lang: str) -> str:
    """A field's text that spells out its values (``… provider（提供者寄り）, …``) up to where they begin."""
    if not values:
        return text
    m = MEANING[lang if lang == "en" else "ja"].search(text)
    if m and m.group(1) in map(str, values) and m.start() > 0:
        return text[: m.start()].rstrip(" 　:")
    return text


_LABEL_CACHE: dict[tuple[type, str], dict[str, dict[str, list[str]]]] = {}


def value_labels(cls: type, name: str) -> dict[str, dict[str, list[str]]]:
    """The labels of each choice of field ``name`` of ``cls``: value -> {"ja": [...], "en": [...]}, the first one
    the meaning the description gives (shown beside the choice), the others also read back as that value.

    Read from the field's texts (``MEANING``): the description, then the question. A meaning with a note after
    「。」 (``中立。迷ったらこれ``) is also accepted without it (中立)."""
    key = (cls, name)
    if key in _LABEL_CACHE:
        return _LABEL_CACHE[key]
    info = cls.model_fields[name]
    extra = _extra(info)
    question = extra.get("question") or {}
    texts = {"ja": [info.description or "", question.get("ja", "")], "en": [extra.get("description_en", ""), question.get("en", "")]}
    options = {str(o) for o in choices(cls, name)}
    found: dict[str, dict[str, list[str]]] = {}
    for lang, sources in texts.items():
        for source in sources:
            for value, meaning in MEANING[lang].findall(source):
                if value not in options:
                    continue
                names = found.setdefault(value, {"ja": [], "en": []})[lang]
                for label in (meaning.strip(), meaning.split("。")[0].strip()):
                    if label and label not in names:
                        names.append(label)
    _LABEL_CACHE[key] = found
    return found


def value_label(cls: type, name: str, value: Any, lang: str | None = None) -> str:
    """The label of one value of field ``name`` of ``cls`` in ``lang`` (default: the language in use): its meaning,
    else the Japanese one, else the value itself."""
    labels = value_labels(cls, name).get(str(value)) or {}
    return (labels.get(lang or _msg.language()) or labels.get("ja") or [str(value)])[0]


# --------------------------------------------------------------------------- one entry


@dataclass(frozen=True)
class Entry:
    """One field of the answers model at a generic path (no list indexes)."""

    path: str  # deal.liability_cap.kind, deal.research.students.name
    owner: type  # the model class that declares the field
    name: str
    info: Any  # pydantic's FieldInfo
    annotation: Any  # the declared type, unwrapped (Optional/Annotated removed)
    shape: str  # scalar | model (a section) | list (of values, or of sections: see ``model``) | mapping
    kind: str | None  # how a scalar, or each value of a list, is read (contracts.parse); None for sections, mappings
    model: type | None  # the section's model, or that of each entry of a list of sections
    values: tuple  # the allowed values of a choice (or of each entry of a list of choices); () otherwise

    @property
    def required(self) -> bool:
        return self.info.is_required()

    @property
    def optional(self) -> bool:
        """May be left out of the file (it has a default, or is Optional)."""
        return not self.info.is_required()

    @property
    def nullable(self) -> bool:
        """``null`` is a valid answer (an Optional field)."""
        return _nullable(self.info.annotation)

    @property
    def item(self) -> Any:
        """The unwrapped type of the value, or of one entry of a list."""
        return _item(self.info.annotation)

    @property
    def min_entries(self) -> int:
        return next((getattr(m, "min_length", 0) for m in self.info.metadata if hasattr(m, "min_length")), 0)

    def default(self) -> Any:
        """The model's default (None for a required field)."""
        return None if self.required else self.info.get_default(call_default_factory=True)

    def question(self, lang: str) -> str:
        return _question(self.info, lang)

    def description(self, lang: str) -> str:
        return _description(self.info, lang)

    def question_alone(self, lang: str) -> str:
        """The question without the choices it spells out (a front end lists them below it)."""
        return without_values(self.question(lang), self.values, lang)

    def headline(self, lang: str) -> str:
        """The description without its list of choices: the part before ``:`` when a choice list follows."""
        text = self.description(lang)
        head, sep, rest = text.partition(": ")
        pattern = MEANING[lang if lang == "en" else "ja"]
        if sep and (pattern.search(rest) or (self.values and rest.split(",")[0].strip() in map(str, self.values))):
            return head
        return text

    def label(self, lang: str | None = None) -> str | None:
        """The field's label from the catalogue (提供者の正式名称)."""
        return _msg.field_label(self.path, lang)

    def value_labels(self) -> dict[str, dict[str, list[str]]]:
        return value_labels(self.owner, self.name)

    def meaning(self, value: Any, lang: str | None = None) -> str:
        """What an allowed value means, as the field's text says (会社 for corporation); "" when it does not say."""
        names = (self.value_labels().get(str(value)) or {}).get(lang or _msg.language()) or []
        return names[0] if names else ""

    def meanings(self, lang: str) -> dict[str, str]:
        """value -> meaning for every allowed value the field's text explains."""
        return {str(v): self.meaning(v, lang) for v in self.values if self.meaning(v, lang)}

    def value_label(self, value: Any, lang: str | None = None) -> str:
        """The label of one value in ``lang``: its meaning, else the Japanese one, else the value itself."""
        return value_label(self.owner, self.name, value, lang)


def _make(owner: type, name: str, path: str) -> Entry:
    info = owner.model_fields[name]
    annotation = unwrap(info.annotation)
    origin = typing.get_origin(annotation)
    kind, _ = field_kind(owner, name)
    item = _item(info.annotation)
    if is_model(annotation):
        shape, model = "model", annotation
    elif origin is list:
        shape, model = "list", (item if is_model(item) else None)
    elif origin is dict:
        shape, model = "mapping", None
    else:
        shape, model = "scalar", None
    return Entry(path, owner, name, info, annotation, shape, kind, model, choices(owner, name))


@lru_cache(maxsize=1)
def _all() -> dict[str, Entry]:
    from contracts.answers import Answers

    out: dict[str, Entry] = {}

    def visit(cls: type, prefix: str) -> None:
        for name in cls.model_fields:
            path = f"{prefix}.{name}" if prefix else name
            e = out[path] = _make(cls, name, path)
            if e.model is not None:
                visit(e.model, path)

    visit(Answers, "")
    return out


def paths() -> Iterator[str]:
    """Every field of the answers file as a dotted path without list indexes, in the model's order."""
    return iter(_all())


def entries() -> Iterator[Entry]:
    return iter(_all().values())


def entry(path: str) -> Entry:
    """The field at ``path`` (list indexes allowed after a list: ``deal.hackathon.prizes[0].rank``, ``data.items[1]``);
    KeyError if none."""
    found = _all()
    names: list[str] = []
    for part in split_path(path):
        if is_index(part):
            if not names or found[".".join(names)].shape != "list":
                raise KeyError(path)
            continue
        names.append(part)
        if ".".join(names) not in found:
            raise KeyError(path)
    if not names:
        raise KeyError(path)
    return found[".".join(names)]


# --------------------------------------------------------------------------- paths with indexes


def split_path(path: str) -> list[str]:
    """``deal.research.students[0].name`` or ``deal.research.students.0.name`` -> parts (indexes as digits)."""
    dotted = path.strip()
    if "[" in dotted:  # most paths have no index: no rewriting to do
        dotted = re.sub(r"\[([0-9]+)\]", r".\1", dotted)
    parts = dotted.split(".")
    if "" in parts:
        raise KeyError(path)
    return parts


def is_index(part: Any) -> bool:
    return isinstance(part, int) or (isinstance(part, str) and part.isascii() and part.isdigit())


def annotation_at(path: str) -> Any:
    """The unwrapped type of the value at a dotted path; KeyError if there is no such place.

    List indexes are allowed only into lists of sections (``deal.hackathon.prizes.0.rank``); a mapping
    (``deal.choices``) takes any key below it."""
    from contracts.answers import Answers

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


def owner_at(parts: typing.Iterable[Any]) -> tuple[type | None, str | None, type | None]:
    """Along ``parts`` (names and list indexes, as in a pydantic error location) as far as they name fields:
    (the model that declares the last field, its name, the section that holds the first part that is no field).
    Parts after the last field (pydantic's own, ``function-after[...]``, or an unknown key) stop the walk."""
    from contracts.answers import Answers

    cls: Any = Answers
    parent, name = None, None
    for part in parts:
        if isinstance(part, int):
            continue
        if not is_model(cls) or part not in cls.model_fields:
            return parent, name, (cls if is_model(cls) else None)
        parent, name = cls, part
        cls = _item(cls.model_fields[part].annotation)
    return parent, name, (cls if is_model(cls) else None)


def exists(path: str) -> bool:
    """True if the dotted path names a field that an ``Answers`` object reaches by names alone (through optional
    sections, not into the entries of a list): what a condition or a template may read."""
    found = _all()
    if path not in found:
        return False
    parts = path.split(".")
    return all(found[".".join(parts[:n])].shape != "list" for n in range(1, len(parts)))


def value(answers: Any, path: str) -> Any:
    """The value at ``path`` in an ``Answers`` object (None below a section that is not there, an entry past the
    end of a list); KeyError if the path is not a field."""
    node: Any = answers
    for part in split_path(path):
        fields = _field_names(type(node))
        if fields is not None:
            if part not in fields:
                raise KeyError(path)
            node = getattr(node, part)
        elif node is None:
            return None
        elif isinstance(node, list) and is_index(part):
            node = node[int(part)] if int(part) < len(node) else None
        else:
            raise KeyError(path)
    return node


@lru_cache(maxsize=256)
def _field_names(cls: type) -> frozenset[str] | None:
    """The field names of a pydantic model class, None for any other type: looked up once per class (``value``
    walks about 500 paths per set drafted)."""
    from pydantic import BaseModel

    return frozenset(cls.model_fields) if issubclass(cls, BaseModel) else None


# --------------------------------------------------------------------------- what the validators require


def requirements() -> list[tuple[str, Requirement]]:
    """(path of the section, rule) for every field a section's validator requires when another field of the same
    section has (or lacks) certain values (a section's ``REQUIRES``), wherever that section occurs."""
    from contracts.answers import Answers

    out: list[tuple[str, Requirement]] = []
    sections = [("", Answers)] + [(e.path, e.model) for e in entries() if e.shape == "model"]
    for path, cls in sections:
        for req in getattr(cls, "REQUIRES", ()):
            out.append((path, req))
    return out


def given_paths(node: Any, prefix: str) -> list[str]:
    """Dotted paths of every answer an answers file sets explicitly under the section ``node`` (at ``prefix``):
    each value and each list, the sections it sets looked into (pydantic's ``model_fields_set``)."""
    from pydantic import BaseModel

    out: list[str] = []
    if not isinstance(node, BaseModel):
        return out
    for name in node.model_fields_set:
        found = getattr(node, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(found, BaseModel):
            out += given_paths(found, path)
        else:
            out.append(path)
    return out
