"""Deal facts: what the answers mean, computed once and read by every draft, rule, check and the packet.

Dates on a calendar, the money that exists at each point of the term, who is a consumer, and what the data
description says about individuals. Nothing downstream re-derives one of these: clause texts read
``facts.cap_text``, the checks compare the drafted text with ``facts.deletion_deadline``, the packet prints
``facts.term_end``. Pure: answers in, a frozen value out.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from contracts.answers import Answers, Party
from contracts.parse import parse_period_ja

# The one defined term for the programme in every document of a model's set (本取組/本プログラム were synonyms).
PROGRAM_TERM = {
    "hackathon": "本ハッカソン",
    "paid_consulting": "本プログラム",
    "joint_research": "本共同研究",
    "data_provision": "本講座",
}
# What the money in the main agreement is called, per model.
FEE_TERM = {
    "hackathon": "運営委託料",
    "paid_consulting": "委託料",
    "joint_research": "研究経費",
    "data_provision": "利用料",
}
# Words that name a person's attributes. Found in data.items or data.description, they contradict
# `personal_info: none/statistical` unless negated (「氏名を含まない」).
PERSONAL_WORDS = (
    "氏名", "名前", "住所", "電話", "メールアドレス", "メール", "生年月日", "年齢", "顔画像", "顔", "社員番号",
    "従業員番号", "職員番号", "学籍番号", "会員ID", "会員番号", "顧客ID", "顧客番号", "病歴", "診療", "健康診断",
    "既往歴", "位置情報", "マイナンバー", "個人番号", "免許証", "旅券", "口座番号", "指紋", "声紋", "音声",
)
# Years confidentiality survives the end of the contract when the answers leave it open: the default of the
# confidentiality variant the deal takes (deal.choices, else the stance). Every document of a set reads this one
# number (facts.confidentiality_years), so the NDA, the agreement and the pledges cannot drift apart.
CONFIDENTIALITY_YEARS = {"provider": 5, "balanced": 3, "recipient": 2}
_NEGATION = re.compile(r"^[^、。]{0,12}?(を含まない|は含まない|を含まず|を除く|を除いた|を削除|は削除|なし)")


@dataclass(frozen=True)
class PersonalHint:
    word: str
    field: str  # data.items[3] / data.description
    text: str


# The answers a fact reads that no text reads directly, for the check of answers that no clause reads
# (contracts.crosscheck.paths_read_by): a text printing the fact counts as reading them. Tested: every key is a fact,
# every path an answers field.
READS: dict[str, tuple[str, ...]] = {
    "services_text": ("deal.consulting.services",),
    "services_count": ("deal.consulting.services",),
    "deliverables_text": ("deal.consulting.deliverables",),
    "provider_roles_text": ("deal.research.provider_roles",),
    "university_roles_text": ("deal.research.university_roles",),
    "students_text": ("deal.research.students",),
    "prizes_text": ("deal.hackathon.prizes",),
    "prizes_total_yen": ("deal.hackathon.prizes",),
    "name_removal": ("data.processing",),
    "fee_due_on_acceptance": ("deal.fee.due",),
    "fee_due_at_program_end": ("deal.fee.due",),
}


@dataclass(frozen=True)
class Facts:
    model: str
    # --- dates (None when the answers leave the date open)
    contract_date: _dt.date | None
    nda_date: _dt.date | None
    effective_date: _dt.date | None
    term_months: int
    term_text: str  # the term as the contract states it: 3年 when whole years, else 18か月
    term_end: _dt.date | None
    program_term: str  # 本ハッカソン / 本プログラム / 本共同研究 / 本講座
    program_field: str | None  # the answers path of the programme period
    program_period_text: str | None
    program_start: _dt.date | None
    program_end: _dt.date | None
    program_end_month: int | None  # the month the programme ends (1–3 meets the university's thesis season)
    program_period_readable: bool
    report_due: _dt.date | None
    use_end: _dt.date | None  # the last day the recipient needs the data
    use_end_event: str  # that day in words, for the deletion clause (「本ハッカソンの結果の報告の日」)
    deletion_from_use: bool  # deletion counts from the end of use, because the term outlasts it
    deletion_days: int
    deletion_deadline: _dt.date | None
    # --- money
    fee_kind: str
    program_months: int | None  # calendar months the programme period touches (2027年4月–9月: 6)
    fee_month_yen: int | None  # the fixed fee spread evenly over those months (yen are not split)
    fee_last_month_yen: int | None  # the last month's share when the remainder makes it differ, else None
    fee_due_on_acceptance: bool  # the answered payment date hangs on inspection/acceptance (検査・合格・検収・納入)
    fee_due_at_program_end: bool  # the answered payment date counts from the end of the programme (本ハッカソンの終了)
    fee_term: str  # 運営委託料 / 委託料 / 研究経費 / 利用料
    fee_total_yen: int | None  # the contract amount, when the answers determine it
    fee_total_basis: str  # how the total was computed, in words
    prizes_total_yen: int
    prizes_text: str  # every prize as the terms list it: 「最優秀賞について金300,000円、優秀賞について金100,000円」
    cap_kind: str  # amount | none
    cap_yen: int | None
    cap_text: str  # the cap as the contract states it: 「金2,800,000円（本契約に定める運営委託料の額）」
    cap_reason: str  # why the cap is what it is, for annotations and findings
    cap_overridden: bool  # the answers asked for a cap the engine could not give
    # --- clause choices
    liability_variant: str  # the common_liability variant the deal takes: deal.choices, else the stance
    confidentiality_end: _dt.date | None  # the last day confidentiality lasts when the term runs out
    # --- lists as the contract prints them
    services_text: str  # 「分析支援」、「研修」及び「報告」 (deal.consulting.services)
    services_count: int  # one service is 「…」の業務, several 「…」の各業務
    deliverables_text: str  # 「報告書」及び「分析プログラム」 (deal.consulting.deliverables)
    provider_roles_text: str  # （1）データの提供　（2）… (deal.research.provider_roles)
    university_roles_text: str
    students_text: str  # 氏名（所属）、氏名（所属） (deal.research.students)
    # --- parties
    provider_consumer: bool
    recipient_consumer: bool
    # --- data
    personal_hints: tuple[PersonalHint, ...]
    name_removal: str  # the first step of data.processing that removes names or staff numbers, else ""
    confidentiality_years: int  # the answer, or the default of the confidentiality variant the deal takes

    @property
    def has_cap(self) -> bool:
        return self.cap_kind == "amount"

    @property
    def any_consumer(self) -> bool:
        return self.provider_consumer or self.recipient_consumer


def is_consumer(party: Party) -> bool:
    """消費者契約法2条1項: an individual who does not contract as or for a business."""
    return party.kind == "individual" and not party.acts_as_business


def add_months(d: _dt.date, months: int) -> _dt.date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
    return _dt.date(year, month, min(d.day, (nxt - _dt.timedelta(days=1)).day))


def period_end(start: _dt.date, months: int) -> _dt.date:
    """Last day of a period of ``months`` counted from ``start`` inclusive (民法143条2項).

    It ends the day before the corresponding day of the last month; where that month has no corresponding day
    (3月31日 + 1か月), it ends on the month's last day.
    """
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    last = (_dt.date(year + (month == 12), month % 12 + 1, 1) - _dt.timedelta(days=1)).day
    if start.day > last:
        return _dt.date(year, month, last)
    return _dt.date(year, month, start.day) - _dt.timedelta(days=1)


def _period(answers: Answers) -> tuple[str | None, str | None]:
    deal = answers.deal
    section = {"hackathon": deal.hackathon, "paid_consulting": deal.consulting, "joint_research": deal.research}.get(
        answers.model
    )
    if section is None:
        return None, None
    name = {"hackathon": "hackathon", "paid_consulting": "consulting", "joint_research": "research"}[answers.model]
    return f"deal.{name}.period", section.period


def _fee_total(answers: Answers) -> tuple[int | None, str]:
    deal, model = answers.deal, answers.model
    if model == "joint_research" and deal.research is not None:
        total = deal.research.direct_cost_yen + deal.research.indirect_cost_yen
        return total, "研究経費（直接経費及び間接経費）の総額"
    fee = deal.fee
    if fee.kind == "fixed":
        return fee.amount_yen, f"本契約に定める{FEE_TERM.get(model, '対価')}の額"
    if fee.kind == "per_learner" and fee.amount_yen is not None and deal.learners.count:
        return (
            fee.amount_yen * deal.learners.count,
            f"受講者1名当たりの{FEE_TERM.get(model, '対価')}の額に見込受講者数（全期の合計）{deal.learners.count}名を乗じた額",
        )
    return None, ""


def personal_hints(answers: Answers) -> tuple[PersonalHint, ...]:
    """Words in the data's items and description that name attributes of a person (not negated)."""
    out: list[PersonalHint] = []
    sources = [(f"data.items[{i}]", t) for i, t in enumerate(answers.data.items)]
    sources.append(("data.description", answers.data.description))
    for field, text in sources:
        taken: list[tuple[int, int]] = []
        for word in PERSONAL_WORDS:  # longer words first where they overlap (顔画像 before 顔)
            for m in re.finditer(re.escape(word), text):
                if any(s <= m.start() < e for s, e in taken):
                    continue
                if _NEGATION.match(text[m.end():]):
                    continue
                taken.append((m.start(), m.end()))
                out.append(PersonalHint(word, field, text))
    return tuple(out)


