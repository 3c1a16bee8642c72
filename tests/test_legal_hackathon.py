"""Legal review of the hackathon set (agreement + participant terms) and of the participant terms used for paid
consulting: each test reads the drafted text (what a user reads) and fails if a defect of the 2026-11-30 readings
comes back.
"""

from __future__ import annotations

import copy
import itertools
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from contracts import facts as deal_facts
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.library import check, default_library

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@cache
def _example(model: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{model}.yaml").read_text(encoding="utf-8"))


def _answers(model: str, **changes):
    """The example's answers with changes given as dotted paths (``deal.hackathon.prizes=[]``, with ``__``)."""
    data = copy.deepcopy(_example(model))
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return validate_answers(data)


def _docs(model: str, **changes) -> dict:
    answers = _answers(model, **changes)
    return {d.kind: d for d in assemble_set(answers, default_library())}, answers


def _text(doc) -> str:
    return "\n".join(doc.text_lines())


def _article(doc, clause_id: str):
    [art] = [a for a in doc.articles if a.clause_id == clause_id]
    return art


def _article_text(doc, clause_id: str) -> str:
    art = _article(doc, clause_id)
    lines = []
    for p in art.paragraphs:
        lines.append(p.text)
        lines.extend(i.text for i in p.items)
    return "\n".join(lines)


def _annotations(doc) -> str:
    out = []
    for a in doc.articles:
        n = a.annotation
        out += [n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk, n.issue,
                n.direction, *n.alternatives]
    return "\n".join(out)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=。)", text.replace("\n", "")) if s.strip()]


HK = "hackathon_agreement"
PT = "participant_terms"


# ---------------------------------------------------------------- 1. licence only from winners / separate consent
def test_terms_take_the_licence_only_from_winners_for_the_prize():
    docs, _ = _docs("hackathon")
    terms = _article_text(docs[PT], "pt_deliverables")
    # no blanket, free, unlimited licence from every participant
    assert "無償で、期間及び地域の制限なく" not in terms
    assert "入賞者は、" in terms and "賞金の支払を受けることと引換えに" in terms
    assert "賞金の支払が完了した時に効力を生じる" in terms
    # everyone else only with a separate, prominent consent, without disadvantage
    assert "本規約とは別に" in terms and "不利益な取扱いを受けない" in terms
    assert "本規約の他の条項と区別して明瞭に表示する" in terms
    agreement = _article_text(docs[HK], "hk_deliverables")
    assert "参加者一般に" in agreement and "義務付けてはならない" in agreement
    assert "無償で、期間及び地域の制限なく" not in agreement


def test_without_prizes_the_provider_gets_a_licence_only_by_separate_consent():
    docs, _ = _docs("hackathon", deal__hackathon__prizes=[])
    terms = _article_text(docs[PT], "pt_deliverables")
    assert "賞金の支払を受けることと引換えに" not in terms
    assert "本規約とは別に" in terms
    assert "賞金" not in _article_text(docs[HK], "hk_deliverables")


def test_assignment_is_taken_only_from_winners_against_the_consideration():
    docs, _ = _docs("hackathon", deal__hackathon__deliverable_rights="assign_winners", stance="provider")
    terms = _article_text(docs[PT], "pt_deliverables")
    assert "入賞者は、" in terms and "引換えに" in terms and "譲渡する" in terms
    assert "入賞しなかった応募成果物に関する権利は、参加者に留保される" in terms
    assert "（既存物を除く。）" in terms


def test_existing_works_are_not_licensed_beyond_what_the_annotation_says():
    for rights in ("license", "assign_winners", "open"):
        docs, _ = _docs("hackathon", deal__hackathon__deliverable_rights=rights)
        for kind, cid in ((PT, "pt_deliverables"), (HK, "hk_deliverables")):
            text = _article_text(docs[kind], cid)
            for s in _sentences(text):
                if "既存物を" in s and "利用" in s and "除く" not in s and "対象とならない" not in s:
                    # the only grant of 既存物 is the narrow one needed to use a licensed or assigned submission
                    assert "当該応募成果物の利用に必要な範囲に限り" in s, (rights, s)
                    assert "期間及び地域の制限なく" not in s, (rights, s)
        notes = _annotations(docs[PT])
        assert "既存物" in notes
        # the annotation no longer says the terms exclude 既存物 while a clause licenses it without limit
        assert "既存物を権利の対象から除くため" not in notes


