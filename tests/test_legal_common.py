"""Legal review of the shared base (clauses/common.yaml) and the NDA (clauses/nda.yaml), read from drafted text.

Each test builds a set from the example answers (changed where the test says so) and asserts on what a reader of
the drafts sees, so that each defect of the 2026-11-30 readings fails a test if it comes back: the liability cap
that was zero before payment, the missing carve-outs, clauses that a consumer could have struck down, the NDA that
disclosed the whole dataset under terms it never defined, a survival clause that let governing law lapse, a main
agreement that did not say which NDA it implements, and deletion counted from the end of a term that outlives the use.
"""

from __future__ import annotations

import copy
import functools
import json
import re

import pytest
import yaml

from contracts import facts as deal_facts
from contracts.answers import validate_answers
from contracts.assembly import BLANK_DATE, assemble_set, date_ja
from contracts.library import check, default_library
from tests.conftest import ROOT

MODELS = ("hackathon", "paid_consulting", "joint_research", "data_provision")
STANCES = ("provider", "balanced", "recipient")
# What each main agreement calls the people it lets use the data (its own defined term).
PERSONS = {"hackathon": "参加者", "paid_consulting": "学習者", "joint_research": "参加学生", "data_provision": "受講者"}
CONSUMER = {"name": "山田 花子", "address": "東京都新宿区西新宿二丁目8番1号", "kind": "individual"}


def example(model: str) -> dict:
    return yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))


def _set(data: dict, path: str, value) -> None:
    node = data
    *parents, last = path.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value


@functools.cache
def _build(model: str, changes: tuple):
    data = copy.deepcopy(example(model))
    for path, value in changes:
        _set(data, path, yaml.safe_load(value) if isinstance(value, str) and value[:1] in "{[" else value)
    answers = validate_answers(data)
    return answers, assemble_set(answers, default_library())


def build(model: str, **changes):
    """The example's set with changes given as path__to__field=value (JSON/YAML text for dicts)."""
    key = tuple(sorted(
        (k.replace("__", "."), json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v) for k, v in changes.items()
    ))
    return _build(model, key)


def main(docs):
    return next(d for d in docs if d.kind != "nda" and len(d.signatures) >= 2)


def nda(docs):
    return next(d for d in docs if d.kind == "nda")


def article(doc, clause_id):
    return next(a for a in doc.articles if a.clause_id == clause_id)


def text(a) -> str:
    return a.text()


def number(doc, clause_id) -> str:
    return f"第{article(doc, clause_id).number}条"


def consumer_party(model: str) -> str:
    return "provider" if model == "joint_research" else "recipient"


# ---------------------------------------------------------------------------------------------- 1 liability cap


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stance", STANCES)
def test_the_cap_is_a_determinable_amount_with_the_data_carve_outs(model, stance):
    answers, docs = build(model, stance=stance)
    f = deal_facts.of(answers)
    assert f.has_cap
    liability = article(main(docs), "common_liability")
    body = text(liability)
    assert f.cap_text in body and f"金{f.cap_yen:,}円" in body
    assert not re.search(r"現に支払|支払済み|既に支払った", body)
    # Carved out of the cap (or capped separately): confidentiality, use limits, re-identification, generative AI,
    # and the recipient's liability for the persons it lets use the data.
    for phrase in ("秘密保持の義務の違反", "本目的以外の目的での利用", "再識別", "生成AIサービス等への入力の制限の違反", PERSONS[model]):
        assert phrase in body, (model, stance, phrase)
    assert "故意又は重大な過失" in body
    note = liability.annotation
    assert f.cap_text in note.summary
    assert "OIモデル契約書（AI編）と同様" not in note.direction + note.summary  # the OI PoC caps at the contract fee
    assert not re.search(r"現に支払|支払済みの(対価|研究経費|額)の総額", note.summary)


def test_the_recipient_stance_caps_the_carve_outs_separately_and_the_others_do_not_limit_them():
    answers, docs = build("hackathon", stance="recipient")
    f = deal_facts.of(answers)
    body = text(article(main(docs), "common_liability"))
    assert f"金{f.cap_yen * 3:,}円" in body
    _, docs = build("hackathon", stance="balanced")
    body = text(article(main(docs), "common_liability"))
    assert "損害賠償の範囲の制限及び賠償額の上限は、次の各号に掲げる損害賠償については、適用しない" in body


