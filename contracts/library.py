"""The clause library: load ``clauses/*.yaml`` into typed objects and lint it.

The library is data written by lawyers; this module is the only place that knows its shape.
Texts are Jinja2 templates compiled once, in a sandbox with strict undefined variables.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from contracts import cache, conditions
from contracts.answers import MODEL_IDS, Answers
from contracts.paths import CLAUSES_DIR
from contracts.sources import Registry, SourcesError, default_registry, load_registry
from contracts.vocabulary import STANCES

# libyaml's safe loader parses the ~1 MB library about ten times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PLACEHOLDERS = re.compile(r"〇〇|○○|TODO|XXX|＿＿|__|\?\?\?")
CONTEXT_NAMES = {
    "provider", "recipient", "data", "deal", "model", "stance", "vars", "labels",
    "ref", "has", "schedule", "title", "yen", "date", "survivors", "student", "loop", "range",
    "facts", "para", "item",
}
ROLE_NAMES = {"participant", "learner", "student_role"}


_CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK}) +| +(?={_CJK})")


def _flatten(text: str) -> str:
    """Join the lines of a YAML block: Japanese has no spaces between wrapped lines.

    Folded scalars (>-) turn each line break into a space, so a space touching a Japanese character goes too.
    """
    joined = "".join(line.strip() for line in str(text).splitlines()).strip()
    return _SPACE_NEAR_CJK.sub("", joined)


class _Spec(BaseModel):
    # defer_build: the validators are built on first validation (a cache miss), not when the module is imported.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Cond = dict[str, Any] | None


class ItemSpec(_Spec):
    text: Text
    key: str | None = None  # so that item("key") / ref("clause", "para", "key") can cite it
    when: Cond = None
    subitems: list[Text] = Field(default_factory=list)

    @field_validator("subitems", mode="before")
    @classmethod
    def _join_sub_lines(cls, v: Any) -> Any:
        return [_flatten_text(x) for x in v or []]

    @field_validator("text", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)


class ParagraphSpec(_Spec):
    text: Text
    key: str | None = None
    when: Cond = None
    items: list[ItemSpec] = Field(default_factory=list)

    @field_validator("text", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, v: Any) -> Any:
        return [{"text": i} if isinstance(i, (str, list)) else i for i in (v or [])]


def _flatten_text(v: Any) -> Any:
    """_flatten every string of a text: the whole text, or each string piece of a piece list."""
    if isinstance(v, str):
        return _flatten(v)
    if isinstance(v, list):
        return [_flatten(x) if isinstance(x, str) else x for x in v]
    return v


class WhenPiece(_Spec):
    """A piece of text that appears only when its condition holds."""

    when: dict[str, Any]
    text: Text

    @field_validator("text", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)


class Alternative(_Spec):
    """One alternative of a `choose`; without `when` it always holds (the default, written last)."""

    when: Cond = None
    text: Text

    @field_validator("text", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)


class ChoosePiece(_Spec):
    """The text of the first alternative whose condition holds; nothing when none holds."""

    choose: list[Alternative] = Field(min_length=2)


# A text that varies with the deal: a string, or pieces joined in order (strings, `when` pieces, `choose` pieces).
# The choices are data (contracts.conditions), so the Jinja of each string is interpolation only.
Text = str | list[str | WhenPiece | ChoosePiece]


def text_strings(text: Text) -> list[str]:
    """Every string of a text, in every branch, in order (for linting and compiling ahead)."""
    if isinstance(text, str):
        return [text]
    out: list[str] = []
    for piece in text:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, WhenPiece):
            out += text_strings(piece.text)
        else:
            for alt in piece.choose:
                out += text_strings(alt.text)
    return out


def text_conditions(text: Text, where: str) -> list[tuple[str, Any]]:
    """Every condition of a text with its location: (where, condition)."""
    out: list[tuple[str, Any]] = []
    for i, piece in enumerate([] if isinstance(text, str) else text):
        if isinstance(piece, WhenPiece):
            out += [(f"{where}[{i}].when", piece.when)] + text_conditions(piece.text, f"{where}[{i}].text")
        elif isinstance(piece, ChoosePiece):
            for j, alt in enumerate(piece.choose):
                if alt.when is not None:
                    out.append((f"{where}[{i}].choose[{j}].when", alt.when))
                out += text_conditions(alt.text, f"{where}[{i}].choose[{j}].text")
    return out


def outline(text: Text) -> str:
    """A text on one line for people reading the library (`keiyaku clauses show`): every piece, with its condition."""
    if isinstance(text, str):
        return text
    out = []
    for piece in text:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, WhenPiece):
            out.append(f"［when {piece.when}: {outline(piece.text)}］")
        else:
            alts = [f"when {a.when}: {outline(a.text)}" if a.when else f"else: {outline(a.text)}" for a in piece.choose]
            out.append(f"［{' | '.join(alts)}］")
    return "".join(out)


def resolve(text: Text, answers: Answers) -> list[str]:
    """The strings of a text that these answers select, in order; each is then rendered and the results joined."""
    if isinstance(text, str):
        return [text]
    out: list[str] = []
    for piece in text:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, WhenPiece):
            if conditions.evaluate(piece.when, answers):
                out += resolve(piece.text, answers)
        else:
            alt = next((a for a in piece.choose if conditions.evaluate(a.when, answers)), None)
            if alt is not None:
                out += resolve(alt.text, answers)
    return out


class SideSpec(_Spec):
    benefit: Text
    risk: Text

    @field_validator("benefit", "risk", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)


class AnnotationSpec(_Spec):
    summary: Text
    favours: Literal["provider", "balanced", "recipient"]
    provider: SideSpec
    recipient: SideSpec
    issue: Text
    direction: Text
    references: list[str] = Field(min_length=1)  # ids of clauses/sources.yaml (see contracts.sources)

    @field_validator("summary", "issue", "direction", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)

    @property
    def citations(self) -> tuple[str, ...]:
        """The references as people read them (民法第415条, 経済産業省「…」（2019年12月版）)."""
        registry = default_registry()
        return tuple(registry.label(r) for r in self.references)


class VariantSpec(_Spec):
    id: str
    stance: list[Literal["provider", "balanced", "recipient"]] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    paragraphs: list[ParagraphSpec] = Field(min_length=1)
    annotation: AnnotationSpec


class ClauseSpec(_Spec):
    id: str
    heading: str
    models: list[Literal["hackathon", "paid_consulting", "joint_research", "data_provision"]] = Field(
        default_factory=lambda: list(MODEL_IDS)
    )
    when: Cond = None
    choose_by: str | None = None
    survives: bool = False
    variants: list[VariantSpec] = Field(min_length=1)

    def variant(self, variant_id: str) -> VariantSpec | None:
        return next((v for v in self.variants if v.id == variant_id), None)


class RowSpec(_Spec):
    label: Text
    value: Text
    when: Cond = None


class ScheduleSpec(_Spec):
    id: str
    title: str
    rows: list[RowSpec] = Field(min_length=1)


class NameSpec(_Spec):
    kouotsu: str
    roles: str


class DocumentSpec(_Spec):
    id: str
    title: str
    file_name: str
    order: int
    models: list[Literal["hackathon", "paid_consulting", "joint_research", "data_provision"]]
    when: Cond = None
    signers: list[Literal["provider", "recipient"]] = Field(default_factory=list)
    names: dict[str, NameSpec]
    preamble: Text = ""
    articles: list[str] = Field(min_length=1)
    schedules: list[str] = Field(default_factory=list)
    closing: Literal["standard", "pledge", "terms"] = "standard"
    repeat_for: str | None = None  # answers path of a list: one document per element (as `student`)
    # Which date the document is signed on: the NDA comes before the deal and carries its own date.
    dated: Literal["contract_date", "nda_date"] = "contract_date"

    @field_validator("preamble", mode="before")
    @classmethod
    def _join_lines(cls, v: Any) -> Any:
        return _flatten_text(v)


class BoilerplateSpec(_Spec):
    """Fixed wording around the articles that is no clause (clauses/boilerplate.yaml): kept with the clauses so that
    lawyers review and change it where they change the rest of the wording."""

    notice: str  # the review notice of every draft
    seal_note: str  # paper drafts with seals: where to put the 契印; {{ names }}
    pledge_named: list[str]  # a pledge's signature lines for a named student; {{ student }}
    pledge_blank: list[str]  # ... and for a pledge to fill in by hand
    terms_dated: list[str]  # the 附則 of terms; {{ date }}
    terms_undated: list[str]


class LibraryFile(_Spec):
    documents: list[DocumentSpec] = Field(default_factory=list)
    schedules: list[ScheduleSpec] = Field(default_factory=list)
    clauses: list[ClauseSpec] = Field(default_factory=list)
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    closings: dict[str, str] = Field(default_factory=dict)
    boilerplate: BoilerplateSpec | None = None
    # Risk rules and model profiles live in the same folder; contracts.risk loads and checks them.
    rules: list[Any] = Field(default_factory=list)
    # The registry of legal sources (sources.yaml); contracts.sources loads and checks it.
    sources: list[Any] = Field(default_factory=list)
    profiles: list[Any] = Field(default_factory=list)
    goal_labels: dict[str, Any] = Field(default_factory=dict)
    recipients_min: dict[str, Any] = Field(default_factory=dict)


class _PlainText:
    """Stands in for a compiled template when the text has nothing to render."""

    def __init__(self, text: str):
        self.text = text

    def render(self, *args, **kwargs) -> str:
        return self.text


class LibraryError(Exception):
    """The library files cannot be loaded; the message names the file and the problem."""


class Library:
    """All library files merged; ids are unique across files (duplicates are lint errors)."""

    def __init__(
        self,
        files: dict[str, LibraryFile],
        registry: Registry | None = None,
        codes: Any = None,
        paths_read: dict[str, frozenset[str]] | None = None,
    ):
        """``codes`` and ``paths_read`` come from contracts.cache: compiled texts and crosscheck's scan, per model."""
        self.files = files
        self._registry = registry
        self._codes = codes or {}
        self.paths_read = paths_read or {}
        self.documents: dict[str, DocumentSpec] = {}
        self.clauses: dict[str, ClauseSpec] = {}
        self.schedules: dict[str, ScheduleSpec] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.closings: dict[str, str] = {}
        self.boilerplate: BoilerplateSpec | None = None
        self.duplicates: list[str] = []
        for name, f in files.items():
            for kind, target, items in (
                ("document", self.documents, f.documents),
                ("clause", self.clauses, f.clauses),
                ("schedule", self.schedules, f.schedules),
            ):
                for it in items:
                    if it.id in target:
                        self.duplicates.append(f"{name}: duplicate {kind} id '{it.id}'")
                    target.setdefault(it.id, it)
            self.labels.update(f.labels)
            self.closings.update(f.closings)
            if f.boilerplate is not None:
                if self.boilerplate is not None:
                    self.duplicates.append(f"{name}: a second boilerplate section")
                self.boilerplate = self.boilerplate or f.boilerplate
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        self._compiled: dict[str, Any] = {}

    @property
    def registry(self) -> Registry:
        """The legal sources the annotations cite: the folder's sources.yaml, else the shipped one."""
        return self._registry if self._registry is not None else default_registry()

    def template(self, source: str):
        """A compiled template; text with no Jinja markup skips the compiler (most annotations)."""
        tpl = self._compiled.get(source)
        if tpl is None:
            code = None if "{" not in source else self._codes.get(source)
            if "{" not in source:
                tpl = _PlainText(source)
            elif code is not None:
                tpl = cache.template_from_code(self.env, code)
            else:
                tpl = self.env.from_string(source)
            self._compiled[source] = tpl
        return tpl

    def texts(self) -> list[str]:
        """Every text of the library that may be rendered as a template (for compiling them ahead)."""
        return sorted({t for f in self.files.values() for t in strings_in(f) if "{" in t})

    def clauses_for(self, model: str) -> set[str]:
        """Every clause id the model's documents list (whether or not a given deal makes it apply)."""
        return {cid for d in self.documents_for(model) for cid in d.articles}

    def documents_for(self, model: str) -> list[DocumentSpec]:
        return sorted((d for d in self.documents.values() if model in d.models), key=lambda d: (d.order, d.id))

    @cached_property
    def used_in(self) -> dict[str, list[str]]:
        """clause id -> the documents whose table of contents lists it."""
        out: dict[str, list[str]] = {cid: [] for cid in self.clauses}
        for d in self.documents.values():
            for cid in d.articles:
                out.setdefault(cid, []).append(d.id)
        return out


