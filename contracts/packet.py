"""The approval packet as data: what the approving body asks (which data, to whom, for what, in return for what, at
what risk) answered from the answers, the assembled documents, the findings and the ranking.

Truthful by construction: every outcome row (derived data, results, deletion, the cap) is read from the drafted
articles — which clause and variant the assembler chose, its annotation rendered for this deal, its article number —
and from contracts/facts.py for dates and the cap, never from the stance or the answers. Board text never shows an
answers path or an answer value (``data.protection: limited_provision``) or speaks of "the answers": what the
findings say to the person filling in the file is rephrased for the people who approve.

Who approves follows the provider: a company's board (取締役会付議資料), a university's internal approval
(学内決裁: 起案・審査・決裁, 本学/相手方) or a public body's (決裁).

Pure: the PDF renderer turns this into pages; nothing here knows about HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from contracts import facts as deal_facts
from contracts import vocabulary
from contracts.answers import UNIVERSITY_KINDS, Answers
from contracts.assembly import date_ja, short_names, yen
from contracts.document import Article, Document
from contracts.library import Library
from contracts.recommend import Ranked, rank, verdict
from contracts.risk import Finding, RiskBook

GOALS = ("money", "talent", "pr", "deliverables", "research")

# The drafted articles each outcome row reads (the main agreement's clause ids).
DERIVED_CLAUSES = ("dp_derived", "cs_derived_data", "jr_datasets")
RESULTS_CLAUSES = ("hk_deliverables", "cs_ip", "jr_results_ownership", "dp_materials")
DELETION_CLAUSES = ("common_post_termination",)
LIABILITY_CLAUSES = ("common_liability",)
FEE_CLAUSES = ("dp_fee", "cs_fee", "hk_costs", "jr_costs")
MAIN_KINDS = ("data_provision_agreement", "consulting_agreement", "hackathon_agreement", "joint_research_agreement")
# Findings about the answers file itself (an answer no clause reads): for the person drafting, not for approval.
DRAFTING_ONLY_RULES = ("answers_ignored",)



@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class ModelColumn:
    model: str
    label: str
    benefits: tuple[int, ...]  # in GOALS order, 0-3
    score: int
    chosen: bool  # the model these drafts are for
    recommended: bool  # the one model that leads (never marked on a tie)
    returns: str
    note: str


@dataclass(frozen=True)
class BoardFinding:
    severity: str
    block: bool
    message: str
    action: str
    basis: tuple[str, ...]


@dataclass(frozen=True)
class Approval:
    """Who approves and in whose words: a company's board, a university's or a public body's internal approval."""

    kind: str  # board | university | public_body
    own: str  # how the provider calls itself: 当社 / 本学 / 本機関
    title: str
    file_name: str
    summary_heading: str
    decide_heading: str
    approval_heading: str
    stamps: tuple[str, ...]
    request: str
    date_label: str
    conditions_label: str
    mark: str  # page header: 社外秘・草案 / 学内限り・草案
    header_rows: tuple[Fact, ...]  # 学内決裁: 件名, 起案日, 起案者, 決裁区分


# The cover's notice: the packet is no contract, but it and every attachment are drafts a qualified reviewer must see.
PACKET_NOTICE = ("【草案】本資料及び別添の契約書等は、keiyaku が回答内容から自動作成した草案です。"
                 "締結・使用の前に、必ず弁護士等の資格を有する専門家による確認を受けてください。")


@dataclass(frozen=True)
class Listed:
    """A line of the 本紙's list of attachments: one document, or a run of documents of the same title (one pledge
    per student: 別添3～14　誓約書（案、12通）)."""

    label: str
    title: str