def test_a_cap_that_cannot_be_determined_is_dropped_and_the_note_says_why():
    answers, docs = build("data_provision", deal__fee={"kind": "free"}, deal__liability_cap={"kind": "fee"})
    f = deal_facts.of(answers)
    assert f.cap_overridden and not f.has_cap
    liability = article(main(docs), "common_liability")
    assert "上限とする" not in text(liability)
    assert "上限を置いていません" in liability.annotation.summary and f.cap_reason in liability.annotation.summary


def test_every_limitation_keeps_wilful_misconduct_and_gross_negligence_out():
    for model in MODELS:
        for stance in STANCES:
            _, docs = build(model, stance=stance)
            body = text(article(main(docs), "common_liability"))
            assert "故意又は重大な過失によって生じた場合には、適用しない" in body, (model, stance)


# ---------------------------------------------------------------------------------------------- 2 consumers


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stance", STANCES)
def test_a_consumer_party_gets_consumer_safe_clauses(model, stance):
    side = consumer_party(model)
    answers, docs = build(model, stance=stance, **{f"parties__{side}": dict(CONSUMER)})
    f = deal_facts.of(answers)
    assert f.any_consumer
    agreement = main(docs)
    liability = text(article(agreement, "common_liability"))
    # A limitation for slight negligence says so expressly (消費者契約法第8条第3項).
    assert "軽過失（" in liability and "その代表者及びその使用する者" in liability
    assert "1年以内に書面により行わなければならない" not in liability
    if side == "recipient":
        if any(a.clause_id == "common_nonwarranty" for a in agreement.articles):
            nonwarranty = text(article(agreement, "common_nonwarranty"))
            assert "契約不適合責任その他名目のいかんを問わず" not in nonwarranty
            assert "故意又は過失によって" in nonwarranty and "知りながら" in nonwarranty
        nda_nonwarranty = text(article(nda(docs), "nda_nonwarranty"))
        assert "責任を負わない" not in nda_nonwarranty and "故意又は過失によって" in nda_nonwarranty
        assert "合理的な弁護士費用" not in liability
    for d in (agreement, nda(docs)):
        assert "専属的合意管轄" not in text(article(d, "common_governing_law"))


def test_an_individual_acting_as_a_business_is_not_a_consumer():
    answers, docs = build("hackathon", parties__recipient=dict(CONSUMER, acts_as_business=True))
    assert not deal_facts.of(answers).any_consumer
    assert "軽過失（" not in text(article(main(docs), "common_liability"))
    assert "専属的合意管轄" in text(article(main(docs), "common_governing_law"))


def test_a_seller_like_provider_keeps_liability_for_defects_it_knew_of():
    _, docs = build("data_provision", stance="provider")
    body = text(article(main(docs), "common_nonwarranty"))
    assert "知りながら" in body and "この限りでない" in body


# ---------------------------------------------------------------------------------------------- 3 書面 and 電磁的記録


@pytest.mark.parametrize("model", MODELS)
def test_writing_includes_electronic_records_in_the_nda_and_the_main_agreement(model):
    _, docs = build(model)
    for d in (nda(docs), main(docs)):
        assert any("当該電磁的記録は、書面とみなす" in line for line in d.text_lines()), d.title


# ---------------------------------------------------------------------------------------------- 4 the NDA


def test_the_nda_return_clause_returns_or_disposes_as_its_heading_says():
    for method in ("delete", "return", "delete_or_return"):
        _, docs = build("hackathon", deal__deletion={"method": method, "within_days": 30, "certificate": True})
        a = article(nda(docs), "nda_return")
        assert a.heading == "秘密情報の返還又は廃棄"
        assert "返還" in text(a) and "廃棄" in text(a), method


@pytest.mark.parametrize("stance", STANCES)
def test_nda_survival_lists_what_survives_and_keeps_governing_law_without_a_time_limit(stance):
    _, docs = build("paid_consulting", stance=stance)
    d = nda(docs)
    survival = text(article(d, "nda_term"))
    [paragraph] = [p.text for p in article(d, "nda_term").paragraphs if p.text.startswith("本契約が期間満了その他の事由により終了")]
    listed, _, limited = paragraph.partition("ただし、")
    for cid in ("common_governing_law", "nda_relation", "nda_return", "nda_damages", "nda_no_license",
                "nda_confidentiality"):
        assert number(d, cid) in listed, (stance, cid)
    limited = limited.split("。")[0]
    assert number(d, "nda_confidentiality") in limited
    for cid in ("common_governing_law", "nda_damages", "nda_relation", "nda_return"):
        assert number(d, cid) not in limited, (stance, cid)
    assert ("営業秘密に該当する限り" in survival) == (stance != "recipient")