def strings_in(node: Any):
    """Every string inside a spec object (texts, annotations, rows, closings), depth first."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from strings_in(getattr(node, name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from strings_in(value)


def read_folder(directory: Path | None = None) -> dict[str, Any]:
    """The YAML files of a library folder, parsed once per process for both the clauses and the risk rules."""
    directory = Path(directory or CLAUSES_DIR)
    paths = sorted(directory.glob("*.yaml"))
    return _read_folder(tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths))


@lru_cache(maxsize=4)
def _read_folder(signature: tuple[tuple[str, int, int], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, _, _ in signature:
        path = Path(name)
        try:
            out[path.name] = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
        except yaml.YAMLError as exc:
            raise LibraryError(f"{path.name}: malformed YAML: {exc}") from None
    return out


def load_library(directory: Path | None = None) -> Library:
    directory = Path(directory or CLAUSES_DIR)
    files: dict[str, LibraryFile] = {}
    for name, raw in read_folder(directory).items():
        path = Path(name)
        try:
            files[path.name] = LibraryFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise LibraryError(f"{path.name}: {where}: {first['msg']} ({len(exc.errors())} problem(s))") from None
    if not files:
        raise LibraryError(f"no clause files in {directory}")
    try:
        registry = load_registry(directory)
    except SourcesError as exc:
        raise LibraryError(str(exc)) from None
    return Library(files, registry)


def default_library() -> Library:
    """The shipped library, loaded once per process (from the cross-process cache when it is current)."""
    return cache.shipped().library


# --------------------------------------------------------------------------- JSON Schema of the library format

SCHEMA_FILE = CLAUSES_DIR / "library.schema.json"
# A condition (contracts.conditions) as JSON Schema; the spec classes type it as a plain mapping.
_CONDITION_SCHEMA: dict[str, Any] = {
    "description": "A condition over the answers or the deal facts (facts.*): one comparison, or all/any/not.",
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "field": {"type": "string", "description": "answers path (data.personal_info) or facts.<name>"},
                **{op: {} for op in conditions.COMPARISONS},
                "in": {"type": "array"},
                "not_in": {"type": "array"},
                "empty": {"type": "boolean"},
            },
            "required": ["field"],
            "minProperties": 2,
            "maxProperties": 2,
            "additionalProperties": False,
        },
        {"type": "object", "properties": {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
         "required": ["all"], "additionalProperties": False},
        {"type": "object", "properties": {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
         "required": ["any"], "additionalProperties": False},
        {"type": "object", "properties": {"not": {"$ref": "#/$defs/Condition"}}, "required": ["not"],
         "additionalProperties": False},
    ],
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one clauses/*.yaml file, from the spec classes (rules and sources included).

    Written to clauses/library.schema.json (`python -m contracts.library`), so that editors check and complete the
    files as lawyers type; tests/test_library.py checks that the file is current and that every file validates.
    """
    from pydantic import create_model

    from contracts.risk import ProfileSpec, RuleSpec
    from contracts.sources import Source

    whole = create_model(
        "LibraryFile",
        __base__=LibraryFile,
        rules=(list[RuleSpec], Field(default_factory=list)),
        profiles=(list[ProfileSpec], Field(default_factory=list)),
        sources=(list[Source], Field(default_factory=list)),
        goal_labels=(dict[str, str], Field(default_factory=dict)),
        recipients_min=(dict[str, int], Field(default_factory=dict)),
    )
    schema = whole.model_json_schema()
    schema["$defs"]["Condition"] = _CONDITION_SCHEMA

    def conditions_by_ref(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties", {})
            if "when" in props and "field" not in props:
                nullable = "anyOf" in props["when"]
                cond = {"$ref": "#/$defs/Condition"}
                props["when"] = {"anyOf": [cond, {"type": "null"}], "default": None} if nullable else cond
            for value in node.values():
                conditions_by_ref(value)
        elif isinstance(node, list):
            for value in node:
                conditions_by_ref(value)

    items = schema["$defs"]["ParagraphSpec"]["properties"]["items"]
    text = schema["$defs"]["ParagraphSpec"]["properties"]["text"]["anyOf"]
    items["items"] = {"anyOf": [*text, items["items"]]}  # an item without key or condition: just its text
    conditions_by_ref(schema["$defs"])
    conditions_by_ref(schema["properties"])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "keiyaku clause library file", **schema}