def test_submissions_go_to_the_provider_without_identifiers_and_consent_covers_only_contacts():
    docs, _ = _docs("hackathon")
    report = _article_text(docs[HK], "hk_report")
    assert "直接識別することができる記述を除き" in report and "受付番号" in report
    data = _article(docs[HK], "hk_participant_data")
    separate = [p.text for p in data.paragraphs if "参加規約への同意とは別に" in p.text]
    assert separate and all("応募成果物" not in t.split("提供する場合")[0] for t in separate)
    assert all("評価結果" not in t for t in separate)
    assert "氏名、連絡先及び所属" in separate[0]
    terms = _article(docs[PT], "pt_personal_info")
    separate_pt = [p.text for p in terms.paragraphs if "本規約への同意とは別に" in p.text]
    assert separate_pt and "氏名、連絡先及び所属" in separate_pt[0]
    assert all("評価結果" not in t for t in separate_pt)
    consent_in_terms = [p.text for p in terms.paragraphs if "受付番号" in p.text]
    assert consent_in_terms and "同意する" in consent_in_terms[0]
    # the delivery of submissions (licence to the operator) and the consent rule now agree
    licence = _article_text(docs[PT], "pt_deliverables")
    assert "直接識別することができる記述を除いた応募成果物の写し" in licence


# ---------------------------------------------------------------- 2. cancellation, subcontracting, deletion
def test_cancellation_and_force_majeure_settle_the_fee():
    docs, answers = _docs("hackathon")
    art = _article(docs[HK], "hk_cancellation")
    text = _article_text(docs[HK], "hk_cancellation")
    assert "中止" in art.heading and "延期" in art.heading
    assert "不可抗力事由" in text and "金銭の支払を目的とするものを除く" in text
    fee_term = deal_facts.of(answers).fee_term
    assert f"{fee_term}のうち、中止の日までに乙が履行した企画及び運営の割合に応じた額" in text
    assert "支出を免れた費用の額を控除した額" in text
    # balanced stance: the organiser's fault still earns the pro-rata fee (民法第648条第3項); damages are separate
    assert f"乙の責めに帰すべき事由により中止されたときは、甲は、{fee_term}を支払うことを要しない" not in text
    assert "乙の責めに帰すべき事由による中止の場合には、第1号の額（甲が中止によって生じた損害の賠償を乙に請求することを妨げない。）" in text
    assert "その差額を甲に返還する" in text
    assert "本契約は、中止の日に終了する" in text
    assert "入賞者が確定していない賞は授与しない" in text


def test_cancellation_without_a_fee_speaks_only_of_costs():
    docs, _ = _docs("hackathon", deal__fee={"kind": "free"}, deal__liability_cap={"kind": "none"})
    text = _article_text(docs[HK], "hk_cancellation")
    assert "運営委託料" not in text and "費用" in text


def test_subcontracting_flows_down_and_the_organiser_answers_for_subcontractors():
    for stance in ("provider", "balanced", "recipient"):
        docs, _ = _docs("hackathon", stance=stance)
        text = _article_text(docs[HK], "hk_subcontracting")
        assert "同等の義務" in text and "書面により課し" in text, stance
        assert "再委託先（その役員及び従業員を含む。）の行為" in text, stance
        assert "外部審査員" in text and "クラウドサービス" in text, stance
        management = _article_text(docs[HK], "hk_data_management")
        assert "再委託先の役員及び従業員" in management
        assert "乙の役員及び従業員のうち本ハッカソンの運営のために" not in management