@pytest.mark.parametrize("stance", ["provider", "balanced"])
def test_trade_secrets_stay_confidential_while_they_are_trade_secrets(stance):
    _, docs = build("paid_consulting", stance=stance)
    assert "営業秘密に該当する限り" in text(article(main(docs), "common_confidentiality"))
    years = example("paid_consulting")["deal"]["confidentiality_years"]
    assert f"本契約の終了後{years}年間" in text(article(main(docs), "common_confidentiality"))


def test_the_nda_discloses_a_sample_under_its_own_schedule():
    _, docs = build("hackathon")
    d = nda(docs)
    [schedule] = d.schedules
    rows = {r.label: r.value for r in schedule.rows}
    assert "一部" in rows["開示するデータ"]
    assert rows["元となるデータの名称"] == example("hackathon")["data"]["title"]
    _, docs = build("hackathon", data__sample="検査画像200枚及びそのアノテーション")
    rows = {r.label: r.value for r in nda(docs).schedules[0].rows}
    assert rows["開示するデータ"] == "検査画像200枚及びそのアノテーション"
    _, docs = build("hackathon", deal__nda_data="full")
    rows = {r.label: r.value for r in nda(docs).schedules[0].rows}
    assert "全部" in rows["開示するデータ"] and rows["データの名称"] == example("hackathon")["data"]["title"]


@pytest.mark.parametrize("model", MODELS)
def test_the_nda_uses_only_terms_it_defines(model):
    answers, docs = build(model)
    d = nda(docs)
    lines = "\n".join(d.text_lines())
    program = deal_facts.of(answers).program_term
    assert f"（以下「{program}」という。）" in d.preamble
    assert "本取組" not in lines
    for term in ("運営者", "本プラットフォーム", "実施計画書", "研究代表者"):
        assert term not in "\n".join(f"{r.label}{r.value}" for s in d.schedules for r in s.rows), (model, term)
    if "外部生成AIサービス等" in lines:
        assert lines.count("外部生成AIサービス等") > 1


def test_the_restoration_ban_reads_as_one_list():
    _, docs = build("hackathon")
    items = [it.text for p in article(nda(docs), "nda_no_reidentification").paragraphs for it in p.items]
    assert not any("仮番号に置換、" in t for t in items)
    assert any("により削除され、置換され、又は秘匿された情報を復元し" in t for t in items)


# ---------------------------------------------------------------------------------------------- 5 NDA first, linked


@pytest.mark.parametrize("model", MODELS)
def test_the_main_agreement_cites_the_nda_by_date_and_title_and_is_its_main_agreement(model):
    answers, docs = build(model)
    assert answers.deal.nda_date is not None
    cited = f"{date_ja(answers.deal.nda_date)}付けで締結した「秘密保持契約書」と題する契約"
    body = text(article(main(docs), "common_confidentiality"))
    assert cited in body and "「本実施契約」とは本契約をいう" in body
    assert "本契約の定めが優先して適用され、その他の情報の取扱いについては原秘密保持契約の定めるところによる" in body
    assert nda(docs).date_line == date_ja(answers.deal.nda_date)


def test_without_an_nda_date_the_citation_leaves_the_date_blank():
    _, docs = build("hackathon", deal__nda_date=None)
    assert f"{BLANK_DATE}付けで締結した「秘密保持契約書」" in text(article(main(docs), "common_confidentiality"))


def test_click_through_acceptance_binds_participants_and_the_main_agreement_sets_the_standard():
    _, docs = build("hackathon")
    d = nda(docs)
    body = text(article(d, "nda_confidentiality"))
    assert "書面又は電磁的記録により合意する" in body and "規約に電磁的方法により同意する" in body
    relation = text(article(d, "nda_relation"))
    assert "開示を認めた者の行為についての" in relation and "本実施契約の定めが優先して適用される" in relation


# ---------------------------------------------------------------------------------------------- 6 deletion