@dataclass(frozen=True)
class BoardPacket:
    title: str
    company: str
    counterparty: str
    date: str
    model_label: str
    notice: str
    facts: tuple[Fact, ...]
    goal_labels: tuple[str, ...]
    goals_asked: tuple[bool, ...]
    models: tuple[ModelColumn, ...]
    verdict_status: str  # lead | tie | none
    verdict_text: str
    ranking_basis: str
    findings: tuple[BoardFinding, ...]
    open_points: tuple[str, ...]
    documents: tuple[Document, ...]
    notes: tuple[tuple[str, ...], ...]  # per document, per article: the annotation as the footnote prints it
    approval: Approval
    blank_date: str  # a date line to fill in by hand, in the deal's calendar
    attachment_labels: tuple[str, ...]  # per document: 別添1, 別添2 … (each attachment numbers its own pages)
    attachment_list: tuple[Listed, ...]  # the 本紙's list of them


# --------------------------------------------------------------------------- who approves


def approval_for(answers: Answers, model_label: str) -> Approval:
    provider = answers.parties.provider
    counterparty = answers.parties.recipient.name
    kind = provider.kind
    if kind in UNIVERSITY_KINDS or kind == "public_body":
        own = "本学" if kind in UNIVERSITY_KINDS else "本機関"
        title = "データ提供に関する学内決裁書" if kind in UNIVERSITY_KINDS else "データ提供に関する決裁書"
        return Approval(
            kind="university" if kind in UNIVERSITY_KINDS else "public_body",
            own=own,
            title=title,
            file_name=("学内決裁書.pdf" if kind in UNIVERSITY_KINDS else "決裁書.pdf"),
            summary_heading="起案の概要",
            decide_heading="決裁に当たり判断すべき事項",
            approval_heading="決裁",
            stamps=("起案", "審査", "決裁"),
            request="",  # see _request: it names the attachments
            date_label="決裁日",
            conditions_label="決裁の条件",
            mark=("学内限り・草案" if kind in UNIVERSITY_KINDS else "取扱注意・草案"),
            header_rows=(
                Fact("件名", f"「{answers.data.title}」の提供に関する契約の締結について"),
                Fact("相手方", counterparty),
                Fact("起案日", date_ja(None, answers.deal.date_style)),
                Fact("起案者（所属・氏名）", ""),
                Fact("決裁区分", ""),
                Fact("添付資料", ""),  # the attachments: filled in by build_packet
            ),
        )
    own = {"corporation": "当社", "other": "当団体"}.get(kind, "提供者")
    return Approval(
        kind="board",
        own=own,
        title="データ提供に関する取締役会付議資料",
        file_name="取締役会付議資料.pdf",
        summary_heading="付議事項の概要",
        decide_heading="取締役会で決定すべき事項",
        approval_heading="決裁",
        stamps=("起案", "審査（法務）", "承認"),
        request="",  # see _request: it names the attachments
        date_label="決議日",
        conditions_label="承認の条件",
        mark="社外秘・草案",
        header_rows=(),
    )


# --------------------------------------------------------------------------- the attachments


def attachment_labels(documents: list[Document]) -> tuple[str, ...]:
    """Each document's name as an attachment, in the packet's order: 別添1, 別添2 …"""
    return tuple(f"別添{k}" for k in range(1, len(documents) + 1))


def _labels_text(numbers: list[int]) -> str:
    """別添1, 別添1及び別添2, 別添1、別添2及び別添3; a run of three or more: 別添3～14."""
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"別添{numbers[0]}～{numbers[-1]}"
    names = [f"別添{n}" for n in numbers]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "及び" + names[-1]


def attachment_list(documents: list[Document]) -> tuple[Listed, ...]:
    runs: list[list[int]] = []
    for k, d in enumerate(documents, start=1):
        if runs and documents[runs[-1][0] - 1].title == d.title:
            runs[-1].append(k)
        else:
            runs.append([k])
    listed = []
    for run in runs:
        title = documents[run[0] - 1].title
        if len(run) == 1:
            listed.append(Listed(f"別添{run[0]}", f"{title}（案）"))
        else:
            label = f"別添{run[0]}・{run[1]}" if len(run) == 2 else f"別添{run[0]}～{run[-1]}"
            listed.append(Listed(label, f"{title}（案、{len(run)}通）"))
    return tuple(listed)


def signed_by(document: Document, name: str) -> bool:
    """Whether ``name`` signs the document (the NDA and the main agreement), as against terms the counterparty
    issues and pledges addressed to it, which are attached for reference."""
    return any(name in block.lines for block in document.signatures)