def test_deletion_counts_from_the_final_report_not_from_the_end_of_the_term():
    docs, answers = _docs("hackathon")
    f = deal_facts.of(answers)
    assert f.deletion_from_use
    text = _text(docs[HK])
    assert f"{f.use_end_event}から{f.deletion_days}日以内" in _article_text(docs[HK], "hk_license")
    assert f.use_end_event in text


# ---------------------------------------------------------------- 3. venue
@pytest.mark.parametrize("model", ["hackathon", "paid_consulting"])
def test_venue_is_additional_and_the_annotation_does_not_lean_on_international_jurisdiction(model):
    docs, answers = _docs(model)
    text = _article_text(docs[PT], "pt_governing_law")
    assert "専属的" not in text
    assert "ほか、" in text and "管轄を排除するものではない" in text
    assert "この限りでない" not in text
    notes = _annotations(docs[PT])
    assert "民事訴訟法第3条の7" not in notes
    assert "民事訴訟法第3条の7第5項" not in _article(docs[PT], "pt_governing_law").annotation.references


def test_venue_annotation_for_participants_abroad_states_the_rule_of_article_3_7():
    docs, _ = _docs("hackathon", deal__learners__abroad=True)
    risk = _article(docs[PT], "pt_governing_law").annotation.provider.risk
    assert "民事訴訟法第3条の7第5項" in risk and "国際裁判管轄" in risk


# ---------------------------------------------------------------- 4. consulting uses of the terms
def test_consulting_terms_do_not_name_the_client_before_registration():
    docs, answers = _docs("paid_consulting", deal__learners__selection="open")
    text = _text(docs[PT])
    assert answers.parties.provider.name not in text
    assert answers.deal.program_name not in text
    assert "登録の後に" in text and "個別に通知する" in text


def test_consulting_terms_carry_no_hackathon_language():
    docs, _ = _docs("paid_consulting", deal__learners__selection="open")
    text = _text(docs[PT]) + "\n" + _annotations(docs[PT])
    for word in ("競技", "評価用データ", "公開型", "コンペティション", "ハッカソン", "応募成果物", "製造条件"):
        assert word not in text, word


@pytest.mark.parametrize("model", ["hackathon", "paid_consulting"])
def test_terms_bind_only_the_operator_and_the_participant(model):
    docs, answers = _docs(model, deal__learners__selection="open")
    text = _text(docs[PT])
    assert "データ提供者は、本規約の当事者ではない" in text
    assert "利益を享受する意思を表示した時に発生する" in text
    for s in _sentences(text):
        if s.startswith("データ提供者は、"):
            assert s.endswith(("ことができる。", "当事者ではない。")), s


def test_hackathon_agreement_authorises_the_declaration_of_benefit():
    docs, _ = _docs("hackathon")
    assert "受益の意思を表示する権限を付与する" in _article_text(docs[HK], "hk_participant_terms")


def test_trained_parameters_are_classified_as_in_the_consulting_agreement():
    docs, _ = _docs("paid_consulting", deal__learners__selection="open")
    defs = _article(docs[PT], "pt_definitions").paragraphs[0].items
    work = next(i.text for i in defs if i.text.startswith("「本成果物」"))
    derived = next(i.text for i in defs if i.text.startswith("「派生データ」"))
    assert "学習済みパラメータ" in work and "学習済みモデルを除く" in derived
    agreement = next(d for k, d in docs.items() if k not in (PT, "nda") and d.file_name.startswith("02_"))
    text = _text(agreement)
    agreement_derived = re.search(r"「派生データ」とは、[^\n]*", text).group(0)
    agreement_work = re.search(r"「本成果物」とは、[^\n]*", text).group(0)
    assert "学習済みモデル" in agreement_work
    assert "学習済みモデルを除く" in agreement_derived


def test_selected_learners_get_no_standard_form_terms():
    docs, _ = _docs("paid_consulting", deal__learners__selection="selected")
    assert PT not in docs
    docs, _ = _docs("paid_consulting", deal__learners__selection="open")
    assert PT in docs
    docs, _ = _docs("hackathon", deal__learners__selection="selected")
    assert PT in docs


