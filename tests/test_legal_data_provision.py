"""Legal reading of the data_provision set (DP 02 データ提供契約書, 03 受講規約, 04 受講者誓約書), asserted on drafted text.

Each test names the defect of the 2026-11-30 review it guards against; it fails if the defect comes back.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from contracts import consistency
from contracts import facts as deal_facts
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.library import check, default_library

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "examples" / "data_provision.yaml").read_text(encoding="utf-8"))
DP_FILE = ROOT / "clauses" / "data_provision.yaml"
PERSON = {"kind": "individual", "representative": None}


def answers_with(**changes):
    """The data_provision example with dotted-path changes (deal__fee__kind=... style keys use '.')."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if isinstance(value, dict) and isinstance(node.get(keys[-1]), dict):
            node[keys[-1]].update(value)
        else:
            node[keys[-1]] = value
    fee = data["deal"]["fee"]
    if fee["kind"] == "free":
        data["deal"]["fee"] = {"kind": "free"}
    elif fee["kind"] == "fixed":
        fee["amount_yen"] = 600000
    elif fee["kind"] == "revenue_share":
        fee.pop("amount_yen", None)
        fee["percent"] = 10
        data["deal"]["liability_cap"] = {"kind": "fixed", "amount_yen": 1000000}
    return validate_answers(data)


def docs_of(**changes):
    answers = answers_with(**changes)
    return answers, {d.kind: d for d in assemble_set(answers, default_library())}


def text(doc) -> str:
    return "\n".join(doc.text_lines())


def article(doc, clause_id):
    [a] = [a for a in doc.articles if a.clause_id == clause_id]
    return a


def article_text(doc, clause_id) -> str:
    a = article(doc, clause_id)
    out = []
    for p in a.paragraphs:
        out.append(p.text)
        out.extend(i.text for i in p.items)
    return "\n".join(out)


def notes(doc, prefix="dp_") -> str:
    out = []
    for a in doc.articles:
        if a.clause_id.startswith(prefix):
            n = a.annotation
            out += [n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk, n.issue,
                    n.direction, " ".join(n.references)]
    return "\n".join(out)


STANCES = ("provider", "balanced", "recipient")
FEES = ("per_learner", "fixed", "free", "revenue_share")


# --------------------------------------------------------------------------- 1. learner terms are generated


@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("stance", STANCES)
def test_learner_terms_are_generated_whenever_the_agreement_requires_them(raw, stance):
    answers, docs = docs_of(**{"stance": stance, "deal.learners.receive_raw_data": raw})
    assert "learner_terms" in docs, "dp_learners requires 受講規約, so the set must contain it"
    terms = docs["learner_terms"]
    assert terms.title == "受講規約" and terms.file_name.startswith("03_")
    assert ("learner_pledge" in docs) is raw
    if raw:
        assert docs["learner_pledge"].file_name.startswith("04_")
    order = [d.kind for d in assemble_set(answers, default_library())]
    assert order.index("data_provision_agreement") < order.index("learner_terms")
    duties = article_text(docs["data_provision_agreement"], "dp_learners")
    assert "「受講規約」と題する規約（以下「受講規約」という。）" in duties
    assert "本講座の受講に関する規約その他の書面" not in duties
    # terms: 附則 and no signature blocks (定型約款)
    assert terms.supplementary and terms.supplementary[0] == "附則" and not terms.signatures


def test_learner_terms_are_a_consumer_safe_standard_form_contract():
    _, docs = docs_of()
    t = text(docs["learner_terms"])
    assert "民法第548条の2第1項に定める定型約款" in t
    assert "相当な方法により本規約の内容を示す" in t  # 548条の3
    assert "民法第548条の4第1項の規定により" in t and "効力発生時期が到来するまでに" in t
    liability = article_text(docs["learner_terms"], "dp_terms_liability")
    assert "過失（重大な過失を除く。）" in liability  # 消費者契約法8条3項: slight negligence only, stated
    assert "故意又は重大な過失" in liability and "適用しない" in liability
    for full_exclusion in ("一切の責任を負わない", "責任を負わないものとする", "理由のいかんを問わず", "いかなる損害"):
        assert full_exclusion not in t
    # the venue does not take away a consumer's home court
    venue = article_text(docs["learner_terms"], "dp_terms_governing_law")
    assert "法令により管轄権を有する裁判所のほか" in venue and "専属的" not in venue