def test_deletion_counts_from_the_end_of_use_in_the_hackathon():
    answers, docs = build("hackathon")
    f = deal_facts.of(answers)
    assert f.deletion_from_use
    body = text(article(main(docs), "common_post_termination"))
    assert f"{f.use_end_event}又は本契約が期間満了" in body
    assert f"利用終了日から{f.deletion_days}日以内" in body
    _, docs = build("data_provision")
    body = text(article(main(docs), "common_post_termination"))
    # data provision: the licence ends with the last cohort, which may come before the end of the term
    assert "最終の期の終了の日又は本契約が期間満了、解除その他理由のいかんを問わず終了した日のいずれか早い日（以下「利用終了日」という。）" in body


def test_logs_kept_after_the_end_survive():
    lib = default_library()
    assert lib.clauses["common_data_management"].survives
    _, docs = build("paid_consulting")
    body = text(article(main(docs), "common_data_management"))
    assert "本契約の終了後1年を経過する日までの保存" in body


def test_no_typed_paragraph_or_item_numbers_in_the_shared_base_and_the_nda():
    mine = re.compile(r"^clause (common_|nda_)|^schedule (data_schedule|nda_sample_schedule)")
    problems = [e for e in check(default_library()) if mine.search(e)]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------- 7 annotations


def test_annotations_speak_of_this_deal():
    _, docs = build("data_provision")
    d = nda(docs)
    note = article(d, "nda_no_reidentification").annotation
    assert not re.search(r"製造条件|工程", note.provider.benefit + note.summary)
    for doc in (d, main(docs)):
        venue = article(doc, "common_governing_law").annotation
        assert "自社の所在地から遠い場合" not in venue.provider.risk + venue.recipient.risk
        assert example("data_provision")["parties"]["provider"]["address"] in venue.provider.risk
    damages = article(d, "nda_damages").annotation
    assert "上限もありません" not in damages.provider.benefit
    assert "本実施契約" in damages.summary


def test_no_personal_data_articles_are_cited_for_data_without_personal_information():
    answers, docs = build("hackathon")
    assert answers.data.personal_info == "none"
    for d in docs:
        for a in d.articles:
            if not a.clause_id.startswith(("common_", "nda_")):
                continue
            for ref in a.annotation.references:
                m = re.search(r"個人情報の保護に関する法律第(\d+)条", ref)
                assert not m or m.group(1) == "2", (a.clause_id, ref)
            assert "案）" not in "".join(a.annotation.references)


def test_the_termination_clause_says_against_whom_the_breach_of_trust_was_committed():
    _, docs = build("hackathon", stance="balanced")
    body = text(article(main(docs), "common_termination"))
    assert "相手方に対する重大な背信行為" not in body and "解除しようとする当事者に対して重大な背信行為" in body


# ---------------------------------------------------------------------------------------------- 8 second reading
# 2026-11-30 readings (review-hk-dp, review-pc-jr): NDA survival, 反社 authority, onward provision of consented personal
# data, export control at the NDA stage, carry-overs, venue advice and tool vocabulary.


def notes_of(a) -> str:
    n = a.annotation
    return "\n".join([n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk, n.issue,
                      n.direction])


@pytest.mark.parametrize("model", MODELS)
def test_nda_survival_keeps_the_definitions_and_the_non_warranty(model):
    """HK/DP 01 第15条第2項 omitted 第1条 (定義) and 第10条 (非保証)."""
    _, docs = build(model)
    d = nda(docs)
    [paragraph] = [p.text for p in article(d, "nda_term").paragraphs if p.text.startswith("本契約が期間満了その他の事由により終了")]
    listed, _, limited = paragraph.partition("ただし、")
    for cid in ("nda_definition", "nda_nonwarranty"):
        assert number(d, cid) in listed, (model, cid)
        assert number(d, cid) not in limited.split("。")[0], (model, cid)


@pytest.mark.parametrize("model", MODELS)
def test_termination_effects_and_the_writing_rule_survive_the_main_agreement(model):
    """HK 02 第25条 omitted 第22条第3項・第4項 (解除の効果), 第23条第5項 (反社解除の効果) and 第26条 (書面みなし)."""
    _, docs = build(model)
    m = main(docs)
    [survival] = [p.text for p in article(m, "common_survival").paragraphs]
    for cid in ("common_termination", "common_antisocial", "common_entire_agreement"):
        assert number(m, cid) in survival.partition("ただし")[0], (model, cid)
    assert "本契約の終了後に効力を有する期間を定めるもの" in survival


