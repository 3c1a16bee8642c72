"""The assembler: answers + library + document kind -> a numbered document tree. Pure, no I/O.

A document is drafted in steps that share no mutable state: `plan_document` decides which articles apply, the
variant of each and the paragraphs and items that survive their conditions, so that every number is known before
any text renders (an immutable Plan); `References` answers the symbolic references of clause text (ref, para, item,
has, survivors, schedule) from that plan for the place being drafted; then the articles, the 別紙, and the preamble
and ending render. A reference that does not resolve fails assembly, naming the place (document: clause (variant)).
Wording that is no clause (the draft notice, the 契印 note, a pledge's signature lines, the 附則 of terms) is
library text too: clauses/boilerplate.yaml.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any

from jinja2 import TemplateError

from contracts import conditions, facts
from contracts.answers import Answers, AnswersError, Party
from contracts.document import (
    FAVOURS_JA,
    Annotation,
    Article,
    Document,
    Item,
    Paragraph,
    Schedule,
    ScheduleRow,
    SideNote,
    SignatureBlock,
    StampBox,
)
from contracts.library import (
    BoilerplateSpec,
    ClauseSpec,
    DocumentSpec,
    ItemSpec,
    Library,
    ParagraphSpec,
    Text,
    VariantSpec,
    resolve,
)
from contracts.messages import text

BLANK_DATE = "　　　　年　　月　　日"
BLANK_DATE_WAREKI = "令和　　年　　月　　日"
END_MARK = "（以下余白）"
# 元号 and the day each began (令和元年 = 2019-05-01); a date before 大正 is written in the Western calendar.
ERAS = ((_dt.date(2019, 5, 1), "令和"), (_dt.date(1989, 1, 8), "平成"), (_dt.date(1926, 12, 25), "昭和"),
        (_dt.date(1912, 7, 30), "大正"))
SUBITEM_LABELS = "アイウエオカキクケコサシスセソタチツテト"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class AssemblyError(Exception):
    """The library and the answers do not make a complete document (e.g. a dangling reference)."""


def fullwidth(n: int) -> str:
    return str(n).translate(_FULLWIDTH)


def yen(amount: int | None) -> str:
    if amount is None:
        raise AssemblyError("yen(): the amount is not set in the answers")
    return f"金{amount:,}円"


def date_ja(d: _dt.date | None, style: str = "seireki") -> str:
    """2027年4月1日, or in 和暦 (``style="wareki"``) 令和9年4月1日; an open date is a blank line to fill in by hand."""
    if style == "wareki":
        if d is None:
            return BLANK_DATE_WAREKI
        for start, era in ERAS:
            if d >= start:
                year = d.year - start.year + 1
                return f"{era}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    if d is None:
        return BLANK_DATE
    return f"{d.year}年{d.month}月{d.day}日"


def date_style(answers: Answers) -> str:
    return answers.deal.date_style


def join_ja(parts: list[str]) -> str:
    """A、B及びC"""
    if len(parts) <= 1:
        return "".join(parts)
    return "、".join(parts[:-1]) + "及び" + parts[-1]


class PartyView:
    """A party inside clause text: prints its short name; attributes give the full particulars."""

    def __init__(self, party: Party | None, short: str):
        self._party = party
        self.short = short

    def __str__(self) -> str:
        return self.short

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._party is None:
            raise AttributeError(name)
        return getattr(self._party, name)


@dataclass(frozen=True)
class PlannedArticle:
    """One article of the draft: its clause, the variant taken, what survives the conditions, and its number."""

    clause: ClauseSpec
    variant: VariantSpec
    number: int
    paragraphs: tuple[ParagraphSpec, ...]
    items: tuple[tuple[ItemSpec, ...], ...]  # the surviving items of each paragraph
    where: str  # how an error names it: 「document: clause id (variant)」


@dataclass(frozen=True)
class Plan:
    """What a document holds before any text renders, so that every reference can be numbered."""

    document: DocumentSpec
    articles: Mapping[str, PlannedArticle]  # clause id -> article, in order
    schedule_labels: Mapping[str, str]  # schedule id -> 別紙 / 別紙1 …


def choose_variant(clause: ClauseSpec, answers: Answers) -> VariantSpec:
    chosen = answers.deal.choices.get(clause.id)
    if chosen is not None:
        v = clause.variant(chosen)
        if v is None:
            ids = ", ".join(x.id for x in clause.variants)
            raise AnswersError("answers", [(f"deal.choices.{clause.id}", text("choices.no_variant", chosen=chosen, ids=ids))])
        return v
    if clause.choose_by:
        value = answers.lookup(clause.choose_by)
        if value is not None:
            v = clause.variant(str(value))
            if v is None:
                raise AssemblyError(f"clause {clause.id}: no variant for {clause.choose_by} = {value}")
            return v
    if len(clause.variants) == 1:
        return clause.variants[0]
    for v in clause.variants:
        if answers.stance in v.stance:
            return v
    raise AssemblyError(f"clause {clause.id}: no variant for stance '{answers.stance}'")


def check_choices(answers: Answers, lib: Library) -> None:
    problems = [
        (f"deal.choices.{cid}", text("choices.no_clause"))
        for cid in answers.deal.choices
        if cid not in lib.clauses
    ]
    if problems:
        raise AnswersError("answers", problems)


def clause_applies(clause: ClauseSpec, answers: Answers) -> bool:
    return answers.model in clause.models and conditions.evaluate(clause.when, answers)


def short_names(spec: DocumentSpec, answers: Answers) -> dict[str, str]:
    out = {}
    for role, names in spec.names.items():
        short = names.kouotsu if answers.parties.naming == "kouotsu" else names.roles
        party = getattr(answers.parties, role, None) if role in ("provider", "recipient") else None
        if answers.parties.naming == "roles" and party is not None and party.role_name:
            short = party.role_name
        out[role] = short
    return out


def assemble_set(answers: Answers, lib: Library) -> list[Document]:
    """Every document of the answers' model, in order (documents with `repeat_for` once per element)."""
    check_choices(answers, lib)
    docs: list[Document] = []
    for spec in lib.documents_for(answers.model):
        if not conditions.evaluate(spec.when, answers):
            continue
        elements = answers.lookup(spec.repeat_for) if spec.repeat_for else None
        if elements:
            for i, element in enumerate(elements, start=1):
                docs.append(assemble(answers, lib, spec.id, element=element, suffix=f"_{i:02d}"))
        else:
            docs.append(assemble(answers, lib, spec.id))
    return _with_stamp_boxes(answers, docs)


