"""The clause library: load ``clauses/*.yaml`` into typed objects and lint it.

The library is data written by lawyers; this module is the only place that knows its shape.
Texts are Jinja2 templates compiled once, in a sandbox with strict undefined variables.
"""

from __future__ import annotations

import datetime as _dt
import re
import typing
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from contracts import conditions
from contracts.answers import MODEL_IDS, Answers
from contracts.paths import CLAUSES_DIR
from contracts.sources import Registry, SourcesError, default_registry, load_registry

STANCES = ("provider", "balanced", "recipient")
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
    model_config = ConfigDict(extra="forbid", frozen=True)


Cond = Optional[dict[str, Any]]


class ItemSpec(_Spec):
    text: str
    key: Optional[str] = None  # so that item("key") / ref("clause", "para", "key") can cite it
    when: Cond = None
    subitems: list[str] = Field(default_factory=list)

    @field_validator("subitems")
    @classmethod
    def _join_sub_lines(cls, v: list[str]) -> list[str]:
        return [_flatten(x) for x in v]

    @field_validator("text")
    @classmethod
    def _join_lines(cls, v: str) -> str:
        return _flatten(v)


class ParagraphSpec(_Spec):
    text: str
    key: Optional[str] = None
    when: Cond = None
    items: list[ItemSpec] = Field(default_factory=list)

    @field_validator("text")
    @classmethod
    def _join_lines(cls, v: str) -> str:
        return _flatten(v)

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, v: Any) -> Any:
        return [{"text": i} if isinstance(i, str) else i for i in (v or [])]


class SideSpec(_Spec):
    benefit: str
    risk: str

    @field_validator("benefit", "risk")
    @classmethod
    def _join_lines(cls, v: str) -> str:
        return _flatten(v)


class AnnotationSpec(_Spec):
    summary: str
    favours: Literal["provider", "balanced", "recipient"]
    provider: SideSpec
    recipient: SideSpec
    issue: str
    direction: str
    references: list[str] = Field(min_length=1)  # ids of clauses/sources.yaml (see contracts.sources)

    @field_validator("summary", "issue", "direction")
    @classmethod
    def _join_lines(cls, v: str) -> str:
        return _flatten(v)

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
    choose_by: Optional[str] = None
    survives: bool = False
    variants: list[VariantSpec] = Field(min_length=1)

    def variant(self, variant_id: str) -> Optional[VariantSpec]:
        return next((v for v in self.variants if v.id == variant_id), None)


class RowSpec(_Spec):
    label: str
    value: str
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
    preamble: str = ""
    articles: list[str] = Field(min_length=1)
    schedules: list[str] = Field(default_factory=list)
    closing: Literal["standard", "pledge", "terms"] = "standard"
    repeat_for: Optional[str] = None  # answers path of a list: one document per element (as `student`)
    # Which date the document is signed on: the NDA comes before the deal and carries its own date.
    dated: Literal["contract_date", "nda_date"] = "contract_date"

    @field_validator("preamble")
    @classmethod
    def _join_lines(cls, v: str) -> str:
        return _flatten(v)


class LibraryFile(_Spec):
    documents: list[DocumentSpec] = Field(default_factory=list)
    schedules: list[ScheduleSpec] = Field(default_factory=list)
    clauses: list[ClauseSpec] = Field(default_factory=list)
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    closings: dict[str, str] = Field(default_factory=dict)
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

    def __init__(self, files: dict[str, LibraryFile], registry: Registry | None = None):
        self.files = files
        self._registry = registry
        self.documents: dict[str, DocumentSpec] = {}
        self.clauses: dict[str, ClauseSpec] = {}
        self.schedules: dict[str, ScheduleSpec] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.closings: dict[str, str] = {}
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
            if "{" in source:
                tpl = self.env.from_string(source)
            else:
                tpl = _PlainText(source)
            self._compiled[source] = tpl
        return tpl

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


def load_library(directory: Path | None = None) -> Library:
    directory = Path(directory or CLAUSES_DIR)
    files: dict[str, LibraryFile] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
            files[path.name] = LibraryFile.model_validate(raw)
        except yaml.YAMLError as exc:
            raise LibraryError(f"{path.name}: malformed YAML: {exc}") from None
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


@lru_cache(maxsize=1)
def default_library() -> Library:
    """The shipped library, loaded once per process."""
    return load_library()


# --------------------------------------------------------------------------- lint


def _literal_values(path: str) -> Optional[tuple]:
    model: Any = Answers
    annotation: Any = None
    for part in path.split("."):
        annotation = model.model_fields[part].annotation
        model = conditions._inner_model(annotation, typing)
    inner = conditions._inner_model(annotation, typing)
    if typing.get_origin(inner) is Literal:
        return typing.get_args(inner)
    return None