@pytest.mark.parametrize("model", MODELS)
def test_antisocial_notes_cite_the_right_authority(model):
    """Every 反社 note cited 民法541条 for 無催告解除 and only Tokyo's ordinance although 甲 is elsewhere."""
    _, docs = build(model)
    for d in (nda(docs), main(docs)):
        a = article(d, "common_antisocial")
        refs = " ".join(a.annotation.references)
        assert "民法第542条" in refs and "民法第541条" not in refs
        assert "東京都暴力団排除条例" not in refs + notes_of(a)
        assert "各都道府県の暴力団排除条例" in a.annotation.direction
        assert "約定解除権" in a.annotation.direction


@pytest.mark.parametrize("model", MODELS)
def test_the_consent_warranty_covers_the_onward_provision_to_participants_learners_and_students(model):
    """#3 (高): the warranty covered only 「乙に提供し、乙が本目的のためにこれを利用すること」."""
    _, docs = build(model, data__personal_info="consented", stance="recipient")
    m = main(docs)
    body = text(article(m, "common_personal_info"))
    persons = PERSONS[model]
    assert f"乙が本契約の定めに従い{persons}に提供データを利用させること（{persons}への個人データの提供に当たる場合を含む。）" in body
    assert "個人情報保護法第27条第1項に基づき、あらかじめ本人の同意を得ていることを表明し、保証する" in body
    assert f"乙は、{persons}に提供データを利用させるときは" in body and "直ちに乙に報告することを義務付ける" in body
    refs = " ".join(article(m, "common_personal_info").annotation.references)
    assert "個人情報の保護に関する法律第27条第1項" in refs and "個人情報の保護に関する法律第28条" in refs
    if model != "paid_consulting":  # the consulting agreement has its own data warranty (cs_data_warranty)
        nonwarranty = text(article(m, "common_nonwarranty"))
        assert f"乙が本契約の定めに従い{persons}に提供データを利用させることについての本人の同意の取得を含む。" in nonwarranty
    # at the NDA stage onward disclosure of personal data needs 甲's written confirmation that consent covers it
    nda_pi = text(article(nda(docs), "nda_personal_info"))
    assert "当該開示が第" in nda_pi and "本人の同意の範囲内であることを甲に書面により確認しなければならない" in nda_pi


def test_persons_abroad_bring_in_article_28():
    _, docs = build("data_provision", data__personal_info="consented", deal__learners={
        "count": 120, "receive_raw_data": True, "minors": False, "abroad": True})
    body = text(article(main(docs), "common_personal_info"))
    assert "外国にある第三者（外国に居住する受講者を含む。）に提供し" in body and "個人情報保護法第28条に基づき" in body


@pytest.mark.parametrize("control", ["controlled", "unchecked", "not_controlled"])
def test_the_research_nda_carries_export_control_before_the_research_agreement(control):
    """JR 01: the sample reaches the lab before JRA 第12条 exists."""
    _, docs = build("joint_research", deal__research__export_control=control)
    d = nda(docs)
    ids = [a.clause_id for a in d.articles]
    if control == "not_controlled":
        assert "nda_export_control" not in ids
        return
    body = text(article(d, "nda_export_control"))
    assert "外国為替及び外国貿易法（以下「外為法」という。）" in body
    assert "非居住者等」という。）のいずれにも該当しないことを事前に確認した者に限定し" in body
    assert "規制技術情報を外国において提供し" in body
    if control == "unchecked":
        assert "その結果を乙に書面により通知した後でなければ、秘密情報を乙に開示しないものとする" in body
    else:
        assert "該当する外国為替令別表の項番を乙に書面により通知する" in body
    [survival] = [p.text for p in article(d, "nda_term").paragraphs if p.text.startswith("本契約が期間満了その他の事由により終了")]
    assert number(d, "nda_export_control") in survival.split("ただし")[0]
    for model in ("hackathon", "data_provision"):
        _, other = build(model)
        assert "nda_export_control" not in [a.clause_id for a in nda(other).articles]


def test_nda_flow_down_wording_fits_how_each_model_binds_its_people():
    """JR students sign pledges; 「規約に電磁的方法により同意する方法」 and 「ウェブ上の規約」 were carried over."""
    _, docs = build("joint_research")
    a = article(nda(docs), "nda_confidentiality")
    assert "規約に電磁的方法により同意する" not in text(a)
    assert "ウェブ上の規約" not in notes_of(a) and "誓約書" in a.annotation.direction
    _, docs = build("data_provision", deal__learners={"count": 12, "receive_raw_data": True, "minors": False,
                                                       "abroad": False, "selection": "selected"})
    a = article(nda(docs), "nda_confidentiality")
    assert "規約に電磁的方法により同意する" not in text(a) and "ウェブ上" not in notes_of(a)
    _, docs = build("data_provision")
    assert "規約に電磁的方法により同意する" in text(article(nda(docs), "nda_confidentiality"))
    for model, word in (("joint_research", "研究計画"), ("data_provision", "教材"), ("paid_consulting", "学習プログラム")):
        _, docs = build(model)
        risk = article(nda(docs), "nda_relation").annotation.recipient.risk
        assert "教材設計、イベント企画" not in risk and word in risk, model