def _request(approval: Approval, answers: Answers, model_label: str, documents: list[Document]) -> str:
    """The sentence that asks for approval, naming the attachments the provider signs and those attached for
    reference only."""
    provider, counterparty = answers.parties.provider.name, answers.parties.recipient.name
    signed = [k for k, d in enumerate(documents, start=1) if signed_by(d, provider)]
    others = [k for k in range(1, len(documents) + 1) if k not in signed]
    contracts = f"{_labels_text(signed)}の契約書（案）により契約を締結し、" if signed else ""
    if approval.kind == "board":
        text = (f"上記のとおり、{counterparty}との間で{contracts}「{model_label}」によるデータ提供を行うことにつき、"
                "承認を求める。")
    else:
        text = (f"上記のとおり、{counterparty}との間で{contracts}{approval.own}が保有するデータを「{model_label}」により"
                "提供することについて、決裁を求める。")
    if others:
        text += f"なお、{_labels_text(others)}は、相手方が本件の参加者等との間で用いる書面の案であり、参考として添付する。"
    return text


# --------------------------------------------------------------------------- board wording


def _field(path: str):
    """The pydantic FieldInfo of an answers path (``deal.learners.receive_raw_data``), or None."""
    try:
        return vocabulary.entry(path).info
    except KeyError:
        return None


def _label(path: str) -> str:
    """The Japanese name of an answer: its description up to the value list, note or example."""
    info = _field(path)
    text = (info.description or "") if info is not None else ""
    text = re.split(r"[:：。]|（例|\s", text, maxsplit=1)[0] if text else ""
    text = re.sub(r"（[^（）]*）$", "", text)
    return text or path


def _value_label(path: str, value: str) -> str:
    """A value's label without its note (仮名加工情報 for pseudonymized), from contracts.vocabulary."""
    try:
        meaning = vocabulary.entry(path).meaning(value, "ja")
    except KeyError:
        return value
    return meaning.split("。")[0] if meaning else value


def _question_stem(path: str) -> str:
    """A yes/no answer's description as a statement: 「…を受け取るか（…）」 -> 「…を受け取る」."""
    info = _field(path)
    text = (info.description or "") if info is not None else path
    text = re.sub(r"（[^（）]*）$", "", text.strip())
    text = re.split(r"。", text)[0]
    return text[:-1] if text.endswith("か") else text


_PATH = r"(?:deal|data|parties)(?:\.[a-z_]+(?:\[\d+\])?)+"
_VALUE = r"[a-z][a-z_]*"
# 「PATH を V1 又は V2 にしてください」 and the like: the instruction to change an answer.
_SET_ANSWER = re.compile(rf" ?({_PATH}) を ({_VALUE}(?: 又は {_VALUE})*) に(してください|します|する)")
# 「（PATH を false）」「（PATH: V / V。…）」「（PATH）」: the answer named beside what the text already says in words.
_ANSWER_ASIDE = re.compile(rf"{_PATH}(?: を {_VALUE}(?: 又は {_VALUE})*|: ?{_VALUE}(?: ?/ ?{_VALUE})*)?[。、]?(?=[^（]*）)")
_PAREN_VALUES = re.compile(r"（([a-z_]+(?: / [a-z_]+)*)）")
_BARE_PATH = re.compile(rf" ?(?<![A-Za-z0-9_.])({_PATH})(?![A-Za-z0-9_]) ?")
_ANSWER_WORDING = (
    ("回答では", "本件では"),
    ("回答で定めた", "本件で定めた"),
    ("回答で定めがないため", "定めがないため"),
    ("回答により、", ""),
    ("回答から定まらない", "本件の条件から定まらない"),
    ("回答から定まりません", "本件の条件から定まりません"),
    ("（回答による）", "（本件の予定）"),
    ("とする指定ですが", "とする方針ですが"),
)