def schema_text() -> str:
    import json

    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m contracts.library: write the schema (from the imported module's classes)
    from contracts import library

    library.SCHEMA_FILE.write_text(library.schema_text(), encoding="utf-8")
    print(f"wrote {library.SCHEMA_FILE}")


# --------------------------------------------------------------------------- lint


def _literal_values(path: str) -> tuple | None:
    """The values a single-choice answer takes (contracts.vocabulary), None for any other field."""
    from contracts import vocabulary

    found = vocabulary.entry(path)
    return found.values if found.shape == "scalar" and found.values else None


def _nullable(path: str) -> bool:
    from contracts import vocabulary

    return vocabulary.entry(path).nullable


def _answer_paths(tree: nodes.Template) -> list[str]:
    """Dotted answers paths read by a template: data.x.y / deal.x (attribute chains only)."""
    out = []
    for node in tree.find_all(nodes.Getattr):
        chain = []
        cur: Any = node
        while isinstance(cur, nodes.Getattr):
            chain.append(cur.attr)
            cur = cur.node
        if isinstance(cur, nodes.Name) and cur.name in ("data", "deal"):
            out.append(".".join([cur.name] + list(reversed(chain))))
    return out


def _calls(tree: nodes.Template, name: str) -> list[list[Any]]:
    out = []
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == name:
            out.append([a.value if isinstance(a, nodes.Const) else None for a in call.args])
    return out


def _prefix_exists(path: str) -> bool:
    """Attribute chains may run past a field into a value's own attributes (e.g. .name of a party)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        if conditions.field_exists(".".join(parts[:n])):
            rest = parts[n:]
            if not rest:
                return True
            from contracts import vocabulary

            # a list of models or a model: the next part must be one of its fields
            model = vocabulary.entry(".".join(parts[:n])).model
            return model is not None and rest[0] in model.model_fields
    return False


# The lint is a registry of small named rules, each a function with a one-line docstring. A library rule sees the
# whole library; a text rule sees one text at a time (a TextSite: where it is, which documents print it, the
# variant it belongs to). `check` runs them all; `run_rule` runs one (tests make each fault and see its rule fire).
LibraryRule = Callable[["Library", _dt.date | None], list[str]]
TextRule = Callable[["Library", "TextSite"], list[str]]
LIBRARY_RULES: dict[str, LibraryRule] = {}
TEXT_RULES: dict[str, TextRule] = {}


def library_rule(fn: LibraryRule) -> LibraryRule:
    LIBRARY_RULES[fn.__name__] = fn
    return fn


def text_rule(fn: TextRule) -> TextRule:
    TEXT_RULES[fn.__name__] = fn
    return fn


@dataclass(frozen=True)
class TextSite:
    """One text of the library with what its rules need to judge it."""

    where: str
    text: str
    docs: tuple[DocumentSpec, ...]  # the documents that print it
    roles: frozenset[str]  # the role names those documents define (provider, recipient, participant, ...)
    variant: VariantSpec | None = None  # clause texts and annotations: the variant it belongs to
    contract_text: bool = True  # False for annotations (commentary may cite statutes' items)

    @cached_property
    def tree(self) -> nodes.Template | None:
        """The parsed template; None when it does not parse (rule jinja_syntax reports that)."""
        try:
            return _PARSER.parse(self.text)
        except TemplateSyntaxError:
            return None


_PARSER = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def check(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every problem in the library, as 'where: what' lines. An empty list means the library is sound.

    Cited legal sources are checked as of ``on_date`` (default: today): unknown ids, drafts (案) and provisions
    superseded or repealed by then are errors.
    """
    errors = [e for rule in LIBRARY_RULES.values() for e in rule(lib, on_date)]
    for site in text_sites(lib):
        errors += [e for rule in TEXT_RULES.values() for e in rule(lib, site)]
    return errors


def run_rule(lib: Library, name: str, on_date: _dt.date | None = None) -> list[str]:
    """The problems one rule finds (by function name)."""
    if name in LIBRARY_RULES:
        return LIBRARY_RULES[name](lib, on_date)
    return [e for site in text_sites(lib) for e in TEXT_RULES[name](lib, site)]


def _documents_of(lib: Library, clause: ClauseSpec) -> list[DocumentSpec]:
    return [lib.documents[d] for d in lib.used_in.get(clause.id, []) if d in lib.documents]


def _annotation_texts(v: VariantSpec) -> list[tuple[str, Text]]:
    a = v.annotation
    return [
        ("summary", a.summary), ("issue", a.issue), ("direction", a.direction),
        ("provider.benefit", a.provider.benefit), ("provider.risk", a.provider.risk),
        ("recipient.benefit", a.recipient.benefit), ("recipient.risk", a.recipient.risk),
    ]


def _joined(text: Text) -> str:
    """Every piece of a text joined, for the text rules: a sentence that names a statute may run into the next piece."""
    return "".join(text_strings(text))


def _texts_with_places(lib: Library) -> list[tuple[str, Text]]:
    """Every Text of the library with where it is (for the rules that look inside the pieces)."""
    out: list[tuple[str, Text]] = [(f"document {d.id}.preamble", d.preamble) for d in lib.documents.values()]
    for sch in lib.schedules.values():
        for i, row in enumerate(sch.rows):
            out += [(f"schedule {sch.id}.rows[{i}].label", row.label), (f"schedule {sch.id}.rows[{i}].value", row.value)]
    for clause in lib.clauses.values():
        for v in clause.variants:
            vw = f"clause {clause.id}.{v.id}"
            for i, p in enumerate(v.paragraphs):
                out.append((f"{vw}.paragraphs[{i}].text", p.text))
                for j, it in enumerate(p.items):
                    out.append((f"{vw}.paragraphs[{i}].items[{j}].text", it.text))
                    out += [(f"{vw}.paragraphs[{i}].items[{j}].subitems[{k}]", x) for k, x in enumerate(it.subitems)]
            out += [(f"{vw}.annotation.{label}", text) for label, text in _annotation_texts(v)]
    return out


def text_sites(lib: Library) -> list[TextSite]:
    """Every text of the library: preambles, schedule rows, paragraphs, items, subitems and annotations."""
    out = []
    for doc in lib.documents.values():
        out.append(TextSite(f"document {doc.id}.preamble", _joined(doc.preamble), (doc,), frozenset(doc.names)))
    for sch in lib.schedules.values():
        users = tuple(d for d in lib.documents.values() if sch.id in d.schedules)
        for i, row in enumerate(sch.rows):
            out.append(TextSite(f"schedule {sch.id}.rows[{i}]", _joined(row.label) + _joined(row.value), users,
                                frozenset()))
    for clause in lib.clauses.values():
        docs = tuple(_documents_of(lib, clause))
        roles = frozenset().union(*(d.names for d in docs))
        for v in clause.variants:
            vw = f"clause {clause.id}.{v.id}"
            for i, p in enumerate(v.paragraphs):
                out.append(TextSite(f"{vw}.paragraphs[{i}]", _joined(p.text), docs, roles, v))
                for j, it in enumerate(p.items):
                    for text in [it.text, *it.subitems]:
                        out.append(TextSite(f"{vw}.paragraphs[{i}].items[{j}]", _joined(text), docs, roles, v))
            for label, text in _annotation_texts(v):
                out.append(TextSite(f"{vw}.annotation.{label}", _joined(text), docs, roles, v, contract_text=False))
    return out


# ------------------------------------------------------------------ library rules


@library_rule
def unique_ids(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Document, clause and schedule ids are unique across the files."""
    return list(lib.duplicates)


@library_rule
def sources_sound(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """The registry of legal sources is itself sound (contracts.sources)."""
    return lib.registry.lint()


@library_rule
def conditions_well_formed(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every condition names a real answers field or fact and has one known operator."""
    errors = [e for d in lib.documents.values() for e in conditions.problems(d.when, f"document {d.id}.when")]
    for sch in lib.schedules.values():
        for i, row in enumerate(sch.rows):
            errors += conditions.problems(row.when, f"schedule {sch.id}.rows[{i}].when")
    for clause in lib.clauses.values():
        where = f"clause {clause.id}"
        errors += conditions.problems(clause.when, f"{where}.when")
        for v in clause.variants:
            vw = f"{where}.{v.id}"
            for i, p in enumerate(v.paragraphs):
                errors += conditions.problems(p.when, f"{vw}.paragraphs[{i}].when")
                for j, it in enumerate(p.items):
                    errors += conditions.problems(it.when, f"{vw}.paragraphs[{i}].items[{j}].when")
    for where, text in _texts_with_places(lib):
        for w, cond in text_conditions(text, where):
            errors += conditions.problems(cond, w)
    return errors


@library_rule
def articles_exist(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A document's articles are clauses of the library."""
    return [
        f"document {d.id}: article '{cid}' is not a clause in the library"
        for d in lib.documents.values()
        for cid in d.articles
        if cid not in lib.clauses
    ]


@library_rule
def articles_listed_once(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A document lists each article once."""
    return [f"document {d.id}: an article is listed twice" for d in lib.documents.values()
            if len(set(d.articles)) != len(d.articles)]


@library_rule
def schedules_exist(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A document's schedules are schedules of the library."""
    return [
        f"document {d.id}: schedule '{sid}' does not exist"
        for d in lib.documents.values()
        for sid in d.schedules
        if sid not in lib.schedules
    ]


@library_rule
def signers_named(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every signer of a document has names (甲・乙 and the role name)."""
    return [
        f"document {d.id}: signer '{role}' has no entry in names"
        for d in lib.documents.values()
        for role in d.signers
        if role not in d.names
    ]


@library_rule
def repeat_for_exists(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A document repeated per element names a real answers list."""
    return [
        f"document {d.id}.repeat_for: answers field '{d.repeat_for}' does not exist"
        for d in lib.documents.values()
        if d.repeat_for and not conditions.field_exists(d.repeat_for)
    ]


@library_rule
def schedules_used(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every schedule is attached to some document."""
    used = {sid for d in lib.documents.values() for sid in d.schedules}
    return [f"schedule {sid}: not used by any document" for sid in lib.schedules if sid not in used]


@library_rule
def clauses_listed(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every clause is an article of some document, and of one whose models it shares."""
    errors = []
    for clause in lib.clauses.values():
        docs = _documents_of(lib, clause)
        if not docs:
            errors.append(f"clause {clause.id}: not listed in any document's articles")
        elif not any(set(clause.models) & set(d.models) for d in docs):
            errors.append(f"clause {clause.id}: its models never meet the models of the documents that list it")
    return errors


@library_rule
def variant_ids_unique(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A clause's variants have distinct ids."""
    return [f"clause {c.id}: duplicate variant ids" for c in lib.clauses.values()
            if len({v.id for v in c.variants}) != len(c.variants)]


@library_rule
def choose_by_valid(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """choose_by names a choice field of the answers, and every value of it has a variant."""
    errors = []
    for clause in lib.clauses.values():
        if not clause.choose_by:
            continue
        where = f"clause {clause.id}"
        if not conditions.field_exists(clause.choose_by):
            errors.append(f"{where}.choose_by: answers field '{clause.choose_by}' does not exist")
            continue
        values = _literal_values(clause.choose_by)
        if values is None:
            errors.append(f"{where}.choose_by: '{clause.choose_by}' is not a choice field")
            continue
        ids = [v.id for v in clause.variants]
        missing = [v for v in values if v not in ids]
        if missing:
            errors.append(f"{where}: no variant for {clause.choose_by} = {', '.join(missing)}")
    return errors


@library_rule
def stances_covered(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A clause chosen by stance has exactly one variant per stance."""
    errors = []
    for clause in lib.clauses.values():
        if len(clause.variants) < 2 or (clause.choose_by and conditions.field_exists(clause.choose_by)
                                        and not _nullable(clause.choose_by)):
            continue
        for s in STANCES:
            n = sum(s in v.stance for v in clause.variants)
            if n != 1:
                errors.append(f"clause {clause.id}: stance '{s}' is covered by {n} variants (must be exactly 1)")
    return errors


@library_rule
def paragraph_keys_unique(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """A variant's paragraph keys are distinct, so para()/ref() name one paragraph."""
    errors = []
    for clause in lib.clauses.values():
        for v in clause.variants:
            keys = [p.key for p in v.paragraphs if p.key]
            if len(set(keys)) != len(keys):
                errors.append(f"clause {clause.id}.{v.id}: duplicate paragraph keys")
    return errors


@library_rule
def relative_references_stable(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """前項/次項 never sits next to a paragraph that a condition may drop."""
    return [
        f"clause {clause.id}.{v.id}.{m}"
        for clause in lib.clauses.values()
        for v in clause.variants
        for m in _relative_after_conditional(v)
    ]


@library_rule
def annotations_complete(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """No annotation text is empty."""
    return [
        f"clause {clause.id}.{v.id}.annotation.{label}: empty"
        for clause in lib.clauses.values()
        for v in clause.variants
        for label, text in _annotation_texts(v)
        if not "".join(text_strings(text)).strip()
    ]


@library_rule
def annotation_references_valid(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Annotations cite sources of the registry that are in force (not drafts, not superseded or repealed)."""
    return [
        e
        for clause in lib.clauses.values()
        for v in clause.variants
        for e in lib.registry.problems(v.annotation.references, f"clause {clause.id}.{v.id}.annotation.references",
                                       on_date)
    ]


_CONTROL_TAG = re.compile(r"{%-?\s*(\w+)\s*(.*?)\s*-?%}")
# Whether an article is in the document being drafted is no answer a condition could read: has() may choose.
_HAS_TEST = re.compile(r"(not\s+)?has\(\s*(['\"])\w+\2\s*\)")


@library_rule
def no_control_tags(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Texts and risk rules choose their wording by when/choose pieces, not Jinja tags (has() excepted)."""
    found = [(where, s) for where, text in _texts_with_places(lib) for s in text_strings(text)]
    for name, f in lib.files.items():
        for rule in f.rules:
            for field in ("message", "action"):
                value = rule.get(field) if isinstance(rule, dict) else None
                found += [(f"{name}: rule {rule.get('id')}.{field}", s) for s in strings_in(value)]
    errors = []
    for where, s in found:
        tags = sorted(
            {m.group(1) for m in _CONTROL_TAG.finditer(s)
             if not (m.group(1) in ("if", "elif") and _HAS_TEST.fullmatch(m.group(2)))}
            - {"else", "endif", "endfor", "endset"}
        )
        if tags:
            errors.append(f"{where}: Jinja control tags ({', '.join(tags)}); write the choice as when/choose pieces")
    return errors


# ------------------------------------------------------------------ text rules


@text_rule
def no_placeholders(lib: Library, site: TextSite) -> list[str]:
    """No leftover placeholder (〇〇, TODO, ＿＿, ???)."""
    m = PLACEHOLDERS.search(site.text)
    return [f"{site.where}: leftover placeholder or Python attribute ({m.group()!r})"] if m else []


@text_rule
def no_python_internals(lib: Library, site: TextSite) -> list[str]:
    """A template never reaches for Python internals (__class__, mro, self)."""
    if re.search(r"\.mro\b|__\w+__|\bself\b", site.text):
        return [f"{site.where}: template reaches for Python internals"]
    return []


@text_rule
def no_typed_article_numbers(lib: Library, site: TextSite) -> list[str]:
    """Contract text cites its own articles with ref(), never a typed 第N条."""
    return [f"{site.where}: {m}" for m in _typed_article_numbers(site.text)] if site.contract_text else []


@text_rule
def no_typed_paragraph_numbers(lib: Library, site: TextSite) -> list[str]:
    """Paragraphs and items of the contract are cited with para()/item()/ref(), never a typed 第N項/第N号."""
    return [f"{site.where}: {m}" for m in _typed_paragraph_numbers(site.text, site.contract_text)]


@text_rule
def jinja_syntax(lib: Library, site: TextSite) -> list[str]:
    """Every text is a well-formed template."""
    if site.tree is not None:
        return []
    try:
        _PARSER.parse(site.text)
    except TemplateSyntaxError as exc:
        return [f"{site.where}: Jinja syntax error: {exc.message}"]
    return []


@text_rule
def known_names(lib: Library, site: TextSite) -> list[str]:
    """A template uses only the names the assembler provides (and the document's role names)."""
    if site.tree is None:
        return []
    from jinja2 import meta

    allowed = CONTEXT_NAMES | site.roles
    return [f"{site.where}: unknown name '{n}' in template"
            for n in sorted(meta.find_undeclared_variables(site.tree)) if n not in allowed]


@text_rule
def answer_fields_exist(lib: Library, site: TextSite) -> list[str]:
    """data.* and deal.* paths in a template are fields of the answers."""
    if site.tree is None:
        return []
    return [f"{site.where}: answers field '{p}' does not exist" for p in _answer_paths(site.tree)
            if not _prefix_exists(p)]


@text_rule
def vars_defined(lib: Library, site: TextSite) -> list[str]:
    """vars.* in a text is defined by its variant."""
    if site.tree is None:
        return []
    defined = site.variant.vars if site.variant is not None else {}
    return [
        f"{site.where}: vars.{node.attr} is not defined by the variant"
        for node in site.tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "vars" and node.attr not in defined
    ]


@text_rule
def facts_exist(lib: Library, site: TextSite) -> list[str]:
    """facts.* in a template is a deal fact of contracts/facts.py."""
    if site.tree is None:
        return []
    return [
        f"{site.where}: facts.{node.attr} is not a deal fact (see contracts/facts.py)"
        for node in site.tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "facts"
        and not conditions.fact_exists(f"facts.{node.attr}")
    ]


@text_rule
def references_known(lib: Library, site: TextSite) -> list[str]:
    """ref()/has() name a clause of the library, literally."""
    if site.tree is None:
        return []
    errors = []
    for args in _calls(site.tree, "ref") + _calls(site.tree, "has"):
        if not args or not isinstance(args[0], str):
            errors.append(f"{site.where}: ref()/has() needs a literal clause id")
        elif args[0] not in lib.clauses:
            errors.append(f"{site.where}: reference to unknown clause '{args[0]}'")
    return errors


@text_rule
def references_resolve(lib: Library, site: TextSite) -> list[str]:
    """ref() points at an article of every document that prints the text, and at a paragraph key every variant has."""
    if site.tree is None:
        return []
    errors = []
    for args in _calls(site.tree, "ref"):
        if not args or not isinstance(args[0], str) or args[0] not in lib.clauses:
            continue
        for d in site.docs:
            if args[0] not in d.articles:
                errors.append(f"{site.where}: ref('{args[0]}') dangles in document {d.id} (not one of its articles)")
        if len(args) > 1 and isinstance(args[1], str):
            if any(args[1] not in [p.key for p in v.paragraphs] for v in lib.clauses[args[0]].variants):
                errors.append(f"{site.where}: paragraph key '{args[1]}' is missing in some variant of {args[0]}")
    return errors


@text_rule
def own_keys_exist(lib: Library, site: TextSite) -> list[str]:
    """para()/item() are used in clause text only and name a key of the variant being drafted."""
    if site.tree is None:
        return []
    errors = []
    variant = site.variant
    para_keys = [p.key for p in variant.paragraphs if p.key] if variant else []
    item_keys = [i.key for p in variant.paragraphs for i in p.items if i.key] if variant else []
    for call_name in ("para", "item"):
        for args in _calls(site.tree, call_name):
            if variant is None:
                errors.append(f"{site.where}: {call_name}() is only for clause text (it cites the article being drafted)")
                continue
            if not args or not isinstance(args[0], str):
                errors.append(f"{site.where}: {call_name}() needs a literal key")
                continue
            if call_name == "para" and args[0] not in para_keys:
                errors.append(f"{site.where}: para('{args[0]}'): no paragraph with that key in variant {variant.id}")
            if call_name == "item" and args[0] not in item_keys:
                errors.append(f"{site.where}: item('{args[0]}'): no item with that key in variant {variant.id}")
            if call_name == "para" and len(args) > 1 and args[1] not in item_keys:
                errors.append(
                    f"{site.where}: para('{args[0]}', '{args[1]}'): no item with that key in variant {variant.id}"
                )
    return errors


@text_rule
def schedules_attached(lib: Library, site: TextSite) -> list[str]:
    """schedule() names a schedule attached to every document that prints the text."""
    if site.tree is None:
        return []
    errors = []
    for args in _calls(site.tree, "schedule"):
        if not args or args[0] not in lib.schedules:
            errors.append(f"{site.where}: schedule({args[0] if args else ''}) is not a schedule")
            continue
        for d in site.docs:
            if args[0] not in d.schedules:
                errors.append(f"{site.where}: schedule('{args[0]}') is not attached to document {d.id}")
    return errors


@text_rule
def titles_known(lib: Library, site: TextSite) -> list[str]:
    """title() names a document of the library."""
    if site.tree is None:
        return []
    return [f"{site.where}: title({args[0] if args else ''}) is not a document"
            for args in _calls(site.tree, "title") if not args or args[0] not in lib.documents]


# ------------------------------------------------------------------ helpers of the rules

_ARTICLE = re.compile(r"第[0-9０-９]+条")

# 第N項 / 第N号 not attached to an article (第5条第2項), a statute's 同条/同項, or a table (別表第一第2号):
# a paragraph or item of the contract itself, typed by hand.
_BARE_PARA = re.compile(r"(?<![条項号表0-9０-９一二三四五六七八九十のノ])第[0-9０-９]+[項号](?!の[0-9０-９]|文書)")
_RELATIVE = re.compile(r"前項|前各項|前二項|前三項|次項")
_LAW = re.compile(r"(法律|(?<!方)法|令|規則|条約|約款)")


def _typed_paragraph_numbers(text: str, contract_text: bool) -> list[str]:
    """第2項 / 第3号 of the contract itself: numbers shift when a condition drops a paragraph or item.

    In commentary, a sentence that names a statute may list its items (同項第5号から第7号まで).
    """
    out = []
    for m in _BARE_PARA.finditer(text):
        if not contract_text:
            start = text.rfind("。", 0, m.start())
            if _LAW.search(text[start + 1 : m.start()]):
                continue
        out.append(f"paragraph or item number {m.group()!r} typed by hand; use para('key'), item('key') or ref()")
    return out


def _relative_after_conditional(variant: VariantSpec) -> list[str]:
    """前項/次項 next to a paragraph that a condition may drop would silently point at another paragraph."""
    out = []
    paras = variant.paragraphs
    for i, p in enumerate(paras):
        for m in _RELATIVE.finditer(_joined(p.text)):
            word = m.group()
            neighbour = paras[i + 1] if word == "次項" else (paras[i - 1] if i > 0 else None)
            if word in ("前各項", "前二項", "前三項"):
                continue  # a range: a dropped paragraph narrows it, which is what the text means
            if neighbour is not None and neighbour.when is not None and p.when != neighbour.when:
                out.append(
                    f"paragraphs[{i}]: 「{word}」 refers to a paragraph that a condition may drop; use para('key')"
                )
    return out


def _typed_article_numbers(text: str) -> list[str]:
    """Article numbers of the contract itself are computed; a typed 第N条 goes stale when the set changes.

    A number inside a sentence that names a statute before it (民法第548条の2) is a legal citation and is fine.
    """
    out = []
    for m in _ARTICLE.finditer(text):
        start = text.rfind("。", 0, m.start())
        if not _LAW.search(text[start + 1 : m.start()]):
            out.append(f"article number {m.group()!r} typed by hand; use ref()")
    return out