@pytest.mark.parametrize("model", MODELS)
def test_venue_notes_make_no_claim_about_jurisdiction(model):
    """Court comments said 「…がこの所在地を管轄しない場合は」 though nothing in the data says which court covers it."""
    _, docs = build(model)
    for d in (nda(docs), main(docs)):
        note = notes_of(article(d, "common_governing_law"))
        assert "管轄しない場合" not in note
        assert "本庁又は支部" in note and "事務の分配" in note


def test_no_tool_vocabulary_in_the_shared_notes():
    """「上限は回答で定めた固定額であり」 and other 「回答で」 phrases leaked into lawyer-facing text."""
    _, docs = build("hackathon", stance="balanced", deal__liability_cap={"kind": "fixed", "amount_yen": 1000000})
    note = article(main(docs), "common_liability").annotation.direction
    assert "当事者が合意した定額" in note and "回答" not in note
    for model in MODELS:
        for changes in ({}, {"data__personal_info": "anonymized"}, {"deal__fee": {"kind": "free"}}):
            _, docs = build(model, **changes)
            for d in docs:
                for a in d.articles:
                    if a.clause_id.startswith(("common_", "nda_")):
                        assert "回答" not in notes_of(a).replace(a.annotation.summary, "") + a.annotation.summary.replace(
                            "回答から定まらない", ""), (model, changes, a.clause_id)


def test_the_nda_defines_personal_information_before_using_it():
    """NDA 第5条 defined 個人情報 in 第2項 after using it in 第1項."""
    _, docs = build("data_provision")
    a = article(nda(docs), "nda_personal_info")
    first, *rest = [p.text for p in a.paragraphs]
    assert first.startswith("本契約において「個人情報保護法」とは個人情報の保護に関する法律をいい、「個人情報」とは")
    assert all("以下同じ。" not in p for p in rest)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("stance", ("provider", "balanced"))
def test_one_liability_standard_for_the_persons_the_recipient_lets_use_the_data(model, stance):
    """HK #1 (高): 第18条第4項 made 乙 liable for participants without the due-care defence of 第5条第2項."""
    _, docs = build(model, stance=stance)
    body = text(article(main(docs), "common_confidentiality"))
    persons = PERSONS[model]
    assert f"ただし、第3号に掲げる者のうち{persons}による義務の違反についての乙の責任は、{persons}に関する本契約の定めるところによる。" in body


def test_termination_items_fit_every_kind_of_party():
    """JR #28: 「監督官庁から営業の停止」 and 手形 applied to a university; 手形交換所 became 電子交換所 in 2022."""
    for model in ("joint_research", "hackathon"):
        _, docs = build(model)
        body = text(article(main(docs), "common_termination"))
        assert "監督官庁から事業若しくは業務の全部若しくは一部の停止、許認可の取消し又は解散命令その他これらに準ずる処分" in body
        assert "電子交換所若しくは電子債権記録機関の取引停止処分" in body and "手形" not in body


def test_statistical_data_suppresses_small_cells():
    """PC #14: single-sale rows can be traced to a person; 「集計の単位を適切に設定」 alone did not say so."""
    _, docs = build("data_provision")
    for d, cid in ((main(docs), "common_personal_info"), (nda(docs), "nda_personal_info")):
        assert "集計の基礎となる件数が少なく特定の個人の取引その他の行動が推知され得る区分の値を秘匿" in text(article(d, cid))


def test_the_universitys_uncapped_liability_for_students_is_named_as_its_negotiation_point():
    """JR #27: uncapped university liability for students' ordinary negligence was not flagged."""
    for stance in ("provider", "balanced"):
        _, docs = build("joint_research", stance=stance)
        assert "主な交渉点" in article(main(docs), "common_liability").annotation.recipient.risk
    _, docs = build("data_provision")
    assert "大学" not in article(main(docs), "common_liability").annotation.recipient.risk