def _set_answer(m: re.Match) -> str:
    path, values, verb = m.group(1), m.group(2).split(" 又は "), m.group(3)
    if values in (["true"], ["false"]):
        ending = {"してください": "てください", "します": "ます", "する": "る"}[verb]
        stem = _question_stem(path)
        return f"{stem}こととし{ending}" if values == ["true"] else f"{stem}ことをやめ{ending}"
    labels = "又は".join(f"「{_value_label(path, v)}」" for v in values)
    return f"{_label(path)}を{labels}と{verb}"


@cache
def _answer_values() -> frozenset[str]:
    """Every value an answer can take from a fixed list (fee, fixed, limited_provision …)."""
    return frozenset({"true", "false"} | {str(v) for e in vocabulary.entries() for v in e.values})


def _drop_values(m: re.Match) -> str:
    """「（fee）」「（platform / api）」: an answer value in brackets is dropped; other ASCII text is kept."""
    return "" if all(v in _answer_values() for v in m.group(1).split(" / ")) else m.group(0)


def board_text(text: str, own: str | None = None) -> str:
    """Finding and annotation text as the approving body reads it: no answers paths or values, no "回答".

    ``own`` (当社/本学/本機関) replaces 「自社」 in text addressed to the provider (findings); annotations speak of
    both parties and keep their wording."""
    if not text:
        return text
    text = _SET_ANSWER.sub(_set_answer, text)
    text = _ANSWER_ASIDE.sub("", text)
    text = _PAREN_VALUES.sub(_drop_values, text).replace("（）", "")
    text = _BARE_PATH.sub(lambda m: f"「{_label(m.group(1))}」", text)
    for old, new in _ANSWER_WORDING:
        text = text.replace(old, new)
    return text.replace("自社", own) if own else text


# --------------------------------------------------------------------------- reading the drafted set


def _main(documents: list[Document]) -> Document | None:
    return next((d for d in documents if d.kind in MAIN_KINDS), None)


def _article(doc: Document | None, clause_ids: tuple[str, ...]) -> Article | None:
    if doc is None:
        return None
    return next((a for a in doc.articles if a.clause_id in clause_ids), None)


def _cite(doc: Document, a: Article) -> str:
    return f"（{doc.title}{a.label}）"


def _sentence_about(doc: Document | None, topic: str, outcome: str) -> tuple[Article, str] | None:
    """The first sentence of the agreement that disposes of ``topic`` (「…作成した派生データは、…甲に引き渡し、又は
    消去する。」): ``topic`` as the subject (は、) and an ``outcome`` word after it; with its article."""
    if doc is None:
        return None
    for a in doc.articles:
        for p in a.paragraphs:
            for sentence in re.findall(r"[^。]*。", p.text):
                if re.search(rf"{topic}(?:に関する権利)?は、.*(?:{outcome})", sentence):
                    return a, sentence
    return None


def _outcome(doc: Document | None, clause_ids: tuple[str, ...], own: str, with_heading: bool = False) -> str | None:
    a = _article(doc, clause_ids)
    if a is None:
        return None
    head = f"{a.heading}: " if with_heading else ""
    return f"{head}{board_text(a.annotation.summary)}{_cite(doc, a)}"


def _fee(answers: Answers) -> str:
    fee = answers.deal.fee
    payer = {
        "data_provision": f"{answers.parties.recipient.name}から{answers.parties.provider.name}へ",
        "paid_consulting": f"{answers.parties.provider.name}から{answers.parties.recipient.name}へ",
        "hackathon": f"{answers.parties.provider.name}から{answers.parties.recipient.name}へ",
        "joint_research": f"{answers.parties.provider.name}から{answers.parties.recipient.name}へ",
    }[answers.model]
    if answers.model == "joint_research" and answers.deal.research:
        r = answers.deal.research
        return f"研究経費 {yen(r.direct_cost_yen + r.indirect_cost_yen)}（直接経費{yen(r.direct_cost_yen)}、間接経費{yen(r.indirect_cost_yen)}）を{payer}支払う"
    if fee.kind == "free":
        return "金銭の授受なし（無償）"
    if fee.kind == "fixed":
        return f"{yen(fee.amount_yen)}（税別）を{payer}支払う（{fee.due}）"
    if fee.kind == "per_learner":
        return f"受講者1名当たり{yen(fee.amount_yen)}（税別）を{payer}支払う（{fee.due}）"
    return f"売上高の{fee.percent:g}%を{payer}支払う（{fee.due}）"