def _with_stamp_boxes(answers: Answers, docs: list[Document]) -> list[Document]:
    """A paper draft that is a taxable document gets the 収入印紙 space (how much, on which copies)."""
    if answers.deal.execution != "paper":
        return docs
    from dataclasses import replace

    from contracts import stamp

    out = []
    for d, s in zip(docs, stamp.assess(answers, docs)):
        out.append(replace(d, stamp_box=StampBox(s.tax_yen, s.copies)) if s.taxable else d)
    return out


def assemble(
    answers: Answers, lib: Library, document_id: str, element: Any = None, suffix: str = ""
) -> Document:
    """One document: plan it, then draft its articles, schedules, preamble and ending against the plan."""
    spec = lib.documents[document_id]
    boilerplate = lib.boilerplate
    if boilerplate is None:
        raise AssemblyError(f"{document_id}: the library has no boilerplate section (clauses/boilerplate.yaml)")
    deal_facts = facts.of(answers)
    shorts = short_names(spec, answers)
    plan = plan_document(spec, answers, lib)
    draft = _Draft(answers, lib, plan, References(plan), _context(answers, lib, shorts, element, deal_facts))
    articles = tuple(_render_article(draft, planned) for planned in plan.articles.values())
    schedules = _render_schedules(draft)
    preamble = draft.at(f"{document_id}: preamble").render(spec.preamble) if spec.preamble else ""
    ending = _ending(draft, boilerplate, shorts, element, deal_facts)
    return Document(
        kind=spec.id,
        title=spec.title,
        file_name=spec.file_name + suffix,
        addressee=ending.addressee,
        preamble=preamble,
        articles=articles,
        closing=ending.closing,
        date_line=ending.date_line,
        signatures=ending.signatures,
        schedules=schedules,
        parties=(answers.parties.provider.name, answers.parties.recipient.name),
        notice=boilerplate.notice,
        supplementary=ending.supplementary,
        version_label=version_label(answers),
        end_mark=END_MARK if articles else "",
        seal_note=ending.seal_note,
        date_style=date_style(answers),
    )


