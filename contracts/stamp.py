"""Stamp duty (印紙税) per document, in yen, from the tables of 印紙税法 別表第一.

A document is taxed for what it itself evidences: a 請負 (第2号文書) or the transfer of an intangible property right
such as copyright (第1号の1文書: 無体財産権の譲渡). Which articles evidence which matter is the table
``TAXABLE_ARTICLES`` below (clause id and the variants that transfer or promise completion). The amount is the
contract amount stated in the document, before consumption tax where the tax is stated separately; a document with
no stated amount pays ¥200. A document that is both 第1号 and 第2号 is 第1号 unless the two amounts are stated
separately and the 第2号 amount is the larger (通則3ロ). Electronic execution creates no taxable document. A
document made by a body listed in 別表第二 (国立大学法人, 公立大学法人 as 地方独立行政法人, the state) is not taxed;
when such a body and a company make one document together, the copy the company keeps is deemed made by the body and
is not taxed, while the copy the body keeps is taxed (印紙税法第4条第5項).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import facts as deal_facts
from contracts.answers import Answers, Party
from contracts.document import Document
from contracts.risk import Finding

# (upper bound of the stated amount in yen, tax in yen); the first row whose bound is >= the amount applies.
TABLE_1 = ((9_999, 0), (100_000, 200), (500_000, 400), (1_000_000, 1_000), (5_000_000, 2_000),
           (10_000_000, 10_000), (50_000_000, 20_000), (100_000_000, 60_000), (500_000_000, 100_000),
           (1_000_000_000, 200_000), (5_000_000_000, 400_000))
TABLE_2 = ((9_999, 0), (1_000_000, 200), (2_000_000, 400), (3_000_000, 1_000), (5_000_000, 2_000),
           (10_000_000, 10_000), (50_000_000, 20_000), (100_000_000, 60_000), (500_000_000, 100_000),
           (1_000_000_000, 200_000), (5_000_000_000, 400_000))
TOP_RATE = 600_000
NO_AMOUNT = 200

# clause id -> {variant id: (category, what the article evidences)}
TAXABLE_ARTICLES: dict[str, dict[str, tuple[str, str]]] = {
    "cs_nature": {"work": ("2", "請負（納入物の完成の約束）")},
    "cs_ip": {
        "provider": ("1", "納入物の著作権の譲渡"),
        "split": ("1", "報告書等の著作権の譲渡"),
    },
    "cs_consent_rights": {"standard": ("1", "学習者の成果に係る著作権の譲渡")},
    "jr_pledge_ip": {"standard": ("1", "学生の成果に係る著作権の大学への譲渡")},
    "jr_results_ownership": {
        "company": ("1", "研究成果に係る著作権の大学から企業への譲渡"),
        "university": ("1", "研究成果に係る著作権の企業から大学への譲渡"),
    },
}
# 別表第二: the state, local governments and listed bodies (incl. 国立大学法人 and 地方独立行政法人) are not taxed.
_NON_TAXABLE_KINDS = ("national_university", "public_university", "public_body")

CATEGORY_LABEL = {"1": "第1号の1文書（無体財産権の譲渡に関する契約書）", "2": "第2号文書（請負に関する契約書）"}


def tax_for(category: str, amount: int | None) -> int:
    if amount is None:
        return NO_AMOUNT
    for bound, tax in TABLE_1 if category == "1" else TABLE_2:
        if amount <= bound:
            return tax
    return TOP_RATE


@dataclass(frozen=True)
class StampAssessment:
    file_name: str
    title: str
    category: str | None  # "1" / "2" / None (not taxable)
    matters: tuple[str, ...]  # what the document evidences
    amount_yen: int | None  # the stated contract amount used (tax-exclusive)
    tax_yen: int  # per taxable copy
    copies: str  # which copies pay it, in words
    reason: str  # why, in Japanese

    @property
    def taxable(self) -> bool:
        return self.tax_yen > 0


def _stated_amount(answers: Answers, f: deal_facts.Facts, category: str) -> int | None:
    """The contract amount the document states for the taxable matter (None when it states none)."""
    if category == "2":
        return f.fee_total_yen if answers.deal.fee.kind == "fixed" else None
    # 第1号: a consulting agreement states one fee for the work and the transfer together (not divisible);
    # a joint research agreement states no price for the transfer of results.
    if answers.model == "paid_consulting" and answers.deal.fee.kind == "fixed":
        return f.fee_total_yen
    return None


def _exempt(party: Party) -> bool:
    return party.kind in _NON_TAXABLE_KINDS


def assess(answers: Answers, documents: list[Document]) -> list[StampAssessment]:
    f = deal_facts.of(answers)
    out = []
    for d in documents:
        matters: list[tuple[str, str]] = []
        for a in d.articles:
            hit = TAXABLE_ARTICLES.get(a.clause_id, {}).get(a.variant_id)
            if hit:
                matters.append(hit)
        categories = {c for c, _ in matters}
        category = "1" if "1" in categories else ("2" if "2" in categories else None)
        described = tuple(m for _, m in matters)
        if category is None:
            out.append(StampAssessment(d.file_name, d.title, None, (), None, 0, "", "課税事項を定めていません。"))
            continue
        if answers.deal.execution == "electronic":
            out.append(StampAssessment(
                d.file_name, d.title, category, described, None, 0, "",
                f"{CATEGORY_LABEL[category]}に当たる事項（{'、'.join(described)}）を定めていますが、電子契約で締結するため"
                "課税文書の作成に当たらず、印紙税はかかりません。",
            ))
            continue
        # A pledge or consent states no price for what it transfers; the agreement states its fee.
        amount = _stated_amount(answers, f, category) if len(d.signatures) > 1 else None
        tax = tax_for(category, amount)
        both = categories == {"1", "2"}
        basis = f"記載金額{amount:,}円（消費税額等を除く。）" if amount is not None else "記載金額のない文書"
        why = f"{CATEGORY_LABEL[category]}として、{basis}の税額{tax:,}円です"
        if both:
            why += "（請負と著作権の譲渡の両方を定め、金額を区分していないため、通則3ロにより第1号文書となります）"
        provider_exempt, recipient_exempt = _exempt(answers.parties.provider), _exempt(answers.parties.recipient)
        if len(d.signatures) == 1:  # a pledge or consent the learner or student signs and hands over
            copies = "提出される1通"
            why += "。本人が作成して相手方に交付する文書であり、交付される1通に収入印紙が必要です"
        elif provider_exempt and recipient_exempt:
            copies, tax = "", 0
            why = "当事者がいずれも印紙税法別表第二に掲げる者（国立大学法人等）であるため、課税されません。"
        elif provider_exempt or recipient_exempt:
            exempt_party = answers.parties.provider if provider_exempt else answers.parties.recipient
            other = answers.parties.recipient if provider_exempt else answers.parties.provider
            copies = f"{exempt_party.name}が保存する1通"
            why += (f"。{exempt_party.name}は印紙税法別表第二に掲げる者であり、{other.name}が保存する1通は非課税、"
                    f"{exempt_party.name}が保存する1通に{tax:,}円の収入印紙が必要です（印紙税法第4条第5項）")
        else:
            copies = "各当事者が保存する各1通"
            why += f"。当事者が各1通を保存するため、各通に{tax:,}円の収入印紙が必要です"
        out.append(StampAssessment(d.file_name, d.title, category, described, amount, tax, copies, why + "。"))
    return out


def findings(assessments: list[StampAssessment], answers: Answers) -> list[Finding]:
    out = []
    consulting = answers.deal.consulting
    # Only where it would change the tax: a document already taxed as 第1号 stays 第1号 (通則3ロ) either way.
    already_first = any(a.category == "1" and a.taxable and a.title.endswith("業務委託契約書") for a in assessments)
    if (consulting is not None and consulting.contract_type == "quasi_mandate" and consulting.fee_basis == "outcome"
            and answers.deal.execution == "paper" and not already_first):
        out.append(Finding(
            rule="stamp_duty_outcome_mandate",
            severity="低",
            block=False,
            message=("委託料を納入物の検査の合格に対して支払う成果完成型の準委任（民法第648条の2）を書面で締結します。"
                     "形式は準委任ですが、実質が納入物の完成を約するものとして、請負に関する契約書（印紙税法別表第一第2号文書）"
                     "と判断されるおそれがあります。"),
            action=("電子契約で締結する（deal.execution: electronic）か、履行割合型（deal.consulting.fee_basis: performance）"
                    "として段階ごとの支払期日を定めることを検討し、書面による場合は税理士又は所轄の税務署に確認してください。"),
            clauses=("cs_nature", "cs_fee"),
            basis=("民法第648条の2", "印紙税法別表第一第2号"),
        ))
    for s in assessments:
        if not s.taxable:
            continue
        out.append(Finding(
            rule="stamp_duty",
            severity="低",
            block=False,
            message=f"{s.title}（{s.file_name}）は書面で締結するため印紙税の課税文書です。{s.reason}",
            action=(f"{s.copies}の所定の欄に{s.tax_yen:,}円の収入印紙を貼り、消印してください。複数枚にわたる場合は契印を押します。"
                    "電子契約で締結すれば印紙税はかかりません（deal.execution: electronic）。"),
            clauses=(),
            basis=("印紙税法第2条", "印紙税法別表第一", "印紙税法第4条第5項" if "第4条第5項" in s.reason else "印紙税法別表第一通則3"),
        ))
    return out