def test_selected_learners_agree_individually_not_by_standard_terms():
    _, docs = docs_of(**{"deal.learners.selection": "selected"})
    t = text(docs["learner_terms"])
    assert "定型約款" not in t and "第548条の4" not in t
    assert "書面又は電磁的記録により合意した場合に限り" in t
    assert "書面又は電磁的記録によりその同意を得て" in article_text(docs["data_provision_agreement"], "dp_learners")


@pytest.mark.parametrize("raw", [True, False])
def test_learner_terms_cover_every_duty_the_agreement_imposes(raw):
    _, docs = docs_of(**{"deal.learners.receive_raw_data": raw})
    t = text(docs["learner_terms"])
    assert "のためにのみ提供データを利用することができ" in t
    if raw:
        assert "「受講者誓約書」を運営者に提出した場合に限り" in t
    else:
        assert "ダウンロード、画面の撮影、書き写しその他" in t and "持ち出してはならない" in t
    assert "秘密として保持" in t and "受講者の家族" in t
    assert "特定し、又は特定しようとする行為" in t
    assert "生成AIサービス" in t
    assert "その日から14日以内に" in t and "消去を完了した旨" in t
    assert "受講者成果物に関する著作権その他の権利は、これを作成した受講者に帰属する" in t
    assert "個人データをデータ提供者に提供することに同意する" in t
    assert "受講契約の解除" in t
    rights = article_text(docs["learner_terms"], "dp_terms_provider_rights")
    for phrase in ("データ提供者のためにも定められたもの", "直接", "差止め", "損害の賠償", "利益を享受する意思を表示した時"):
        assert phrase in rights


def test_generative_ai_rule_follows_the_answer():
    _, docs = docs_of(**{"deal.generative_ai": "prohibited"})
    banned = article_text(docs["learner_terms"], "dp_terms_prohibited")
    assert "生成AIサービス" in banned and "承諾を得て" not in banned
    _, docs = docs_of(**{"deal.generative_ai": "approved_only"})
    allowed = article_text(docs["learner_terms"], "dp_terms_prohibited")
    assert "データ提供者の承諾を得て" in allowed and "保持しないものとして指定したサービス" in allowed
    # the agreement no longer lets the recipient alone approve an external service
    assert "乙が認めていない外部のサービス" not in article_text(docs["data_provision_agreement"], "dp_learners")


def test_deletion_by_learners_is_never_later_than_the_agreement_allows():
    _, docs = docs_of(**{"deal.deletion.within_days": 7})
    assert "その日から7日以内に" in article_text(docs["learner_terms"], "dp_terms_deletion")
    assert "その日から7日以内に" in article_text(docs["learner_pledge"], "dp_pledge_deletion")
    assert "その日から7日以内に" in article_text(docs["data_provision_agreement"], "dp_learners")


# --------------------------------------------------------------------------- 2. the pledge runs to the provider


@pytest.mark.parametrize(
    "protection,says,never",
    [
        ("trade_secret", "不正競争防止法第2条第6項に規定する営業秘密", "限定提供データ"),
        ("limited_provision", "不正競争防止法第2条第7項に規定する限定提供データ", "営業秘密として管理"),
        ("contract_only", "秘密として取り扱われるべき", "不正競争防止法"),
    ],
)
def test_pledge_and_terms_state_the_protection_that_is_true(protection, says, never):
    _, docs = docs_of(**{"data.protection": protection})
    nature = article_text(docs["learner_pledge"], "dp_pledge_nature")
    assert says in nature and never not in nature
    use = article_text(docs["learner_terms"], "dp_terms_data_use")
    if protection == "contract_only":
        assert "秘密情報に当たり" in use and "不正競争防止法" not in use
    else:
        assert says in use and never not in use