# ---------------------------------------------------------------- 5. annotations true of the text
def test_no_objection_comment_follows_civil_code_532():
    docs, _ = _docs("hackathon")
    note = _article(docs[PT], "pt_judging").annotation
    assert "第532条" in note.recipient.risk and "同条第3項" in note.recipient.risk
    assert "無効となるものではありません" in note.recipient.risk
    assert "争われる余地がある" not in note.recipient.risk


def test_disclaimer_comments_claim_no_monetary_cap():
    for model in ("hackathon", "paid_consulting"):
        docs, _ = _docs(model, deal__learners__selection="open")
        notes = _annotations(docs[PT])
        assert "上限による制限" not in notes
        art = _article_text(docs[PT], "pt_disclaimer")
        assert "上限" not in art


# ---------------------------------------------------------------- 6. one term per concept, references, survival
def test_one_term_for_the_event_and_for_the_submissions():
    docs, answers = _docs("hackathon")
    term = deal_facts.of(answers).program_term
    assert term == "本ハッカソン"
    for kind in (HK, PT):
        text = _text(docs[kind])
        assert term in text
        assert "本プログラム" not in text and "本取組" not in text, kind
        assert "応募成果物" in text and "本成果物" not in text, kind
    docs, answers = _docs("paid_consulting", deal__learners__selection="open")
    text = _text(docs[PT])
    assert deal_facts.of(answers).program_term == "本プログラム" and "本プログラム" in text
    assert "本ハッカソン" not in text and "本成果物" in text


def test_no_typed_paragraph_or_item_numbers_in_these_clauses():
    problems = [p for p in check(default_library()) if re.match(r"(clause|document) (hk_|pt_|hackathon_agreement|participant_terms)", p)]
    assert problems == []


def test_clauses_with_duties_after_termination_survive():
    docs, _ = _docs("hackathon")
    survival = next(a for a in docs[HK].articles if a.clause_id == "common_survival")
    listed = "".join(p.text for p in survival.paragraphs)
    for cid in ("hk_data_management", "hk_subcontracting", "hk_deliverables", "hk_participant_data", "hk_cancellation"):
        art = _article(docs[HK], cid)
        assert f"第{art.number}条" in listed, cid
    lib = default_library()
    for cid in ("pt_confidentiality", "pt_deletion", "pt_violation", "pt_governing_law", "pt_deliverables"):
        assert lib.clauses[cid].survives, cid


def test_grave_breach_of_trust_is_against_the_terminating_party():
    docs, _ = _docs("hackathon")
    assert "相手方に対する重大な背信行為" not in _text(docs[HK])


# ---------------------------------------------------------------- 7. consumers
def test_participant_disclaimer_is_consumer_safe():
    for model in ("hackathon", "paid_consulting"):
        docs, _ = _docs(model, deal__learners__selection="open")
        text = _article_text(docs[PT], "pt_disclaimer")
        assert "故意又は重大な過失による場合を除き" in text
        assert "重大な過失を除く過失による行為にのみ適用する" in text
        cancel = _article_text(docs[PT], "pt_cancellation")
        assert "責めに帰すべき事由がある場合に限り" in cancel


def test_individual_provider_and_organiser_get_consumer_safe_variants():
    docs, _ = _docs("hackathon", parties__provider__kind="individual", parties__recipient__kind="individual")
    report = _article_text(docs[HK], "hk_report")
    assert "故意又は重大な過失" in report
    assert "民法第651条第2項" in _article_text(docs[HK], "hk_cancellation")
    docs, _ = _docs("hackathon")
    assert "民法第651条第2項" not in _article_text(docs[HK], "hk_cancellation")


