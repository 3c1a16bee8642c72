"""The board-approval packet as data: what the board asks (which data, to whom, for what, in return for
what, at what risk) answered from the answers, the assembled documents, the findings and the ranking.

Pure: the PDF renderer turns this into pages; nothing here knows about HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import facts as deal_facts
from contracts.answers import Answers
from contracts.assembly import date_ja, yen
from contracts.document import Document
from contracts.library import Library
from contracts.recommend import Ranked, rank, verdict
from contracts.risk import Finding, RiskBook

GOALS = ("money", "talent", "pr", "deliverables", "research")


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
    ranking_basis: str
    findings: tuple[Finding, ...]
    open_points: tuple[str, ...]
    documents: tuple[Document, ...]


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


def _ownership(answers: Answers, labels: dict) -> str:
    deal = answers.deal
    parts = []
    derived = {"provider": "提供者に帰属", "recipient": "相手方に帰属（提供者へ利用許諾）", "shared": "双方が利用可"}
    parts.append(f"派生データ: {derived[deal.derived_data] if deal.derived_data else '契約書の立場（' + labels['stance'][answers.stance] + '）に従う'}")
    if deal.hackathon:
        rights = {"license": "参加者に留保し、提供者へ無償の非独占的利用許諾", "assign_winners": "入賞者から賞金と引換えに提供者へ譲渡",
                  "open": "オープンライセンスで公開"}
        parts.append(f"応募成果物: {rights[deal.hackathon.deliverable_rights]}")
    if deal.consulting:
        owner = {"provider": "委託料の支払により提供者に帰属", "consultant": "受託者に留保し提供者へ利用許諾",
                 "split": "報告書は提供者、汎用的なノウハウ・プログラムは受託者"}
        parts.append(f"納入物: {owner[deal.consulting.deliverables_owner]}")
    if deal.research:
        owner = {"university": "大学単独", "joint": "大学と提供者の共有", "company": "提供者単独"}
        parts.append(f"研究成果: {owner[deal.research.results_owner]}")
    return "／".join(parts)


def build_packet(
    answers: Answers,
    documents: list[Document],
    found: list[Finding],
    lib: Library,
    book: RiskBook,
) -> BoardPacket:
    labels = lib.labels
    data, deal = answers.data, answers.deal
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
            note=book.profiles[r.model].note,
        )
        for r in ranking
    )
    deletion = labels["deletion"][deal.deletion.method]
    f = deal_facts.of(answers)
    term = f"契約締結日から{deal.term_months}か月"
    if f.contract_date:
        term += f"（{date_ja(f.contract_date)}から{date_ja(f.term_end)}まで）"
    if f.program_start and f.program_end:
        term += f"。{f.program_term}は{date_ja(f.program_start)}から{date_ja(f.program_end)}まで"
    since = f"{f.use_end_event}から" if f.deletion_from_use else "契約の終了後"
    by = f"（{date_ja(f.deletion_deadline)}まで）" if f.deletion_deadline else ""
    cap = (f"{f.cap_text}。{f.cap_reason}" if f.has_cap else f.cap_reason)
    rows = (
        Fact("提供するデータ", f"{data.title}（{data.description}）"),
        Fact("項目・量・形式", f"{'、'.join(data.items)}／{data.volume}／{data.format}"),
        Fact("取得期間・来歴", f"{data.period}／{data.origin}"),
        Fact("提供前の加工", "、".join(data.processing) if data.processing else "加工なし"),
        Fact("個人情報", labels["personal_info"][data.personal_info] + ("（要配慮個人情報を含む）" if data.sensitive else "")),
        Fact("ノウハウ・営業秘密", ("含む" if data.know_how else "含まない") + f"（保護の方法: {labels['protection'][data.protection]}）"),
        Fact("提供先", f"{answers.parties.recipient.name}" + (f"（受講者・参加者 約{deal.learners.count}名）" if deal.learners.count else "")),
        Fact("目的", deal.purpose),
        Fact("期間", term),
        Fact("対価", _fee(answers)),
        Fact("賠償額の上限", cap),
        Fact("得られるもの", book.profiles[answers.model].returns),
        Fact("権利の帰属", _ownership(answers, labels)),
        Fact("終了時のデータの扱い", f"{since}{deal.deletion.within_days}日以内{by}に{deletion}"
             + ("し、証明書を提出させる" if deal.deletion.certificate else "（証明書の提出なし）")),
        Fact("締結方法", labels["execution"][deal.execution]),
    )
    open_points = [f"{f.message}（重要度{f.severity}）→ {f.action}" for f in found if f.severity in ("高", "中")]
    if deal.contract_date is None:
        open_points.append("契約締結日が未定です。締結日を決定してください。")
    if deal.derived_data is None:
        open_points.append("派生データの帰属が回答で指定されていません（契約書の立場に従った条項を採用しています）。方針を決定してください。")
    if deal.goals and decision.status == "lead" and answers.model != top:
        open_points.append(
            f"提供者の目的・制約からは「{ranking[0].label}」が最も適合すると評価されています。"
            f"「{labels['model'][answers.model]}」を選択する理由を確認してください。"
        )
    elif deal.goals and decision.status != "lead":
        open_points.append(decision.text)
    return BoardPacket(
        title="データ提供に関する取締役会付議資料",
        company=answers.parties.provider.name,
        counterparty=answers.parties.recipient.name,
        date=f"締結予定日 {date_ja(deal.contract_date)}" if deal.contract_date else "締結予定日 未定",
        model_label=labels["model"][answers.model],
        notice=documents[0].notice,
        facts=rows,
        goal_labels=tuple(book.goal_labels.get(g, g) for g in GOALS),
        goals_asked=asked,
        models=columns,
        ranking_basis=decision.text + "評価は、提供者の目的" + ("（回答で指定されたもの）" if deal.goals else "（指定がないため5項目すべて）")
        + "への適合度と、管理の必要性・予算・渡せる人数の制約から算出",
        findings=tuple(found),
        open_points=tuple(open_points),
        documents=tuple(documents),
    )