def test_pledge_gives_the_provider_direct_rights():
    _, docs = docs_of()
    rights = article_text(docs["learner_pledge"], "dp_pledge_provider_rights")
    for phrase in ("データ提供者のためにもされる", "直接", "差止め", "損害の賠償", "利益を享受する意思を表示した時",
                   "重複して賠償する責任を負いません"):
        assert phrase in rights
    pledge_notes = notes(docs["learner_pledge"], "dp_pledge_")
    agreement_notes = notes(docs["data_provision_agreement"], "dp_learners")
    assert "受領者を通じて行う" not in pledge_notes
    assert "唯一の手当て" not in agreement_notes and "受領者を通じて" not in agreement_notes
    assert "第三者のためにする契約" in agreement_notes


# --------------------------------------------------------------------------- 3. competitors and fee audit


def test_competitor_screening_follows_the_stance_in_agreement_and_terms():
    expectations = {
        "provider": ("受け入れてはならない", "7日以内", False),
        "balanced": ("合理的な理由を示して", "7日以内", False),
        "recipient": ("合理的な理由を示して", "5日以内", True),
    }
    for stance, (phrase, days, allowed) in expectations.items():
        _, docs = docs_of(stance=stance)
        agreement = article_text(docs["data_provision_agreement"], "dp_learners")
        terms = article_text(docs["learner_terms"], "dp_terms_eligibility")
        assert "所属先を申告させ、これを確認しなければならない" in agreement
        assert "氏名及び所属先を甲に通知" in agreement and "異議" in agreement
        assert phrase in agreement and days in agreement and days in terms, stance
        assert "表明し、保証する" in terms and "所属先" in terms
        assert ("の役員又は従業員も、本講座を受講することができる" in terms) is allowed, stance
        if stance == "provider":
            assert "合理的な理由" not in terms
    _, docs = docs_of()
    assert "申告した勤務先その他の所属先が真実かつ正確" in article_text(docs["learner_pledge"], "dp_pledge_affiliation")


@pytest.mark.parametrize("fee", FEES)
def test_per_learner_fees_are_reported_kept_audited_and_trued_up(fee):
    _, docs = docs_of(**{"deal.fee.kind": fee})
    agreement = docs["data_provision_agreement"]
    clause = article_text(agreement, "dp_fee")
    audited = fee in ("per_learner", "revenue_share")
    assert ("利用料の額の計算の基礎となる記録を作成し" in clause) is audited
    assert ("記録を閲覧し、及びその写しの提出を求めることができる" in clause) is audited
    assert ("不足額及びこれに対する本来の支払期日の翌日から" in clause) is audited
    assert ("利用料の額の計算の基礎となる記録を監査することができる" in article_text(agreement, "dp_usage_report")) is audited
    if fee == "per_learner":
        assert "基準日の後に当該期の受講者として受け入れた者の数を加えた数" in clause
        assert "当該期の実施期間及び受講者の数" in article_text(agreement, "dp_usage_report")


# --------------------------------------------------------------------------- 4. the cap is never what has been paid


@pytest.mark.parametrize("fee", FEES)
def test_no_cap_is_measured_by_what_has_been_paid(fee):
    _, docs = docs_of(**{"deal.fee.kind": fee})
    for doc in docs.values():
        for a in doc.articles:
            body = "\n".join([p.text for p in a.paragraphs] + [i.text for p in a.paragraphs for i in p.items])
            if "上限" in body:
                assert not re.search(r"現に支払|支払済み|既に支払った", body), (doc.title, a.heading_line)
        assert not re.search(r"支払済みの(対価|利用料)|現に支払った", notes(doc))
    source = DP_FILE.read_text(encoding="utf-8")
    assert "現に支払" not in source and "支払済み" not in source


# --------------------------------------------------------------------------- 5. survival and references


