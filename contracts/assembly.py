"""The assembler: answers + library + document kind -> a numbered document tree. Pure, no I/O.

Two passes: first decide which articles apply, which variant each takes and which paragraphs
survive their conditions (so that every number is known), then render the text, resolving
symbolic references against those numbers. A reference that does not resolve fails assembly.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Optional

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
from contracts.library import ClauseSpec, DocumentSpec, Library, ParagraphSpec, VariantSpec
from contracts.messages import text

DRAFT_NOTICE = (
    "【草案】本書は keiyaku が回答内容から自動作成した契約書の草案です。"
    "締結・使用の前に、必ず弁護士等の資格を有する専門家による確認を受けてください。"
)
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


def yen(amount: Optional[int]) -> str:
    if amount is None:
        raise AssemblyError("yen(): the amount is not set in the answers")
    return f"金{amount:,}円"


def date_ja(d: Optional[_dt.date], style: str = "seireki") -> str:
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

    def __init__(self, party: Optional[Party], short: str):
        self._party = party
        self.short = short

    def __str__(self) -> str:
        return self.short

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._party is None:
            raise AttributeError(name)
        return getattr(self._party, name)


@dataclass
class _Planned:
    clause: ClauseSpec
    variant: VariantSpec
    paragraphs: list[ParagraphSpec]
    number: int


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
    spec = lib.documents[document_id]
    deal_facts = facts.of(answers)
    shorts = short_names(spec, answers)
    parties = {role: PartyView(getattr(answers.parties, role, None), s) for role, s in shorts.items()}
    for role in ("provider", "recipient"):
        parties.setdefault(role, PartyView(getattr(answers.parties, role), role))

    plan: dict[str, _Planned] = {}
    for cid in spec.articles:
        clause = lib.clauses[cid]
        if not clause_applies(clause, answers):
            continue
        variant = choose_variant(clause, answers)
        paras = [p for p in variant.paragraphs if conditions.evaluate(p.when, answers)]
        if not paras:
            raise AssemblyError(f"{document_id}: clause {cid}: every paragraph of variant '{variant.id}' was excluded")
        plan[cid] = _Planned(clause, variant, paras, len(plan) + 1)

    schedule_labels = {
        sid: ("別紙" if len(spec.schedules) == 1 else f"別紙{i}") for i, sid in enumerate(spec.schedules, start=1)
    }
    current: dict[str, Any] = {"where": f"{document_id}", "cid": None, "para": 1}

    def _para_number(target: _Planned, para: Any, call: str) -> int:
        if isinstance(para, str):
            keys = [p.key for p in target.paragraphs]
            if para not in keys:
                raise AssemblyError(f"{current['where']}: {call}: no paragraph '{para}' in this draft")
            return keys.index(para) + 1
        if not 1 <= para <= len(target.paragraphs):
            raise AssemblyError(f"{current['where']}: {call}: the article has {len(target.paragraphs)} paragraph(s)")
        return para

    def _item_number(target: _Planned, para_no: int, item: Any, call: str) -> int:
        items = [i for i in target.paragraphs[para_no - 1].items if conditions.evaluate(i.when, answers)]
        if isinstance(item, str):
            keys = [i.key for i in items]
            if item not in keys:
                raise AssemblyError(f"{current['where']}: {call}: no item '{item}' in that paragraph of this draft")
            return keys.index(item) + 1
        if not 1 <= item <= len(items):
            raise AssemblyError(f"{current['where']}: {call}: no such item")
        return item

    def ref(cid: str, para: Any = None, item: Any = None) -> str:
        """第N条, 第N条第M項 or 第N条第M項第K号 of another article (or of this one, cited in full)."""
        target = plan.get(cid)
        if target is None:
            raise AssemblyError(f"{current['where']}: ref('{cid}') does not resolve: that article is not in {spec.title}")
        out = f"第{target.number}条"
        if para is None:
            return out
        para_no = _para_number(target, para, f"ref('{cid}', {para!r})")
        out += f"第{para_no}項"
        if item is not None:
            out += f"第{_item_number(target, para_no, item, f'ref({cid!r}, {para!r}, {item!r})')}号"
        return out

    def para(key: Any, item: Any = None) -> str:
        """第M項 (or 第M項第K号) of the article being drafted: paragraphs that a condition drops renumber the rest."""
        target = plan[current["cid"]]
        para_no = _para_number(target, key, f"para({key!r})")
        out = f"第{para_no}項"
        if item is not None:
            out += f"第{_item_number(target, para_no, item, f'para({key!r}, {item!r})')}号"
        return out

    def item(key: str) -> str:
        """第K号 of the paragraph being drafted (the items it lists)."""
        target = plan[current["cid"]]
        return f"第{_item_number(target, current['para'], key, f'item({key!r})')}号"

    def has(cid: str) -> bool:
        return cid in plan

    survivor_text: list[str] = []

    def survivors() -> str:
        # The plan is final before any text renders: compute once (called per clause, it made assembly quadratic).
        if not survivor_text:
            survivor_text.append(join_ja([f"第{p.number}条" for p in plan.values() if p.clause.survives]))
        return survivor_text[0]

    def schedule(sid: str) -> str:
        if sid not in schedule_labels:
            raise AssemblyError(f"{current['where']}: schedule('{sid}') is not attached to {spec.title}")
        return schedule_labels[sid]

    def title(doc_id: str) -> str:
        return lib.documents[doc_id].title

    base_context = {
        **parties,
        "data": answers.data,
        "deal": answers.deal,
        "model": answers.model,
        "stance": answers.stance,
        "labels": lib.labels,
        "student": element,
        "ref": ref,
        "para": para,
        "item": item,
        "facts": deal_facts,
        "has": has,
        "survivors": survivors,
        "schedule": schedule,
        "title": title,
        "yen": yen,
        "date": lambda d: date_ja(d, date_style(answers)),
        "vars": {},
    }

    def render(text: str, variables: Optional[dict] = None) -> str:
        if "{" not in text:
            # No Jinja delimiter ({{ {% {#): the template would print the text unchanged, so skip compiling
            # it (about 40 % of the library's texts; compiling was most of a cold assembly).
            return text.strip()
        ctx = base_context if variables is None else {**base_context, "vars": variables}
        try:
            return lib.template(text).render(ctx).strip()
        except AssemblyError:
            raise
        except (TemplateError, TypeError, ValueError, AttributeError) as exc:
            raise AssemblyError(f"{current['where']}: {type(exc).__name__}: {exc}") from None

    articles = []
    for cid, planned in plan.items():
        current["where"] = f"{document_id}: clause {cid} ({planned.variant.id})"
        current["cid"] = cid
        v = planned.variant
        paragraphs = []
        for n, p in enumerate(planned.paragraphs, start=1):
            current["para"] = n
            items = []
            for it in (i for i in p.items if conditions.evaluate(i.when, answers)):
                subs = tuple(
                    Item(label=SUBITEM_LABELS[k], text=render(s, v.vars)) for k, s in enumerate(it.subitems)
                )
                items.append(Item(label=f"（{len(items) + 1}）", text=render(it.text, v.vars), subitems=subs))
            paragraphs.append(
                Paragraph(number="" if n == 1 else fullwidth(n), text=render(p.text, v.vars), items=tuple(items))
            )
        articles.append(
            Article(
                number=planned.number,
                heading=planned.clause.heading,
                clause_id=cid,
                variant_id=v.id,
                paragraphs=tuple(paragraphs),
                annotation=_annotation(planned.clause, v, render),
            )
        )

    current["where"] = f"{document_id}: schedules"
    schedules = tuple(
        Schedule(
            label=schedule_labels[sid],
            title=lib.schedules[sid].title,
            rows=tuple(
                ScheduleRow(render(r.label), render(r.value))
                for r in lib.schedules[sid].rows
                if conditions.evaluate(r.when, answers)
            ),
        )
        for sid in spec.schedules
    )

    current["where"] = f"{document_id}: preamble"
    preamble = render(spec.preamble) if spec.preamble else ""
    closing, date_line, signatures, addressee, supplementary = _ending(spec, answers, lib, shorts, element, render)
    sealed = [s.short_name for s in signatures if s.seal == "印"]
    # Paper with seals: a draft of two or more sheets is sealed across every fold (契印) with the signing seals.
    seal_note = f"（注）本書が2枚以上にわたるときは、{join_ja(sealed)}の印で各葉の綴り目に契印してください。" if sealed else ""
    return Document(
        kind=spec.id,
        title=spec.title,
        file_name=spec.file_name + suffix,
        addressee=addressee,
        preamble=preamble,
        articles=tuple(articles),
        closing=closing,
        date_line=date_line,
        signatures=signatures,
        schedules=schedules,
        parties=(answers.parties.provider.name, answers.parties.recipient.name),
        notice=DRAFT_NOTICE,
        supplementary=supplementary,
        version_label=version_label(answers),
        end_mark=END_MARK if articles else "",
        seal_note=seal_note,
        date_style=date_style(answers),
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


def _annotation(clause: ClauseSpec, chosen: VariantSpec, render) -> Annotation:
    def one(v: VariantSpec) -> dict:
        a = v.annotation
        return {
            "summary": render(a.summary, v.vars),
            "favours": a.favours,
            "provider": SideNote(render(a.provider.benefit, v.vars), render(a.provider.risk, v.vars)),
            "recipient": SideNote(render(a.recipient.benefit, v.vars), render(a.recipient.risk, v.vars)),
            "issue": render(a.issue, v.vars),
            "direction": render(a.direction, v.vars),
            "references": a.citations,
        }

    alternatives = tuple(
        f"{v.id}（{FAVOURS_JA[v.annotation.favours]}）: {render(v.annotation.summary, v.vars)}"
        for v in clause.variants
        if v.id != chosen.id
    )
    return Annotation(**one(chosen), alternatives=alternatives)


def _signature_lines(party: Party) -> tuple[str, ...]:
    lines = [party.address, party.name]
    if party.representative is not None:
        lines.append(f"{party.representative.title}　{party.representative.name}")
    return tuple(lines)


def _ending(spec: DocumentSpec, answers: Answers, lib: Library, shorts: dict, element: Any, render):
    """Closing line, date line, signature blocks, addressee and 附則 for the document's closing style."""
    deal = answers.deal
    paper = deal.execution == "paper"
    style = date_style(answers)
    date_line = date_ja(getattr(facts.of(answers), spec.dated), style)
    if spec.closing == "standard":
        names = [shorts[r] for r in spec.signers]
        joined = "".join(names) if answers.parties.naming == "kouotsu" else join_ja(names)
        template = lib.closings["paper" if paper else "electronic"]
        closing = lib.template(template).render(count=len(spec.signers), names=joined)
        signatures = tuple(
            SignatureBlock(shorts[r], _signature_lines(getattr(answers.parties, r)), "印" if paper else "")
            for r in spec.signers
        )
        return closing, date_line, signatures, "", ()
    addressee_party = answers.parties.recipient
    rep = addressee_party.representative
    addressee = f"{addressee_party.name}　{rep.title}　{rep.name}　殿" if rep else f"{addressee_party.name}　殿"
    if spec.closing == "pledge":
        if element is not None and getattr(element, "name", None):
            lines = (f"所属　{element.affiliation}", f"氏名　{element.name}")
        else:
            lines = ("住所　　　　　　　　　　　　　　　　　　　　", "所属　　　　　　　　　　　　　　　　　　　　",
                     "氏名　　　　　　　　　　　　　　　　　　　　")
        # The person pledging signs on their own day, not on the contract date.
        return "", date_ja(None, style), (SignatureBlock("誓約者", lines, "印" if paper else "（署名）"),), addressee, ()
    effective = (
        f"本規約は、{date_ja(deal.contract_date, style)}から施行する。"
        if deal.contract_date
        else "本規約は、参加登録の受付を開始した日から施行する。"
    )
    return "", "", (), "", ("附則", effective)