def _outcome_rows(answers: Answers, documents: list[Document], f: deal_facts.Facts, own: str, style: str) -> list[Fact]:
    main = _main(documents)
    rows = []
    derived = _outcome(main, DERIVED_CLAUSES, own)
    if derived is None:
        found = _sentence_about(main, "派生データ", "帰属|引き渡|消去")
        derived = (f"{found[1]}{_cite(main, found[0])}" if found else
                   "本件の契約書には、派生データの帰属又は引渡しを定める条項はありません。")
    rows.append(Fact("派生データ", derived))
    results = _outcome(main, RESULTS_CLAUSES, own, with_heading=True)
    if results:
        rows.append(Fact("成果の帰属", results))
    deletion = _outcome(main, DELETION_CLAUSES, own)
    if deletion is not None:
        if f.deletion_deadline:
            deletion += f"本件の日程では{date_ja(f.deletion_deadline, style)}が期限です。"
        else:
            deletion += "期限の日付は、締結日（又は終了の事由が生じた日）が定まった時点で確定します。"
        rows.append(Fact("終了時のデータの扱い", deletion))
    liability = _outcome(main, LIABILITY_CLAUSES, own)
    if liability is not None:
        if f.has_cap and f.cap_text not in liability:
            liability = f"{f.cap_text}。{liability}"
        elif not f.has_cap:
            liability = f"上限なし。{liability}"
        rows.append(Fact("賠償額の上限", liability))
    return rows


# --------------------------------------------------------------------------- the packet