# ---------------------------------------------------------------- every variant assembles
@pytest.mark.parametrize(
    "stance,rights,prizes,fee",
    list(itertools.product(["provider", "balanced", "recipient"], ["license", "assign_winners", "open"], [True, False],
                           ["fixed", "per_learner", "revenue_share", "free"]))[::3],
)
def test_every_variant_assembles(stance, rights, prizes, fee):
    changes = {"stance": stance, "deal__hackathon__deliverable_rights": rights}
    if not prizes:
        changes["deal__hackathon__prizes"] = []
    if fee == "free":
        changes["deal__fee"] = {"kind": "free"}
        changes["deal__liability_cap"] = {"kind": "none"}
    elif fee == "revenue_share":
        changes["deal__fee"] = {"kind": "revenue_share", "percent": 3, "due": "毎年3月末日"}
        changes["deal__liability_cap"] = {"kind": "fixed", "amount_yen": 1000000}
    elif fee == "per_learner":
        changes["deal__fee"] = {"kind": "per_learner", "amount_yen": 5000, "due": "本ハッカソンの終了日の属する月の翌月末日"}
    docs, _ = _docs("hackathon", **changes)
    for kind in (HK, PT):
        text = _text(docs[kind])
        assert "{{" not in text and "本プログラム" not in text


# ================================================================ second reading (2026-11-30, HK 02 / HK 03)
PLEDGE = "participant_pledge"


def _ref(doc, clause_id: str) -> str:
    return f"第{_article(doc, clause_id).number}条"


# ---------------------------------------------------------------- 1. one liability standard for participants
@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_participants_breaches_have_one_liability_standard(stance):
    docs, _ = _docs("hackathon", stance=stance)
    hk = docs[HK]
    art = _article(hk, "hk_participant_terms")
    text = _article_text(hk, "hk_participant_terms")
    conf, liab = _ref(hk, "common_confidentiality"), _ref(hk, "common_liability")
    # the confidentiality article's rule on persons given access does not reach participants: this article decides
    assert f"{conf}その他の本契約の規定にかかわらず、前項の定めるところによる" in text
    assert f"損害賠償の範囲及び額は、{liab}の定めるところによる" in text
    assert "liability" in [p.key for p in _article_plan_keys(art, stance)]
    if stance == "balanced":
        assert "相当の注意を怠らなかったことを証明したときは、この限りでない" in text
    note = art.annotation.summary
    assert "本条だけで決まり" in note and "本条に基づく損害賠償" in note


def _article_plan_keys(art, stance):
    lib = default_library()
    variant = next(v for v in lib.clauses[art.clause_id].variants if stance in v.stance)
    return [p for p in variant.paragraphs if p.key]


# ---------------------------------------------------------------- 2. download: agreement, terms and pledge agree
def test_download_is_governed_alike_and_a_pledge_is_generated():
    docs, answers = _docs("hackathon", deal__learners__receive_raw_data=True, data__delivery__method="download")
    hk, pt = docs[HK], docs[PT]
    assert PLEDGE in docs
    assert "ダウンロードした端末上において" in _article_text(hk, "hk_license")
    duties = _article_text(hk, "hk_participant_terms")
    assert "参加者がダウンロードした端末上で利用すること" in duties
    assert "「参加者誓約書」を乙に提出し" in duties
    management = _article_text(hk, "hk_data_management")
    assert "「参加者誓約書」の提出を受け" in management and "登録端末" in management
    assert "計算環境内でのみ提供データを利用できるようにし" not in management
    use = _article_text(pt, "pt_data_use")
    assert "ダウンロードした登録端末上において" in use and "「参加者誓約書」を運営者に提出し" in use
    assert "本プラットフォームの計算環境内でのみ利用することができる" not in use
    pledge = docs[PLEDGE]
    assert pledge.addressee.startswith(answers.parties.recipient.name)
    assert [s.short_name for s in pledge.signatures] == ["誓約者"]
    text = _text(pledge)
    assert "データ提供者のためにもされるもの" in text and "直接" in text
    assert "利益を享受する意思を表示した時に発生します" in text
    assert "重複して賠償する責任を負いません" in text
    # consumer-safe: fault-based liability, no exemption for the operator, no burden of proof on the participant
    assert "故意又は過失により本誓約書に違反して" in text
    assert "責任を免除し、又は制限するものではありません" in text
    assert "証明できる" not in text and "貴社" not in text and "違約金" not in text
    # the organiser may declare the benefit on receipt, as the agreement authorises
    assert "同誓約書の受領の際に甲に代わって" in duties


