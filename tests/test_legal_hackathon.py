"""Legal review of the hackathon set (agreement + participant terms) and of the participant terms used for paid
consulting: each test reads the drafted text (what a user reads) and fails if a defect of the 2026-11-30 readings
comes back.
"""

from __future__ import annotations

import copy
import itertools
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from contracts import facts as deal_facts
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.library import check, default_library

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@lru_cache(maxsize=None)
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
    assert f"乙の責めに帰すべき事由により中止されたときは、甲は、{fee_term}を支払うことを要しない" in text
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