def build_packet(
    answers: Answers,
    documents: list[Document],
    found: list[Finding],
    lib: Library,
    book: RiskBook,
) -> BoardPacket:
    labels = lib.labels
    data, deal = answers.data, answers.deal
    style = deal.date_style
    model_label = labels["model"][answers.model]
    approval = approval_for(answers, model_label)
    listing = attachment_list(documents)
    approval = replace(
        approval,
        request=_request(approval, answers, model_label, documents),
        header_rows=tuple(
            Fact(f.label, f"{_labels_text(list(range(1, len(documents) + 1)))}（契約書等の案。"
                          f"「4. {approval.approval_heading}」の別添資料のとおり）") if f.label == "添付資料" else f
            for f in approval.header_rows
        ),
    )
    own = approval.own
    asked = tuple(g in deal.goals for g in GOALS) if deal.goals else tuple(True for _ in GOALS)
    ranking_answers = answers if deal.goals else answers.model_copy(update={"deal": deal.model_copy(update={"goals": list(GOALS)})})
    ranking: list[Ranked] = rank(ranking_answers, book)
    decision = verdict(ranking, book)
    top = decision.recommended
    columns = tuple(
        ModelColumn(
            model=r.model,
            label=r.label,
            benefits=tuple(book.profiles[r.model].benefits.get(g, 0) for g in GOALS),
            score=r.score,
            chosen=r.model == answers.model,
            recommended=r.model == top,
            returns=book.profiles[r.model].returns,
            note=board_text(book.profiles[r.model].note, own),
        )
        for r in ranking
    )
    f = deal_facts.of(answers)
    main = _main(documents)
    if f.contract_date:
        term = f"{date_ja(f.contract_date, style)}から{date_ja(f.term_end, style)}まで（{deal.term_months}か月）"
    else:
        term = f"契約締結日から{deal.term_months}か月（締結日は未定）"
    if f.program_start and f.program_end:
        term += f"。{f.program_term}は{date_ja(f.program_start, style)}から{date_ja(f.program_end, style)}まで"
    elif f.program_period_text:
        term += f"。{f.program_term}の期間は{f.program_period_text}"
    fee_article = _article(main, FEE_CLAUSES)
    rows = []
    if main is not None:
        # The outcome rows quote the agreement, which calls the parties by their short names (甲・乙 or roles).
        shorts = short_names(lib.documents[main.kind], answers)
        rows.append(Fact("当事者（契約書上の略称）",
                         f"{shorts.get('provider', '提供者')}: {answers.parties.provider.name}（{own}）／"
                         f"{shorts.get('recipient', '相手方')}: {answers.parties.recipient.name}（相手方）"))
    rows += [
        Fact("提供するデータ", f"{data.title}（{data.description}）"),
        Fact("項目・量・形式", f"{'、'.join(data.items)}／{data.volume}／{data.format}"),
        Fact("取得期間・来歴", f"{data.period}／{data.origin}"),
        Fact("提供前の加工", "、".join(data.processing) if data.processing else "加工なし"),
        Fact("個人情報", labels["personal_info"][data.personal_info] + ("（要配慮個人情報を含む）" if data.sensitive else "")),
        Fact("ノウハウ・営業秘密", ("含む" if data.know_how else "含まない") + f"（保護の方法: {labels['protection'][data.protection]}）"),
        Fact("提供先", f"{answers.parties.recipient.name}" + (f"（受講者・参加者 約{deal.learners.count}名）" if deal.learners.count else "")),
        Fact("目的", deal.purpose),
        Fact("期間", term),
        Fact("対価", _fee(answers) + (_cite(main, fee_article) if fee_article else "")),
        *_outcome_rows(answers, documents, f, own, style),
        Fact(f"{own}が得られるもの（このモデルで通常見込まれるもの）", book.profiles[answers.model].returns),
        Fact("締結方法", labels["execution"][deal.execution]),
    ]
    board_findings = tuple(
        BoardFinding(x.severity, x.block, board_text(x.message, own), board_text(x.action, own), x.basis)
        for x in found
        if x.rule not in DRAFTING_ONLY_RULES
    )
    open_points = [f"{x.message}（重要度{x.severity}）→ {x.action}" for x in board_findings if x.severity in ("高", "中")]
    if deal.contract_date is None:
        open_points.append("契約締結日が決まっていません。締結日を決定してください（契約期間と消去の期限は締結日から数えます）。")
    derived_article = _article(main, DERIVED_CLAUSES)
    if deal.derived_data is None and derived_article is not None:
        open_points.append(
            f"派生データの扱いについて方針が決まっていないため、契約書の立場（{labels['stance'][answers.stance]}）に沿った条項"
            f"{_cite(main, derived_article)}を採用しています: {board_text(derived_article.annotation.summary)}"
            "この扱いでよいか決定してください。"
        )
    if deal.goals and decision.status == "lead" and answers.model != top:
        open_points.append(
            f"{own}の目的・制約からは「{ranking[0].label}」が最も適合すると評価されています。"
            f"「{model_label}」を選択する理由を確認してください。"
        )
    elif decision.status != "lead":
        open_points.append(decision.text)
    goals_text = "（本件で掲げた目的）" if deal.goals else "（目的を絞っていないため5項目すべて）"
    notes = tuple(
        tuple(f"{labels_favours(a.annotation.favours)}。{board_text(a.annotation.summary)}" for a in d.articles)
        for d in documents
    )
    return BoardPacket(
        title=approval.title,
        company=answers.parties.provider.name,
        counterparty=answers.parties.recipient.name,
        date=f"締結予定日: {date_ja(deal.contract_date, style)}" if deal.contract_date else "締結予定日: 未定",
        model_label=model_label,
        notice=PACKET_NOTICE,
        facts=tuple(rows),
        goal_labels=tuple(book.goal_labels.get(g, g) for g in GOALS),
        goals_asked=asked,
        models=columns,
        verdict_status=decision.status,
        verdict_text=decision.text,
        ranking_basis=f"評価は、{own}の目的{goals_text}への適合度と、管理の必要性・予算・渡せる人数の制約から算出しています。",
        findings=board_findings,
        open_points=tuple(open_points),
        documents=tuple(documents),
        notes=notes,
        approval=approval,
        blank_date=date_ja(None, style),
        attachment_labels=attachment_labels(documents),
        attachment_list=listing,
    )


def labels_favours(favours: str) -> str:
    from contracts.document import FAVOURS_JA

    return FAVOURS_JA.get(favours, favours)