def plan_document(spec: DocumentSpec, answers: Answers, lib: Library) -> Plan:
    """Step 1: the articles that apply, the variant of each, the paragraphs and items that survive, the numbers."""
    articles: dict[str, PlannedArticle] = {}
    for cid in spec.articles:
        clause = lib.clauses[cid]
        if not clause_applies(clause, answers):
            continue
        try:
            variant = choose_variant(clause, answers)
        except AssemblyError as exc:
            raise AssemblyError(f"{spec.id}: {exc}") from None
        # List comprehensions, not generators: planning runs for every article of every draft.
        paras = tuple([p for p in variant.paragraphs if conditions.evaluate(p.when, answers)])
        if not paras:
            raise AssemblyError(f"{spec.id}: clause {cid}: every paragraph of variant '{variant.id}' was excluded")
        items = tuple(
            [tuple([i for i in p.items if conditions.evaluate(i.when, answers)]) if p.items else () for p in paras]
        )
        where = f"{spec.id}: clause {cid} ({variant.id})"
        articles[cid] = PlannedArticle(clause, variant, len(articles) + 1, paras, items, where)
    labels = {sid: "別紙" if len(spec.schedules) == 1 else f"別紙{i}" for i, sid in enumerate(spec.schedules, start=1)}
    return Plan(spec, MappingProxyType(articles), MappingProxyType(labels))


class References:
    """Step 2: the numbers clause text cites (ref, para, item, has, survivors, schedule), read off a plan.

    The place being drafted is an argument, never shared state: the library calls `para('key')` and `item('key')`
    without naming the article, so `functions` binds the article and paragraph for the text of one place.
    """

    def __init__(self, plan: Plan):
        self.plan = plan
        # The plan is final before any text renders: joined once (per clause, it made assembly quadratic).
        self._survivors = join_ja([f"第{a.number}条" for a in plan.articles.values() if a.clause.survives])

    def functions(self, where: str, article: PlannedArticle | None = None) -> dict:
        """The functions clause text calls at `where` (in `article`; item() is bound per paragraph)."""
        return {
            "ref": partial(self.ref, where),
            "para": partial(self.para, where, article),
            "item": partial(self.item, where, article, None),
            "schedule": partial(self.schedule, where),
            "has": self.has,
            "survivors": self.survivors,
        }

    def has(self, cid: str) -> bool:
        return cid in self.plan.articles

    def survivors(self) -> str:
        """第N条、… of the articles that survive the end of the contract."""
        return self._survivors

    def ref(self, where: str, cid: str, para: Any = None, item: Any = None) -> str:
        """第N条, 第N条第M項 or 第N条第M項第K号 of another article (or of this one, cited in full)."""
        target = self.plan.articles.get(cid)
        if target is None:
            title = self.plan.document.title
            raise AssemblyError(f"{where}: ref('{cid}') does not resolve: that article is not in {title}")
        out = f"第{target.number}条"
        if para is None:
            return out
        para_no = _para_number(where, target, para, f"ref('{cid}', {para!r})")
        out += f"第{para_no}項"
        if item is not None:
            out += f"第{_item_number(where, target, para_no, item, f'ref({cid!r}, {para!r}, {item!r})')}号"
        return out

    def para(self, where: str, article: PlannedArticle | None, key: Any, item: Any = None) -> str:
        """第M項 (or 第M項第K号) of the article being drafted: paragraphs that a condition drops renumber the rest."""
        if article is None:
            raise AssemblyError(f"{where}: para({key!r}) cites the article being drafted, and this text is in none")
        para_no = _para_number(where, article, key, f"para({key!r})")
        out = f"第{para_no}項"
        if item is not None:
            out += f"第{_item_number(where, article, para_no, item, f'para({key!r}, {item!r})')}号"
        return out

    def item(self, where: str, article: PlannedArticle | None, para_no: int | None, key: Any) -> str:
        """第K号 of the paragraph being drafted (the items it lists)."""
        if article is None or para_no is None:
            raise AssemblyError(f"{where}: item({key!r}) cites an item of the paragraph being drafted, which lists none")
        return f"第{_item_number(where, article, para_no, key, f'item({key!r})')}号"

    def schedule(self, where: str, sid: str) -> str:
        label = self.plan.schedule_labels.get(sid)
        if label is None:
            raise AssemblyError(f"{where}: schedule('{sid}') is not attached to {self.plan.document.title}")
        return label