def test_without_download_no_pledge_and_platform_only():
    docs, _ = _docs("hackathon")
    assert PLEDGE not in docs
    item = _article(docs[HK], "hk_participant_terms").paragraphs[0].items[0].text
    assert item.endswith("本プラットフォーム上で利用すること") and "ダウンロード" not in item


# ---------------------------------------------------------------- 3. consented personal data passed on to participants
def test_consented_personal_data_is_told_to_participants_and_confirmed_in_the_agreement():
    docs, _ = _docs("hackathon", data__personal_info="consented", deal__learners__abroad=True)
    terms = _article_text(docs[PT], "pt_personal_data")
    assert "本人の同意を得て取得した個人データ" in terms
    assert "データ提供者から運営者を経て本ハッカソンの参加者に提供され" in terms  # the consent scope
    assert "応募成果物の作成にのみ利用" in _article_text(docs[PT], "pt_data_use")  # the purpose
    for duty in ("安全管理", "第三者（同じチームに属する参加者を除く。）に提供し、又は閲覧させないこと", "直ちに運営者に報告",
                 "個人情報取扱事業者の義務を負う", "第28条"):
        assert duty in terms, duty
    agreement = _article_text(docs[HK], "hk_participant_personal_data")
    assert "参加者への個人データの提供" in agreement and "確認を書面により求めなければならない" in agreement
    assert "参加者に提供データを利用させてはならない" in agreement
    assert "外国にある参加者への提供について" in agreement and "第28条の手続が履践されていること" in agreement
    assert "第29条" in agreement
    assert "個人データ" in "".join(i.text for i in _article(docs[HK], "hk_participant_terms").paragraphs[0].items)
    docs, _ = _docs("hackathon")
    assert not any(a.clause_id in ("hk_participant_personal_data", "pt_personal_data")
                   for d in docs.values() for a in d.articles)


# ---------------------------------------------------------------- 4. dates keyed to the last day of the event period
def test_dates_run_from_the_last_day_of_the_event_period_and_the_term_is_defined_alike():
    docs, answers = _docs("hackathon")
    hk, pt = docs[HK], docs[PT]
    for doc in (hk, pt):
        assert "本ハッカソンの終了" not in _text(doc) and "本ハッカソンが終了" not in _text(doc)
    assert "開催期間の末日から30日以内" in _article_text(hk, "hk_report")
    assert "開催期間の末日の属する月の翌月末日までに" in _article_text(hk, "hk_costs")
    assert "開催期間の末日から30日を経過する日までの間に限り" in _article_text(hk, "hk_license")
    assert "開催期間の末日" in "".join(i.text for i in _article(hk, "hk_participant_terms").paragraphs[0].items)
    assert "開催期間の末日から30日を経過する日までの期間内に限る" in _article_text(pt, "pt_data_use")
    assert _article_text(pt, "pt_deletion").startswith("参加者は、開催期間の末日")

    def programme(text):
        m = re.search(r"参加者の募集、開催期間（.*?）中の提供データの利用環境の提供、応募成果物の審査及び表彰並びに結果の報告を含", text)
        return re.sub(r"第[0-9]+条", "第N条", m.group(0))

    assert programme(_article_text(hk, "hk_definitions")) == programme(_article_text(pt, "pt_purpose"))
    assert answers.deal.hackathon.period in programme(_article_text(pt, "pt_purpose"))
    per_learner = {"kind": "per_learner", "amount_yen": 5000, "due": "本ハッカソンの終了日の属する月の翌月末日"}
    docs, _ = _docs("hackathon", deal__fee=per_learner)
    assert "開催期間の末日における参加者の数" in _article_text(docs[HK], "hk_costs")