def test_run_off_clauses_survive_and_the_survival_list_names_them():
    _, docs = docs_of()
    agreement = docs["data_provision_agreement"]
    survival = article_text(agreement, "common_survival")
    for cid in ("dp_definitions", "dp_provision", "dp_license", "dp_fee", "dp_materials", "dp_learners",
                "dp_usage_report", "dp_course_wind_down"):
        assert article(agreement, cid).label in survival, cid
    run_off = article_text(agreement, "dp_course_wind_down")
    for cid in ("dp_license", "dp_fee", "dp_learners", "dp_usage_report"):
        assert article(agreement, cid).label in run_off
    terms = docs["learner_terms"]
    terms_survival = article_text(terms, "dp_terms_survival")
    for cid in ("dp_terms_confidentiality", "dp_terms_deletion", "dp_terms_provider_rights", "dp_terms_works"):
        assert article(terms, cid).label in terms_survival


def test_library_lint_is_clean_for_data_provision_clauses():
    lib = default_library()
    mine = [line for line in check(lib) if re.search(r"\bdp_|learner_(terms|pledge)", line)]
    assert mine == []


@pytest.mark.parametrize("stance", STANCES)
@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("fee", FEES)
def test_sets_agree_with_themselves(stance, raw, fee):
    answers, docs = docs_of(**{"stance": stance, "deal.learners.receive_raw_data": raw, "deal.fee.kind": fee})
    problems = consistency.check_set(answers, list(docs.values()), default_library())
    ours = [
        p.line() for p in problems
        if p.document.startswith(("受講規約", "受講者誓約書")) or "dp_" in p.message
    ]
    assert ours == []


# --------------------------------------------------------------------------- 6. annotations true of this deal


def test_annotations_speak_of_this_deal():
    answers, docs = docs_of()
    for doc in docs.values():
        both = text(doc) + notes(doc)
        if doc.kind != "nda":
            assert "工程条件" not in both and "製造条件" not in both
    venue = article(docs["learner_terms"], "dp_terms_governing_law").annotation
    joined = venue.summary + venue.provider.benefit + venue.provider.risk + venue.recipient.benefit
    assert answers.parties.recipient.address in joined
    assert answers.parties.provider.address in joined
    assert answers.deal.court in joined
    assert "自社の所在地から遠い場合" not in joined


@pytest.mark.parametrize("personal", ["none", "statistical"])
def test_no_personal_data_law_is_cited_for_data_without_personal_data(personal):
    _, docs = docs_of(**{"data.personal_info": personal})
    learner_data = {"dp_terms_personal_info", "dp_pledge_personal_info", "dp_learners"}
    for doc in docs.values():
        for a in doc.articles:
            if not a.clause_id.startswith("dp_") or a.clause_id in learner_data:
                continue
            n = a.annotation
            blob = " ".join([n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk,
                             n.issue, n.direction, *n.references])
            assert "個人情報の保護に関する法律" not in blob, (doc.title, a.heading_line)


def test_personal_data_law_is_cited_when_the_data_is_anonymized():
    _, docs = docs_of(**{"data.personal_info": "anonymized"})
    note = article(docs["learner_pledge"], "dp_pledge_no_reidentification").annotation
    assert "第45条" in note.direction


# --------------------------------------------------------------------------- 7. one programme term


def test_every_dp_document_uses_the_programme_term_from_the_facts(monkeypatch):
    _, docs = docs_of()
    for kind in ("data_provision_agreement", "learner_terms", "learner_pledge"):
        defined = consistency.definitions(text(docs[kind]))
        others = [t for t in consistency.PROGRAM_TERMS if t in defined and t != "本講座"]
        assert others == [], kind
    monkeypatch.setitem(deal_facts.PROGRAM_TERM, "data_provision", "本コース")
    _, docs = docs_of()
    for kind in ("learner_terms", "learner_pledge"):
        assert "本講座" not in text(docs[kind]) and "本コース" in text(docs[kind])
    agreement = docs["data_provision_agreement"]
    for a in agreement.articles:
        if a.clause_id.startswith("dp_"):
            assert "本講座" not in article_text(agreement, a.clause_id), a.heading_line


# --------------------------------------------------------------------------- 8. consumers among the parties