def _para_number(where: str, target: PlannedArticle, para: Any, call: str) -> int:
    if isinstance(para, str):
        keys = [p.key for p in target.paragraphs]
        if para not in keys:
            raise AssemblyError(f"{where}: {call}: no paragraph '{para}' in this draft")
        return keys.index(para) + 1
    if not 1 <= para <= len(target.paragraphs):
        raise AssemblyError(f"{where}: {call}: the article has {len(target.paragraphs)} paragraph(s)")
    return para


def _item_number(where: str, target: PlannedArticle, para_no: int, item: Any, call: str) -> int:
    items = target.items[para_no - 1]
    if isinstance(item, str):
        keys = [i.key for i in items]
        if item not in keys:
            raise AssemblyError(f"{where}: {call}: no item '{item}' in that paragraph of this draft")
        return keys.index(item) + 1
    if not 1 <= item <= len(items):
        raise AssemblyError(f"{where}: {call}: no such item")
    return item


def _context(answers: Answers, lib: Library, shorts: dict[str, str], element: Any, deal_facts: Any) -> dict:
    """The names every clause text may use, except the reference functions (bound per place by References)."""
    parties = {role: PartyView(getattr(answers.parties, role, None), s) for role, s in shorts.items()}
    for role in ("provider", "recipient"):
        parties.setdefault(role, PartyView(getattr(answers.parties, role), role))
    style = date_style(answers)
    return {
        **parties,
        "data": answers.data,
        "deal": answers.deal,
        "model": answers.model,
        "stance": answers.stance,
        "labels": lib.labels,
        "student": element,
        "facts": deal_facts,
        "title": lambda doc_id: lib.documents[doc_id].title,
        "yen": yen,
        "date": lambda d: date_ja(d, style),
        "vars": {},
    }