# ---------------------------------------------------------------- 5. venue: the operator's seat, additional
def test_terms_venue_is_the_operators_seat_not_the_providers_court():
    docs, answers = _docs("hackathon")
    text = _article_text(docs[PT], "pt_governing_law")
    assert answers.deal.court not in text
    assert f"運営者の本店の所在地（{answers.parties.recipient.address}）を管轄する地方裁判所" in text
    assert "管轄を排除するものではない" in text
    note = _article(docs[PT], "pt_governing_law").annotation
    assert answers.deal.court not in note.summary + note.recipient.benefit
    person = {"name": "山田 太郎", "address": "東京都世田谷区桜丘一丁目1番1号", "kind": "individual", "sme": True}
    docs, _ = _docs("hackathon", parties__recipient=person)
    assert "運営者の住所（東京都世田谷区桜丘一丁目1番1号）を管轄する地方裁判所" in _article_text(docs[PT], "pt_governing_law")


# ---------------------------------------------------------------- 6. generative AI: the terms never wider than the agreement
@pytest.mark.parametrize("ai", ["prohibited", "approved_only"])
def test_terms_allow_only_the_organisers_in_house_ai(ai):
    docs, _ = _docs("hackathon", deal__generative_ai=ai)
    terms = _article_text(docs[PT], "pt_prohibited")
    assert "提供するものではない" not in terms
    assert "自らの管理する環境において稼働させ、入力された情報が外部に送信されないAIモデル" in terms
    agreement = _article_text(docs[HK], "common_generative_ai")
    duties = "".join(i.text for i in _article(docs[HK], "hk_participant_terms").paragraphs[0].items)
    assert "自らの管理する環境において稼働させ、入力された情報が外部に送信されないAIモデル" in duties
    if ai == "approved_only":
        assert "データ提供者が書面により承諾し" in terms and "書面により承諾" in agreement
    else:
        assert "承諾" not in terms.split("生成AIサービス")[1].split("行為")[0]


# ---------------------------------------------------------------- 7. prizes: withholding, payer, refund date
def test_prizes_are_gross_paid_by_the_organiser_with_withholding_and_a_refund_date():
    docs, _ = _docs("hackathon")
    costs = _article_text(docs[HK], "hk_costs")
    assert "賞金の額は、所得税の源泉徴収をする前の額とする" in costs
    assert "乙の名義で受賞者に賞金を支払う" in costs and "代わって" not in costs
    assert "乙は、賞金の支払者として" in costs and "支払調書" in costs
    # the return and the payment report follow the last payment, not the event report (due before prizes can be paid)
    assert "全ての受賞者について賞金の支払を終え、又は支払を要しないこととなった日から30日以内に甲に返還する" in costs
    assert "支払日、支払額及び源泉徴収をした額を含む。）を甲に書面により報告する" in costs
    judging = _article_text(docs[PT], "pt_judging")
    assert "源泉徴収をする前の額とする" in judging and "運営者の名義で賞金を支払う" in judging
    notes = _annotations(docs[HK]) + _annotations(docs[PT])
    assert "10.21" not in notes and "税理士に確認してください" not in notes


def test_organiser_paid_prizes_are_never_refunded_to_the_provider_and_cancellation_costs_do_not_conflict():
    docs, _ = _docs("hackathon", deal__hackathon__prize_payer="organiser", deal__hackathon__costs_payer="shared",
                    deal__fee={"kind": "free"}, deal__liability_cap={"kind": "none"})
    for cid in ("hk_costs", "hk_cancellation"):
        text = _article_text(docs[HK], cid)
        assert "賞金に充てる" not in text and "賞金として乙に支払った" not in text, cid
    cancel = _article_text(docs[HK], "hk_cancellation")
    assert "定める割合により甲及び乙が負担する。ただし、甲の通知による中止" in cancel
    assert "乙が負担すべき部分を含め、その全額を甲が負担する" in cancel