def test_consumer_recipient_gets_refunds_and_no_home_inspection():
    _, docs = docs_of(**{"parties.recipient": PERSON, "stance": "provider", "deal.fee.kind": "fixed"})
    agreement = docs["data_provision_agreement"]
    fee = article_text(agreement, "dp_fee")
    assert "理由のいかんを問わず" not in fee
    assert "利用料の額を4で除した額に開講していない期の数を乗じた額" in fee  # pro rata for unopened cohorts
    usage = article_text(agreement, "dp_usage_report")
    assert "住居を除く" in usage and "乙の事業所に立ち入り" not in usage
    _, docs = docs_of(**{"parties.recipient": PERSON, "deal.fee.kind": "per_learner"})
    audit = article_text(docs["data_provision_agreement"], "dp_fee")
    assert "記録の写しの提出及びその内容の説明を求めることができる" in audit and "営業時間内" not in audit


def test_business_recipient_keeps_the_ordinary_terms():
    individual_business = dict(PERSON, acts_as_business=True)
    _, docs = docs_of(**{"parties.recipient": individual_business, "deal.fee.kind": "fixed"})
    fee = article_text(docs["data_provision_agreement"], "dp_fee")
    assert "甲は、受領した利用料を返還しない。ただし、次の各号に掲げる場合は、この限りでない。" in fee
    assert "開講していない期の数を乗じた額" not in fee  # the consumer refund is for consumers


def test_consumer_provider_is_never_asked_to_waive_liability_in_dp_clauses():
    _, docs = docs_of(**{"parties.provider": PERSON})
    agreement = docs["data_provision_agreement"]
    for a in agreement.articles:
        if a.clause_id.startswith("dp_"):
            body = article_text(agreement, a.clause_id)
            assert "一切の責任を負わない" not in body and "責任を負わないものとする" not in body


# --------------------------------------------------------------------------- 9. minors


def test_minors_need_a_guardian_everywhere():
    _, docs = docs_of(**{"deal.learners.minors": True})
    terms = article_text(docs["learner_terms"], "dp_terms_eligibility")
    assert "親権者その他の法定代理人の同意" in terms and "法定代理人の同意を証する書面" in terms
    assert "18歳以上" not in terms
    assert "法定代理人の同意" in article_text(docs["learner_pledge"], "dp_pledge_guardian")
    assert "受講規約への同意及び誓約書の提出" in article_text(docs["data_provision_agreement"], "dp_learners")
    _, docs = docs_of()
    assert "18歳以上" in article_text(docs["learner_terms"], "dp_terms_eligibility")


# --------------------------------------------------------------------------- 10. second reading (2026-11-30, review-hk-dp)


@pytest.mark.parametrize("fee", ["per_learner", "revenue_share"])
def test_the_refund_rule_names_the_overpayment_as_its_exception(fee):
    """#8: 第5条 refunded an overpayment in one paragraph and refused every refund 「理由のいかんを問わず」 in another."""
    _, docs = docs_of(**{"deal.fee.kind": fee})
    agreement = docs["data_provision_agreement"]
    fee_text = article_text(agreement, "dp_fee")
    assert "理由のいかんを問わず" not in fee_text
    refund = article(agreement, "dp_fee")
    [shortfall_no] = [i for i, p in enumerate(refund.paragraphs, 1) if "超過額を乙に返還し" in p.text]
    assert "甲は、受領した利用料を返還しない。ただし、次の各号に掲げる場合は、この限りでない。" in fee_text
    assert f"第{shortfall_no}項の規定により超過額を返還し、又は充当する場合" in fee_text
    # a per-cohort fee is never prepaid for an unopened cohort, so no dead refund text for one
    _, docs = docs_of(**{"deal.fee.kind": fee, "parties.recipient": PERSON})
    assert "開講していない期" not in article_text(docs["data_provision_agreement"], "dp_fee")