class _Place:
    """Library text drafted at one place of the document: the Jinja context there, and how an error names it."""

    __slots__ = ("lib", "where", "context", "answers")  # one per paragraph: a plain class is the cheapest to make

    def __init__(self, lib: Library, where: str, context: dict, answers: Answers):
        self.lib = lib
        self.where = where
        self.context = context
        self.answers = answers  # for the conditions of a text's pieces

    def with_names(self, **names: Any) -> _Place:
        """The same place with some names bound anew (item() for one paragraph of the article)."""
        return _Place(self.lib, self.where, {**self.context, **names}, self.answers)

    def render(self, text: Text, variables: dict | None = None) -> str:
        if not isinstance(text, str):  # pieces (contracts.library.Text): those the deal selects, each rendered
            return "".join(self.render(s, variables) for s in resolve(text, self.answers)).strip()
        if "{" not in text:
            # No Jinja delimiter ({{ {% {#): the template would print the text unchanged, so skip compiling
            # it (about 40 % of the library's texts; compiling was most of a cold assembly).
            return text.strip()
        ctx = self.context if variables is None else {**self.context, "vars": variables}
        try:
            return self.lib.template(text).render(ctx).strip()
        except AssemblyError:
            raise
        except (TemplateError, TypeError, ValueError, AttributeError) as exc:
            raise AssemblyError(f"{self.where}: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class _Draft:
    """What every step of drafting one document reads; nothing in it changes while the document renders."""

    answers: Answers
    lib: Library
    plan: Plan
    refs: References
    context: dict  # the names shared by every place (see _context)

    def at(self, where: str, article: PlannedArticle | None = None) -> _Place:
        return _Place(self.lib, where, {**self.context, **self.refs.functions(where, article)}, self.answers)


def _render_article(draft: _Draft, planned: PlannedArticle) -> Article:
    """Step 3: an article's paragraphs, items and sub-items (numbered as they survive), and its annotation."""
    v = planned.variant
    in_article = draft.at(planned.where, planned)
    paragraphs = []
    for n, (p, surviving) in enumerate(zip(planned.paragraphs, planned.items), start=1):
        # item() cites the items of this paragraph; a paragraph that lists none keeps the article's (which fails).
        place = in_article
        if p.items:
            place = in_article.with_names(item=partial(draft.refs.item, planned.where, planned, n))
        items: list[Item] = []
        for it in surviving:
            subs = tuple(Item(label=SUBITEM_LABELS[k], text=place.render(s, v.vars)) for k, s in enumerate(it.subitems))
            items.append(Item(label=f"（{len(items) + 1}）", text=place.render(it.text, v.vars), subitems=subs))
        paragraphs.append(
            Paragraph(number="" if n == 1 else fullwidth(n), text=place.render(p.text, v.vars), items=tuple(items))
        )
    return Article(
        number=planned.number,
        heading=planned.clause.heading,
        clause_id=planned.clause.id,
        variant_id=v.id,
        paragraphs=tuple(paragraphs),
        annotation=_annotation(planned.clause, v, in_article.render, draft.answers),
    )


def _render_schedules(draft: _Draft) -> tuple[Schedule, ...]:
    """Step 4: the 別紙, with the rows whose conditions hold."""
    place = draft.at(f"{draft.plan.document.id}: schedules")
    return tuple(
        Schedule(
            label=label,
            title=draft.lib.schedules[sid].title,
            rows=tuple(
                ScheduleRow(place.render(r.label), place.render(r.value))
                for r in draft.lib.schedules[sid].rows
                if conditions.evaluate(r.when, draft.answers)
            ),
        )
        for sid, label in draft.plan.schedule_labels.items()
    )


def version_label(answers: Answers) -> str:
    """「甲案・第2版・2027年3月1日」: who drafted this version, its number and date, as the header shows it."""
    v = answers.deal.version
    parts = []
    if v.drafter:
        if answers.parties.naming == "kouotsu":
            parts.append({"provider": "甲案", "recipient": "乙案"}[v.drafter])
        else:
            party = getattr(answers.parties, v.drafter)
            parts.append(f"{party.role_name or {'provider': '提供者', 'recipient': '受領者'}[v.drafter]}案")
    parts.append(f"第{v.number}版")
    if v.date:
        parts.append(date_ja(v.date, date_style(answers)))
    return "・".join(parts)


def _annotation(clause: ClauseSpec, chosen: VariantSpec, render, answers: Answers) -> Annotation:
    def say(text, v: VariantSpec) -> str:
        """The pieces the deal selects (library.resolve), each rendered, joined."""
        return "".join(render(s, v.vars) for s in resolve(text, answers)).strip()

    def one(v: VariantSpec) -> dict:
        a = v.annotation
        return {
            "summary": say(a.summary, v),
            "favours": a.favours,
            "provider": SideNote(say(a.provider.benefit, v), say(a.provider.risk, v)),
            "recipient": SideNote(say(a.recipient.benefit, v), say(a.recipient.risk, v)),
            "issue": say(a.issue, v),
            "direction": say(a.direction, v),
            "references": a.citations,
        }

    alternatives = tuple(
        f"{v.id}（{FAVOURS_JA[v.annotation.favours]}）: {say(v.annotation.summary, v)}"
        for v in clause.variants
        if v.id != chosen.id
    )
    return Annotation(**one(chosen), alternatives=alternatives)


def _signature_lines(party: Party) -> tuple[str, ...]:
    lines = [party.address, party.name]
    if party.representative is not None:
        lines.append(f"{party.representative.title}　{party.representative.name}")
    return tuple(lines)


def _fill(lib: Library, where: str, template: str, **values: Any) -> str:
    """A closing or boilerplate text with the few values the library documents beside it, printed as rendered."""
    try:
        return lib.template(template).render(**values)
    except (TemplateError, TypeError, ValueError, AttributeError) as exc:
        raise AssemblyError(f"{where}: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class _Ending:
    """What follows the last article; which parts a document has depends on its closing style."""

    closing: str = ""
    date_line: str = ""
    signatures: tuple[SignatureBlock, ...] = ()
    addressee: str = ""
    supplementary: tuple[str, ...] = ()
    seal_note: str = ""


def _ending(draft: _Draft, boilerplate: BoilerplateSpec, shorts: dict, element: Any, deal_facts: Any) -> _Ending:
    """Step 5: closing line, date line, signature blocks, 契印 note, addressee and 附則, as the closing style asks."""
    spec, answers, lib = draft.plan.document, draft.answers, draft.lib
    where = f"{spec.id}: closing"
    paper = answers.deal.execution == "paper"
    style = date_style(answers)
    if spec.closing == "standard":
        names = [shorts[r] for r in spec.signers]
        joined = "".join(names) if answers.parties.naming == "kouotsu" else join_ja(names)
        closing_text = lib.closings["paper" if paper else "electronic"]
        closing = _fill(lib, where, closing_text, count=len(spec.signers), names=joined)
        signatures = tuple(
            SignatureBlock(shorts[r], _signature_lines(getattr(answers.parties, r)), "印" if paper else "")
            for r in spec.signers
        )
        date_line = date_ja(getattr(deal_facts, spec.dated), style)
        return _Ending(closing, date_line, signatures, seal_note=_seal_note(lib, where, boilerplate, signatures))
    if spec.closing == "pledge":
        if element is not None and getattr(element, "name", None):
            lines = tuple(_fill(lib, where, line, student=element) for line in boilerplate.pledge_named)
        else:
            lines = tuple(boilerplate.pledge_blank)
        signatures = (SignatureBlock("誓約者", lines, "印" if paper else "（署名）"),)
        # The person pledging signs on their own day, not on the contract date.
        seal_note = _seal_note(lib, where, boilerplate, signatures)
        return _Ending(date_line=date_ja(None, style), signatures=signatures, addressee=_addressee(answers),
                       seal_note=seal_note)
    # Terms (定型約款): no signatures; the 附則 says from when they apply.
    contract_date = answers.deal.contract_date
    if contract_date:
        when = date_ja(contract_date, style)
        return _Ending(supplementary=tuple(_fill(lib, where, line, date=when) for line in boilerplate.terms_dated))
    return _Ending(supplementary=tuple(boilerplate.terms_undated))


def _addressee(answers: Answers) -> str:
    """Whom a pledge is addressed to: 「…大学　学長　…　殿」."""
    party = answers.parties.recipient
    rep = party.representative
    return f"{party.name}　{rep.title}　{rep.name}　殿" if rep else f"{party.name}　殿"


def _seal_note(lib: Library, where: str, boilerplate: BoilerplateSpec, signatures: tuple[SignatureBlock, ...]) -> str:
    """Paper with seals: a draft of two or more sheets is sealed across every fold (契印) with the signing seals."""
    sealed = [s.short_name for s in signatures if s.seal == "印"]
    return _fill(lib, where, boilerplate.seal_note, names=join_ja(sealed)) if sealed else ""