# ---------------------------------------------------------------- 8. smaller defects of the terms and the agreement
def test_terms_confidentiality_ends_when_the_data_become_public():
    docs, _ = _docs("hackathon")
    text = _article_text(docs[PT], "pt_confidentiality")
    assert "（提供データを除く。）" not in text
    assert "参加者の責めによらずに公知となった時に" in text
    assert "データ提供者の秘密情報（提供データ及び派生データを含む。）についてはデータ提供者が" in text


def test_prohibited_acts_cannot_be_added_through_the_recruitment_rules():
    docs, _ = _docs("hackathon")
    assert "募集要項等において定める行為" not in _article_text(docs[PT], "pt_prohibited")
    purpose = _article_text(docs[PT], "pt_purpose")
    assert f"{_ref(docs[PT], 'pt_changes')}に定める手続によらなければならない" in purpose


def test_competitor_list_is_shown_to_applicants_not_published():
    docs, _ = _docs("hackathon")
    assert "募集要項等に掲げる" not in _text(docs[PT])
    assert "申込みをしようとする者に示す事業者" in _article_text(docs[PT], "pt_eligibility")
    assert "甲の書面による承諾なくこれを公表してはならない" in _article_text(docs[HK], "hk_eligibility")


def test_fee_on_the_organisers_fault_follows_or_states_the_departure_from_article_648():
    docs, _ = _docs("hackathon", stance="provider")
    art = _article(docs[HK], "hk_cancellation")
    assert "甲は、運営委託料を支払うことを要しない" in _article_text(docs[HK], "hk_cancellation")
    assert "異なる特約" in art.annotation.direction and "受任者の責めに帰すべき事由による場合も同じ" in art.annotation.direction
    docs, _ = _docs("hackathon")
    art = _article(docs[HK], "hk_cancellation")
    assert "要しない" not in _article_text(docs[HK], "hk_cancellation")
    assert "原則に沿っています" in art.annotation.direction


def test_definitions_survive():
    docs, _ = _docs("hackathon")
    assert default_library().clauses["hk_definitions"].survives
    survival = _article_text(docs[HK], "common_survival")
    assert f"{_ref(docs[HK], 'hk_definitions')}、" in survival


# ---------------------------------------------------------------- 9. annotations true of the text, party wording
def test_annotations_of_these_clauses_fit_an_individual_organiser_and_the_minors_answer():
    person = {"name": "山田 太郎", "address": "東京都世田谷区桜丘一丁目1番1号", "kind": "individual", "sme": True}
    docs, _ = _docs("hackathon", stance="recipient", parties__recipient=person, deal__learners__receive_raw_data=True)
    for kind in (HK, PT, PLEDGE):
        for a in docs[kind].articles:
            if not a.clause_id.startswith(("hk_", "pt_")):
                continue  # common clauses are reported separately
            n = a.annotation
            words = " ".join([n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk,
                              n.issue, n.direction])
            assert "自社" not in words and "貴社" not in words, a.clause_id
            assert "deal." not in words, a.clause_id
    docs, _ = _docs("hackathon")
    assert "法定代理人の同意を得ていること" not in _article_text(docs[HK], "hk_eligibility")
    assert "同意の取得を資格要件としています" not in _article(docs[HK], "hk_eligibility").annotation.direction


@pytest.mark.parametrize(
    "stance,raw,personal,payer",
    list(itertools.product(["provider", "balanced", "recipient"], [True, False], ["consented", "none"],
                           ["provider", "organiser"])),
)
def test_download_personal_data_and_prize_variants_check_clean(stance, raw, personal, payer):
    from contracts import consistency

    docs, answers = _docs("hackathon", stance=stance, deal__learners__receive_raw_data=raw, data__personal_info=personal,
                          deal__learners__abroad=(personal == "consented"), deal__hackathon__prize_payer=payer)
    assert (PLEDGE in docs) == raw
    mine = [d for d in docs.values() if d.kind in (HK, PT, PLEDGE)]
    problems = [p.line() for p in consistency.check_set(answers, list(docs.values()), default_library())
                if any(d.title in p.document for d in mine)]
    assert problems == []
    for d in mine:
        assert "{{" not in _text(d) and "本ハッカソンの終了" not in _text(d)