@pytest.mark.parametrize("stance", STANCES)
def test_deletion_counts_from_the_last_cohort_not_from_the_end_of_the_term(stance):
    """#9: the licence is for 4 cohorts but the term is 2 years; deletion ran from the end of the contract."""
    _, docs = docs_of(stance=stance)
    agreement = docs["data_provision_agreement"]
    license_no = article(agreement, "dp_license").number
    cohorts = [i for i, p in enumerate(article(agreement, "dp_license").paragraphs, 1) if "4期を限度とする" in p.text]
    defs = article_text(agreement, "dp_definitions")
    assert f"「最終の期」とは、第{license_no}条第{cohorts[0]}項に定める期数の限度に達する期（本講座の第4期）をいう。" in defs
    post = article_text(agreement, "common_post_termination")
    assert "最終の期の終了の日又は本契約が期間満了、解除その他理由のいかんを問わず終了した日のいずれか早い日（以下「利用終了日」という。）" in post
    assert "利用終了日から30日以内" in post
    wind_down = article_text(agreement, "dp_course_wind_down")
    assert "利用終了日" in wind_down and "本契約の終了後30日以内" not in wind_down
    assert "本契約の終了後（前項ただし書の場合には" not in wind_down
    note = article(agreement, "common_post_termination").annotation
    assert "最終の期" in note.summary and "本契約の終了の日から30日以内" not in note.summary


def test_the_cap_is_stated_in_defined_terms():
    """#16: 「利用料」 was undefined and 「見込受講者数120名」 did not say whether per cohort or in total."""
    answers, docs = docs_of()
    agreement = docs["data_provision_agreement"]
    f = deal_facts.of(answers)
    liability = article_text(agreement, "common_liability")
    assert f.cap_text in liability and "利用料" in f.cap_text and "見込受講者数" in f.cap_text
    assert "利用許諾の対価（以下「利用料」という。）" in article_text(agreement, "dp_fee")
    assert "「見込受講者数」とは、全期を通じて受け入れることが見込まれる受講者の数の合計" in article_text(agreement, "dp_definitions")
    assert "（120名）" in article_text(agreement, "dp_definitions")
    assert article(agreement, "dp_fee").heading_line.endswith("（利用料及び支払条件）")
    _, docs = docs_of(**{"deal.fee.kind": "fixed"})
    agreement = docs["data_provision_agreement"]
    assert "本契約に定める利用料の額" in article_text(agreement, "common_liability")
    assert "利用許諾の対価（以下「利用料」という。）" in article_text(agreement, "dp_fee")
    assert "見込受講者数" not in text(agreement)


def test_learner_terms_notes_are_true_of_the_text():
    """#15: the 受講規約 notes claimed survival 'aligned' with the agreement and a provider use of learners' work."""
    _, docs = docs_of()
    terms, pledge = docs["learner_terms"], docs["learner_pledge"]
    conf = article(terms, "dp_terms_confidentiality").annotation
    assert "揃えている" not in conf.recipient.benefit
    assert "受講契約の終了の日から起算" in conf.recipient.risk
    works = article(terms, "dp_terms_works").annotation
    assert "自社の課題" not in works.provider.benefit and "実施状況を確認できます" in works.provider.benefit
    assert "実施状況の報告のため" in works.provider.risk
    assert "自社の課題" not in notes(pledge)
    assert "マナビDX" not in notes(pledge)
    assert "回答で" not in notes(pledge) + notes(terms)


def test_the_data_management_note_matches_the_survival_of_the_article():
    """DP 02 第12条's note said it survives until deletion and while logs are kept; 第25条 made it survive forever."""
    _, docs = docs_of()
    agreement = docs["data_provision_agreement"]
    post_no = article(agreement, "common_post_termination").number
    body = article_text(agreement, "common_data_management")
    assert f"本条の規定は、本契約の終了後も、乙が第{post_no}条に定める措置を完了するまでの間及び第3項第2号に定める記録の保存の期間が満了するまでの間" in body
    survival = article_text(agreement, "common_survival")
    assert "本契約の終了後に効力を有する期間を定めるもの" in survival


def test_the_learner_publication_notice_is_a_round_period():
    """#16: 「37日前」 and 「37日以内」 were 30 + 7 typed into the terms."""
    _, docs = docs_of()
    works = article_text(docs["learner_terms"], "dp_terms_works")
    assert "公表予定日の40日前までに" in works and "届出の日から40日以内" in works
    assert "37日" not in text(docs["learner_terms"])
    _, docs = docs_of(**{"deal.publication.review_days": 14})
    assert "公表予定日の30日前までに" in article_text(docs["learner_terms"], "dp_terms_works")