def _nullable(path: str) -> bool:
    model: Any = Answers
    annotation: Any = None
    for part in path.split("."):
        annotation = model.model_fields[part].annotation
        model = conditions._inner_model(annotation, typing)
    return type(None) in typing.get_args(annotation)


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
            model: Any = Answers
            for p in parts[:n]:
                model = conditions._inner_model(model.model_fields[p].annotation, typing)
            # a list of models or a model: the next part must be one of its fields
            if typing.get_origin(model) is list:
                model = typing.get_args(model)[0]
            return isinstance(model, type) and issubclass(model, BaseModel) and rest[0] in model.model_fields
    return False


def check(lib: Library, on_date: _dt.date | None = None) -> list[str]:
    """Every problem in the library, as 'where: what' lines. An empty list means the library is sound.

    Cited legal sources are checked as of ``on_date`` (default: today): unknown ids, drafts (案) and provisions
    superseded or repealed by then are errors.
    """
    errors = list(lib.duplicates) + lib.registry.lint()
    for doc in lib.documents.values():
        where = f"document {doc.id}"
        errors += conditions.problems(doc.when, f"{where}.when")
        for cid in doc.articles:
            if cid not in lib.clauses:
                errors.append(f"{where}: article '{cid}' is not a clause in the library")
        if len(set(doc.articles)) != len(doc.articles):
            errors.append(f"{where}: an article is listed twice")
        for sid in doc.schedules:
            if sid not in lib.schedules:
                errors.append(f"{where}: schedule '{sid}' does not exist")
        for role in doc.signers:
            if role not in doc.names:
                errors.append(f"{where}: signer '{role}' has no entry in names")
        if doc.repeat_for and not conditions.field_exists(doc.repeat_for):
            errors.append(f"{where}.repeat_for: answers field '{doc.repeat_for}' does not exist")
        errors += _check_text(lib, doc.preamble, f"{where}.preamble", [doc], set(doc.names))
    for sch in lib.schedules.values():
        users = [d for d in lib.documents.values() if sch.id in d.schedules]
        if not users:
            errors.append(f"schedule {sch.id}: not used by any document")
        for i, row in enumerate(sch.rows):
            errors += conditions.problems(row.when, f"schedule {sch.id}.rows[{i}].when")
            errors += _check_text(lib, row.label + row.value, f"schedule {sch.id}.rows[{i}]", users, set())
    for clause in lib.clauses.values():
        errors += _check_clause(lib, clause, on_date)
    return errors


def _check_clause(lib: Library, clause: ClauseSpec, on_date: _dt.date | None = None) -> list[str]:
    where = f"clause {clause.id}"
    errors: list[str] = []
    docs = [lib.documents[d] for d in lib.used_in.get(clause.id, []) if d in lib.documents]
    if not docs:
        errors.append(f"{where}: not listed in any document's articles")
    elif not any(set(clause.models) & set(d.models) for d in docs):
        errors.append(f"{where}: its models never meet the models of the documents that list it")
    errors += conditions.problems(clause.when, f"{where}.when")
    roles = set().union(*(set(d.names) for d in docs)) if docs else set()
    ids = [v.id for v in clause.variants]
    if len(set(ids)) != len(ids):
        errors.append(f"{where}: duplicate variant ids")
    if clause.choose_by:
        if not conditions.field_exists(clause.choose_by):
            errors.append(f"{where}.choose_by: answers field '{clause.choose_by}' does not exist")
        else:
            values = _literal_values(clause.choose_by)
            if values is None:
                errors.append(f"{where}.choose_by: '{clause.choose_by}' is not a choice field")
            else:
                missing = [v for v in values if v not in ids]
                if missing:
                    errors.append(f"{where}: no variant for {clause.choose_by} = {', '.join(missing)}")
    needs_stance = len(clause.variants) > 1 and (not clause.choose_by or _nullable(clause.choose_by))
    if needs_stance:
        for s in STANCES:
            n = sum(s in v.stance for v in clause.variants)
            if n != 1:
                errors.append(f"{where}: stance '{s}' is covered by {n} variants (must be exactly 1)")
    for v in clause.variants:
        vw = f"{where}.{v.id}"
        keys = [p.key for p in v.paragraphs if p.key]
        if len(set(keys)) != len(keys):
            errors.append(f"{vw}: duplicate paragraph keys")
        for i, p in enumerate(v.paragraphs):
            errors += conditions.problems(p.when, f"{vw}.paragraphs[{i}].when")
            errors += _check_text(lib, p.text, f"{vw}.paragraphs[{i}]", docs, roles, v.vars, variant=v)
            for j, it in enumerate(p.items):
                errors += conditions.problems(it.when, f"{vw}.paragraphs[{i}].items[{j}].when")
                for text in [it.text, *it.subitems]:
                    errors += _check_text(lib, text, f"{vw}.paragraphs[{i}].items[{j}]", docs, roles, v.vars, variant=v)
        errors += [f"{vw}.{m}" for m in _relative_after_conditional(v)]
        a = v.annotation
        for label, text in (
            ("summary", a.summary), ("issue", a.issue), ("direction", a.direction),
            ("provider.benefit", a.provider.benefit), ("provider.risk", a.provider.risk),
            ("recipient.benefit", a.recipient.benefit), ("recipient.risk", a.recipient.risk),
        ):
            if not str(text).strip():
                errors.append(f"{vw}.annotation.{label}: empty")
            errors += _check_text(
                lib, text, f"{vw}.annotation.{label}", docs, roles, v.vars, contract_text=False, variant=v
            )
        errors += lib.registry.problems(a.references, f"{vw}.annotation.references", on_date)
    return errors


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