def quoted(words: list[str]) -> str:
    """「A」、「B」及び「C」"""
    if len(words) <= 1:
        return "".join(f"「{w}」" for w in words)
    return "、".join(f"「{w}」" for w in words[:-1]) + f"及び「{words[-1]}」"


def numbered(words: list[str]) -> str:
    """（1）A　（2）B: a list inside one cell of a schedule."""
    return "　".join(f"（{i}）{w}" for i, w in enumerate(words, start=1))


def compute(answers: Answers) -> Facts:
    """Every fact of the deal. ``answers.model`` must be a concrete model (resolve ``auto`` first)."""
    deal, model = answers.deal, answers.model
    contract_date = deal.contract_date
    term_end = period_end(contract_date, deal.term_months) if contract_date else None
    program_field, period_text = _period(answers)
    start, end = parse_period_ja(period_text) if period_text else (None, None)
    program_term = PROGRAM_TERM.get(model, "本取組")

    report_due = None
    use_end = None
    use_end_event = "本契約の終了の日"
    if model == "hackathon" and deal.hackathon is not None:
        if end is not None:
            report_due = end + _dt.timedelta(days=deal.hackathon.report_days)
        use_end = report_due
        use_end_event = f"{program_term}の結果の報告の日"
    elif model == "paid_consulting" and deal.consulting is not None:
        use_end = end + _dt.timedelta(days=deal.consulting.review_days) if end else None
        use_end_event = "納入物の全部の納入が完了した日"
    elif model == "joint_research":
        use_end = end
        use_end_event = f"{program_term}の研究期間の満了の日"
    else:
        use_end = term_end
    # Deletion counts from the end of use when the term outlasts it; when dates are open it still counts
    # from the event (the report, the acceptance, the end of research), never from a term that may run on.
    if model == "data_provision":
        deletion_from_use = False
    elif use_end is not None and term_end is not None:
        deletion_from_use = use_end < term_end
    else:
        deletion_from_use = True
    base = use_end if deletion_from_use else term_end
    deletion_deadline = base + _dt.timedelta(days=deal.deletion.within_days) if base else None

    total, basis = _fee_total(answers)
    fee_term = FEE_TERM.get(model, "対価")
    cap = deal.liability_cap
    overridden = False
    if cap.kind == "fixed":
        cap_kind, cap_yen = "amount", cap.amount_yen
        cap_text = f"金{cap.amount_yen:,}円"
        reason = "当事者が合意した定額を上限とします。"
    elif cap.kind == "fee" and total:
        cap_kind, cap_yen = "amount", total
        cap_text = f"金{total:,}円（{basis}）"
        reason = (
            f"上限は{basis}であり、契約の締結時から確定しています（支払済みの額を基準としないため、"
            "支払前に上限がゼロとなることはありません。）。"
        )
    elif cap.kind == "fee":
        cap_kind, cap_yen, cap_text = "none", None, ""
        overridden = True
        reason = (
            f"{fee_term}が無償であるため、{fee_term}を基準とする上限は置けません（置けば上限がゼロとなり、"
            "実質的な免責となります）。賠償額の上限は定めていません。"
            if deal.fee.kind == "free"
            else f"{fee_term}の総額が契約の締結時に確定しないため、これを基準とする上限は置けません。賠償額の上限は定めていません。"
        )
    else:
        cap_kind, cap_yen, cap_text = "none", None, ""
        reason = "賠償額の上限は定めていません。"

    months = (end.year - start.year) * 12 + end.month - start.month + 1 if start and end else None
    fee_each = (deal.fee.amount_yen or 0) // months if months else None
    fee_last = (deal.fee.amount_yen or 0) - fee_each * (months - 1) if months else None
    confidentiality_years = deal.confidentiality_years or CONFIDENTIALITY_YEARS.get(
        deal.choices.get("common_confidentiality", answers.stance), 3
    )
    consulting, research = deal.consulting, deal.research
    prizes = sum(p.amount_yen for p in deal.hackathon.prizes) if deal.hackathon else 0
    prizes_text = "、".join(f"{p.rank}について金{p.amount_yen:,}円" for p in deal.hackathon.prizes) if deal.hackathon else ""
    years, rest = divmod(deal.term_months, 12)
    return Facts(
        model=model,
        contract_date=contract_date,
        nda_date=deal.nda_date,
        effective_date=contract_date,
        term_months=deal.term_months,
        term_text=f"{years}年" if rest == 0 else f"{deal.term_months}か月",
        term_end=term_end,
        program_term=program_term,
        program_field=program_field,
        program_period_text=period_text,
        program_start=start,
        program_end=end,
        program_end_month=end.month if end else None,
        program_period_readable=period_text is None or start is not None,
        report_due=report_due,
        use_end=use_end,
        use_end_event=use_end_event,
        deletion_from_use=deletion_from_use,
        deletion_days=deal.deletion.within_days,
        deletion_deadline=deletion_deadline,
        fee_kind=deal.fee.kind,
        program_months=months,
        fee_month_yen=fee_each,
        fee_last_month_yen=fee_last if fee_last != fee_each else None,
        fee_due_on_acceptance=bool(deal.fee.due and re.search(r"検査|合格|検収|納入", deal.fee.due)),
        fee_due_at_program_end=f"{program_term}の終了" in (deal.fee.due or ""),
        fee_term=fee_term,
        fee_total_yen=total,
        fee_total_basis=basis,
        prizes_total_yen=prizes,
        prizes_text=prizes_text,
        liability_variant=deal.choices.get("common_liability", answers.stance),
        confidentiality_end=(
            period_end(term_end + _dt.timedelta(days=1), confidentiality_years * 12) if term_end else None
        ),
        services_text=quoted(consulting.services) if consulting else "",
        services_count=len(consulting.services) if consulting else 0,
        deliverables_text=quoted(consulting.deliverables) if consulting else "",
        provider_roles_text=numbered(research.provider_roles) if research else "",
        university_roles_text=numbered(research.university_roles) if research else "",
        students_text="、".join(f"{s.name}（{s.affiliation}）" for s in research.students) if research else "",
        cap_kind=cap_kind,
        cap_yen=cap_yen,
        cap_text=cap_text,
        cap_reason=reason,
        cap_overridden=overridden,
        provider_consumer=is_consumer(answers.parties.provider),
        recipient_consumer=is_consumer(answers.parties.recipient),
        personal_hints=personal_hints(answers),
        name_removal=next((p for p in answers.data.processing if re.search("氏名|社員番号|従業員番号|職員番号", p)), ""),
        confidentiality_years=confidentiality_years,
    )


_CACHE: dict[int, tuple[Answers, Facts]] = {}


def of(answers: Answers) -> Facts:
    """The facts of these answers, computed once per answers object (conditions ask for them many times)."""
    hit = _CACHE.get(id(answers))
    if hit is not None and hit[0] is answers:
        return hit[1]
    facts = compute(answers)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(answers)] = (answers, facts)
    return facts