@pytest.mark.parametrize("ai", ["prohibited", "approved_only"])
def test_the_pledge_and_the_terms_set_one_standard(ai):
    """#18: the pledge put the burden of proof on the consumer and had no in-house AI exception."""
    _, docs = docs_of(**{"deal.generative_ai": ai})
    pledge, terms = docs["learner_pledge"], docs["learner_terms"]
    conf = article_text(pledge, "dp_pledge_confidentiality")
    assert "証明できる" not in conf and "次のいずれかに該当する情報（提供データを除きます。）には適用しません" in conf
    ai_pledge = article_text(pledge, "dp_pledge_generative_ai")
    ai_terms = article_text(terms, "dp_terms_prohibited")
    if ai == "prohibited":
        assert "運営者が自ら管理する環境において稼働させ、入力された情報を外部に送信しないものとして私に示したサービス" in ai_pledge
        assert "運営者が自ら管理する環境において稼働させ、入力された情報を外部に送信しないものとして受講者に示したサービス" in ai_terms
    else:
        assert "入力された情報を学習に用いず、かつ、保持しないものとして" in ai_pledge
        assert "入力された情報を学習に用いず、かつ、保持しないものとして" in ai_terms


@pytest.mark.parametrize("abroad", [False, True])
def test_consented_personal_data_reaches_learners_with_consent_and_duties(abroad):
    """#3 (高): consented personal data passed on to learners — warranty, learner terms, pledge, 28条 abroad."""
    _, docs = docs_of(**{"data.personal_info": "consented", "deal.learners.abroad": abroad})
    agreement, terms, pledge = docs["data_provision_agreement"], docs["learner_terms"], docs["learner_pledge"]
    warranty = article_text(agreement, "common_personal_info")
    assert "乙が本契約の定めに従い受講者に提供データを利用させること（受講者への個人データの提供に当たる場合を含む。）について、" \
           "個人情報保護法第27条第1項に基づき、あらかじめ本人の同意を得ていることを表明し、保証する" in warranty
    assert "安全管理のために必要かつ適切な措置を講じること、第三者に提供しないこと及び" in warranty
    assert "提供データに含まれる個人データについて、その安全管理のために必要かつ適切な措置を講じ" in article_text(agreement, "dp_learners")
    pd = article_text(terms, "dp_terms_personal_data")
    assert "提供データには、データ提供者が本人の同意を得て運営者に提供した個人データ" in pd
    assert "個人データを第三者に提供してはならない" in pd and "直ちにその旨を運営者に報告し" in pd
    assert f"第{article(terms, 'dp_terms_personal_data').number}条" in article_text(terms, "dp_terms_provider_rights")
    pp = article_text(pledge, "dp_pledge_personal_data")
    assert "他人の個人データ" in pp and "直ちに運営者に報告し" in pp
    assert ("第28条" in pd) is abroad and ("第28条" in pp) is abroad
    assert ("外国にある第三者（外国に居住する受講者を含む。）" in warranty) is abroad
    # without consented personal data the learners are not told they hold any
    _, docs = docs_of()
    assert "dp_terms_personal_data" not in [a.clause_id for a in docs["learner_terms"].articles]
    assert "dp_pledge_personal_data" not in [a.clause_id for a in docs["learner_pledge"].articles]


def test_an_individual_operator_is_not_called_kisha_in_the_pledge():
    """#11: 「佐藤 花子（以下「貴社」といいます。）」."""
    person = dict(PERSON, name="佐藤 花子", address="東京都杉並区阿佐谷北九丁目9番9号")
    for recipient in (person, None):
        changes = {"parties.recipient": person} if recipient else {}
        _, docs = docs_of(**changes)
        pledge = text(docs["learner_pledge"])
        assert "貴社" not in pledge
        assert "（以下「運営者」といいます。）が実施する講座" in pledge