def _relative_after_conditional(variant: "VariantSpec") -> list[str]:
    """前項/次項 next to a paragraph that a condition may drop would silently point at another paragraph."""
    out = []
    paras = variant.paragraphs
    for i, p in enumerate(paras):
        for m in _RELATIVE.finditer(p.text):
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


def _check_text(
    lib: Library,
    text: str,
    where: str,
    docs: list[DocumentSpec],
    roles: set[str],
    variant_vars: dict | None = None,
    contract_text: bool = True,
    variant: "VariantSpec | None" = None,
) -> list[str]:
    errors = []
    if PLACEHOLDERS.search(text):
        errors.append(f"{where}: leftover placeholder or Python attribute ({PLACEHOLDERS.search(text).group()!r})")
    if re.search(r"\.mro\b|__\w+__|\bself\b", text):
        errors.append(f"{where}: template reaches for Python internals")
    if contract_text:
        errors += [f"{where}: {m}" for m in _typed_article_numbers(text)]
    errors += [f"{where}: {m}" for m in _typed_paragraph_numbers(text, contract_text)]
    try:
        tree = lib.env.parse(text)
    except TemplateSyntaxError as exc:
        return errors + [f"{where}: Jinja syntax error: {exc.message}"]
    from jinja2 import meta

    allowed = CONTEXT_NAMES | roles
    for name in meta.find_undeclared_variables(tree):
        if name not in allowed:
            errors.append(f"{where}: unknown name '{name}' in template")
    for path in _answer_paths(tree):
        if not _prefix_exists(path):
            errors.append(f"{where}: answers field '{path}' does not exist")
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "vars" and node.attr not in (variant_vars or {}):
            errors.append(f"{where}: vars.{node.attr} is not defined by the variant")
    for args in _calls(tree, "ref") + _calls(tree, "has"):
        if not args or not isinstance(args[0], str):
            errors.append(f"{where}: ref()/has() needs a literal clause id")
            continue
        if args[0] not in lib.clauses:
            errors.append(f"{where}: reference to unknown clause '{args[0]}'")
    for args in _calls(tree, "ref"):
        if args and isinstance(args[0], str) and args[0] in lib.clauses:
            for d in docs:
                if args[0] not in d.articles:
                    errors.append(f"{where}: ref('{args[0]}') dangles in document {d.id} (not one of its articles)")
            if len(args) > 1 and isinstance(args[1], str):
                target = lib.clauses[args[0]]
                if any(args[1] not in [p.key for p in v.paragraphs] for v in target.variants):
                    errors.append(f"{where}: paragraph key '{args[1]}' is missing in some variant of {args[0]}")
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "facts":
            if not conditions.fact_exists(f"facts.{node.attr}"):
                errors.append(f"{where}: facts.{node.attr} is not a deal fact (see contracts/facts.py)")
    for call_name in ("para", "item"):
        for args in _calls(tree, call_name):
            if variant is None:
                errors.append(f"{where}: {call_name}() is only for clause text (it cites the article being drafted)")
                continue
            if not args or not isinstance(args[0], str):
                errors.append(f"{where}: {call_name}() needs a literal key")
                continue
            para_keys = [p.key for p in variant.paragraphs if p.key]
            item_keys = [i.key for p in variant.paragraphs for i in p.items if i.key]
            if call_name == "para" and args[0] not in para_keys:
                errors.append(f"{where}: para('{args[0]}'): no paragraph with that key in variant {variant.id}")
            if call_name == "item" and args[0] not in item_keys:
                errors.append(f"{where}: item('{args[0]}'): no item with that key in variant {variant.id}")
            if call_name == "para" and len(args) > 1 and args[1] not in item_keys:
                errors.append(f"{where}: para('{args[0]}', '{args[1]}'): no item with that key in variant {variant.id}")
    for args in _calls(tree, "schedule"):
        if not args or args[0] not in lib.schedules:
            errors.append(f"{where}: schedule({args[0] if args else ''}) is not a schedule")
        else:
            for d in docs:
                if args[0] not in d.schedules:
                    errors.append(f"{where}: schedule('{args[0]}') is not attached to document {d.id}")
    for args in _calls(tree, "title"):
        if not args or args[0] not in lib.documents:
            errors.append(f"{where}: title({args[0] if args else ''}) is not a document")
    return errors
