"""Legal review of the joint-research set (共同研究契約書 and the students' 誓約書), read back from the drafted text.

Each test drafts the joint_research example, or a variation of it, and asserts on what a reader of the documents
sees, so that it fails if a defect found in the legal reading comes back:
papers, theses and know-how becoming co-owned; 不実施補償 left to a later agreement; no export-control clause;
a pledge that lets the PI permit what the company reserved or that ends at a date a student cannot find;
the university's answer for students; 「個人情報を含まない」 for data the provider can still match to its staff;
typed cross-references, duties after the end outside the survival list, deletion counted from the wrong day.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

import pytest
import yaml

from contracts import consistency, facts
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.crosscheck import refuse_contradictions
from contracts.document import Article, Document
from contracts.library import check as lint, default_library
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "joint_research.yaml"


@lru_cache(maxsize=1)
def _raw() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def answers(**changes):
    """The example's answers with `a__b__c=value` changes (value None removes the key)."""
    data = copy.deepcopy(_raw())
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    research = data["deal"]["research"]
    if research.get("non_practice_compensation") != "royalty":
        research.pop("royalty_percent", None)
        research.pop("in_house_royalty_percent", None)
    a = validate_answers(data)
    refuse_contradictions(a)
    return a


def draft(**changes) -> list[Document]:
    return assemble_set(answers(**changes), default_library())


def agreement(docs: list[Document]) -> Document:
    return next(d for d in docs if d.kind == "joint_research_agreement")


def pledges(docs: list[Document]) -> list[Document]:
    return [d for d in docs if d.kind == "student_pledge"]


def text(doc: Document) -> str:
    return "\n".join(doc.text_lines())


def article(doc: Document, clause_id: str) -> Article:
    return next(a for a in doc.articles if a.clause_id == clause_id)


def body(a: Article) -> str:
    out = []
    for p in a.paragraphs:
        out.append(p.text)
        out.extend(it.text for it in p.items)
    return "\n".join(out)


def notes(a: Article) -> str:
    n = a.annotation
    return "\n".join([n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk, n.issue,
                      n.direction])


def definition(doc: Document, term: str) -> str:
    defs = article(doc, "jr_definitions")
    return next(it.text for p in defs.paragraphs for it in p.items if it.text.startswith(f"「{term}」とは"))


# --------------------------------------------------------------------------- 1. papers, theses, know-how, definitions


@pytest.mark.parametrize("owner", ["university", "joint", "company"])
def test_papers_and_theses_stay_with_their_authors_whoever_owns_the_results(owner):
    jra = agreement(draft(deal__research__results_owner=owner))
    results = definition(jra, "研究成果")
    assert "論文等" in results and "を除く" in results.split("ただし、")[1]
    papers = definition(jra, "論文等")
    assert "学位論文" in papers and "学術論文" in papers
    ownership = body(article(jra, "jr_results_ownership"))
    assert "論文等に係る著作権は、研究成果に係る知的財産権の帰属にかかわらず、その著作者" in ownership
    # the publication review still protects the company: papers go through it
    assert "論文等の公表は、" + f"第{article(jra, 'jr_publication').number}条に定める手続を経て行う" in ownership
    assert "論文等において研究成果を記載し" in article(jra, "jr_publication").paragraphs[0].text


def test_know_how_is_a_result_only_when_designated_and_never_the_companys_own():
    jra = agreement(draft())
    results = definition(jra, "研究成果")
    assert "成果ノウハウ" in results and "ノウハウその他の技術的成果" not in text(jra)
    assert "開示した秘密情報" in results
    know_how = definition(jra, "成果ノウハウ")
    designate = article(jra, "jr_know_how")
    assert f"第{designate.number}条第1項" in know_how and "書面で特定" in know_how
    k = body(designate)
    assert "秘匿期間" in k
    assert "相手方に開示した秘密情報（提供データを含む。）" in k and "には及ばない" in k
    assert "成果ノウハウとして特定されなかったものは、研究成果に含まれない" in k


def test_trained_parameters_are_classified_once_and_definitions_are_not_circular():
    jra = agreement(draft())
    model = definition(jra, "学習済みモデル")
    assert "学習済みパラメータ" in model
    derived = definition(jra, "派生データ")
    assert "学習済みモデルを除く" in derived
    assert "学習済みモデル" in definition(jra, "研究成果") and "派生データ" in definition(jra, "研究成果").split("ただし")[1]
    # 学習済みパラメータ is named in one definition only
    defs = body(article(jra, "jr_definitions"))
    assert defs.count("学習済みパラメータ") == 1


def test_pledge_thesis_clause_matches_the_agreements_duty():
    docs = draft()
    jra = agreement(docs)
    students = body(article(jra, "jr_researchers"))
    assert "論文等に係る著作権を除く" in students
    for pledge in pledges(docs):
        ip = body(article(pledge, "jr_pledge_ip"))
        assert "私に留保" not in ip
        assert "論文等" in ip and "譲渡されず、私に帰属します" in ip
        # what the paper contains (a program, a model) still goes to the university, as the agreement requires
        assert "論文等に記載し、又は収録した発明等に係る権利は" in ip
        assert "学習済みモデル" in ip


# --------------------------------------------------------------------------- 2. 不実施補償


def _compensation(**changes) -> str:
    return body(article(agreement(draft(deal__research__results_owner="joint", **changes)), "jr_results_ownership"))


def test_royalty_states_the_rate_the_base_and_the_in_house_rate():
    t = _compensation(deal__research__non_practice_compensation="royalty", deal__research__royalty_percent=3,
                      deal__research__in_house_royalty_percent=1)
    assert "正味販売額" in t and "3パーセント" in t and "1パーセント" in t
    assert "自己実施" in t and "計算期間" in t and "帳簿" in t
    assert "実施契約において定める" not in t and "協議して定める" not in t.split("不実施補償")[1]


def test_royalty_with_free_in_house_use_says_so_and_fractions_print_as_written():
    t = _compensation(deal__research__non_practice_compensation="royalty", deal__research__royalty_percent=2.5,
                      deal__research__in_house_royalty_percent=0)
    assert "2.5パーセント" in t
    assert "については、不実施補償を要しない" in t
    assert "自己実施に係る工程又は設備" not in t


def test_royalty_without_a_rate_is_refused_before_drafting():
    from contracts.answers import AnswersError

    with pytest.raises(AnswersError):
        data = copy.deepcopy(_raw())
        del data["deal"]["research"]["royalty_percent"]
        refuse_contradictions(validate_answers(data))


def test_negotiate_is_a_duty_with_a_deadline_and_a_fallback():
    t = _compensation(deal__research__non_practice_compensation="negotiate")
    assert "誠実に協議する" in t and "90日以内" in t and "60日前まで" in t
    assert "合意に至らないとき" in t and "非独占的な実施を許諾することができ" in t
    assert "パーセント" not in t


def test_none_says_no_compensation():
    t = _compensation(deal__research__non_practice_compensation="none")
    assert "実施料、不実施補償その他の対価を請求しない" in t


def test_company_ownership_price_is_not_left_open_without_leverage():
    t = body(article(agreement(draft(deal__research__results_owner="company")), "jr_results_ownership"))
    assert "譲渡を留保することができる" in t


# --------------------------------------------------------------------------- 3. export control


def _export(value: str) -> tuple[Document, Article]:
    jra = agreement(draft(deal__research__export_control=value))
    return jra, article(jra, "jr_export_control")


def test_export_control_clause_is_in_the_agreement_and_survives():
    jra, art = _export("controlled")
    assert art.heading == "安全保障貿易管理"
    survival = body(article(jra, "common_survival"))
    assert f"第{art.number}条" in survival


def test_controlled_technology_brings_the_full_duties():
    _, art = _export("controlled")
    t = body(art)
    assert "規制技術" in t and "が含まれることを確認する" in t and "該非判定" in t and "項番" in t
    assert "非居住者" in t and "経済産業省が定める類型" in t  # みなし輸出: 特定類型該当者
    assert "あらかじめ相手方に書面により通知" in t and "許可を得た後でなければ" in t
    assert "許可を得ることなく、規制技術を外国において提供" in t
    assert "アクセスすることができる者を事前の確認を経た研究担当者" in t


def test_unchecked_technology_must_be_classified_before_disclosure():
    _, art = _export("unchecked")
    t = body(art)
    assert "通知した後でなければ、対象技術を相手方に開示してはならない" in t
    assert "非居住者等" in t


def test_not_controlled_is_a_short_confirmation_with_a_duty_to_notify_a_change():
    _, art = _export("not_controlled")
    t = body(art)
    assert "規制技術に該当しないことを確認したことを相互に表明する" in t
    assert "直ちに相手方に書面により通知する" in t
    assert "非居住者等" not in t and len(art.paragraphs) == 2


@pytest.mark.parametrize("value,present", [("controlled", True), ("unchecked", True), ("not_controlled", False)])
def test_pledge_asks_the_student_to_declare_export_control_status(value, present):
    for pledge in pledges(draft(deal__research__export_control=value)):
        t = body(article(pledge, "jr_pledge_compliance"))
        assert ("経済産業省が定める類型" in t) is present
        assert ("外国に持ち出しません" in t) is present


# --------------------------------------------------------------------------- 4. the pledge matches the agreement


@pytest.mark.parametrize("students", ["named", "unnamed"])
def test_pledge_names_the_companys_consent_for_what_the_agreement_reserves(students):
    changes = {} if students == "named" else {"deal__research__students": []}
    docs = draft(**changes)
    assert pledges(docs)
    for pledge in pledges(docs):
        data = body(article(pledge, "jr_pledge_data"))
        assert "共同研究先が書面により事前に承諾し" in data
        assert "研究代表者の許可を得ない限り" not in data
        conf = body(article(pledge, "jr_pledge_confidentiality"))
        assert "研究代表者の許可を得た場合を除き" not in conf
        assert "書面により事前に承諾し" in conf
        for sentence in re.split(r"(?<=。)", text(pledge)):
            if re.search(r"持ち出|第三者に開示|研究室の外", sentence):
                assert "研究代表者の許可" not in sentence, sentence
    a = answers(**changes)
    found = consistency.check_set(a, docs, default_library(), only={"permissions"})
    assert not [p for p in found if "誓約書" in p.document]


@pytest.mark.parametrize("stance,years", [("provider", 5), ("balanced", 3), ("recipient", 2)])
def test_pledge_confidentiality_ends_at_a_date_a_student_can_read_and_never_before_the_agreements(stance, years):
    docs = draft(stance=stance, deal__confidentiality_years=None)
    jra = agreement(docs)
    assert f"本契約の終了後{years}年間" in body(article(jra, "common_confidentiality"))
    end = facts.compute(answers(stance=stance, deal__confidentiality_years=None)).term_end
    for pledge in pledges(docs):
        t = text(pledge)
        assert "秘密保持義務を負う期間が満了した時" not in t
        conf = body(article(pledge, "jr_pledge_confidentiality"))
        assert f"本契約の終了の日から{years}年を経過する日まで" in conf
        assert f"{end.year + years}年{end.month}月{end.day}日まで" in conf
        assert "営業秘密に該当する限り" in conf


def test_pledge_period_follows_the_answered_years():
    for pledge in pledges(draft(deal__confidentiality_years=7)):
        assert "本契約の終了の日から7年を経過する日まで" in body(article(pledge, "jr_pledge_confidentiality"))


def test_pledge_never_keeps_data_longer_than_the_agreement():
    docs = draft()
    for pledge in pledges(docs):
        exit_ = body(article(pledge, "jr_pledge_exit"))
        assert "直ちに" in exit_ and "消去し" in exit_
        assert "保存" not in exit_
    found = consistency.check_set(answers(), docs, default_library(), only={"periods"})
    assert not [p for p in found if "誓約書" in p.document]


# --------------------------------------------------------------------------- 5. what the university answers for


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_university_supervises_students_with_due_care_in_every_stance(stance):
    t = body(article(agreement(draft(stance=stance)), "jr_researchers"))
    assert "善良な管理者の注意をもって監督させる" in t
    assert "誓約書" in t


def test_university_liability_for_students_differs_by_stance_and_says_what_it_covers():
    provider = body(article(agreement(draft(stance="provider")), "jr_researchers"))
    balanced = body(article(agreement(draft(stance="balanced")), "jr_researchers"))
    recipient = body(article(agreement(draft(stance="recipient")), "jr_researchers"))
    assert "参加学生が本共同研究への参加を終えた後にしたものを含む" in provider
    assert "参加学生が本共同研究に参加している間にした誓約書の違反" in balanced
    assert "参加を終えた後にした誓約書の違反については" in balanced and "監督を怠った場合に限り" in balanced
    assert "参加学生による誓約書の違反については" in recipient and "監督を怠った場合に限り" in recipient
    for t in (balanced, recipient):
        assert "第4項に定める手続" in t and "第6項に定める監督" in t


# --------------------------------------------------------------------------- 6. personal information


def test_no_jr_text_asserts_that_the_data_has_no_personal_information():
    for pi in ("none", "anonymized", "consented"):
        for d in draft(data__personal_info=pi):
            for a in d.articles:
                if a.clause_id.startswith("jr_"):
                    assert not re.search(r"個人情報(を|が)含まれない|個人情報を含まない(もの|データ)である", body(a)), (pi, a.heading)


def test_data_without_personal_information_still_covers_what_the_provider_can_match():
    jra = agreement(draft(data__personal_info="none"))
    art = article(jra, "jr_personal_info_research")
    t = body(art)
    assert "容易に照合することができ" in t and "照合可能情報" in t
    assert "同法第27条第1項第7号" in t and "学術研究機関等" in t
    assert "個人の権利利益を不当に侵害するおそれがないときに限り" in t
    assert "粒度を粗く" in t
    assert f"第{art.number}条" not in t  # cites its own paragraphs as 第N項, not as another article
    n = notes(art)
    assert "提供元基準" in n and "作業者の氏名及び社員番号の削除" in n


def test_personal_data_variants_keep_the_research_rules_without_the_none_only_text():
    t = body(article(agreement(draft(data__personal_info="consented")), "jr_personal_info_research"))
    assert "倫理審査" in t and "照合可能情報" not in t


def test_annotations_cite_statute_items_in_full():
    bare = re.compile(r"(?<![条項0-9])第[0-9]+号(?!文書|の[0-9])")
    for pi in ("none", "consented"):
        for d in draft(data__personal_info=pi):
            for a in d.articles:
                if a.clause_id.startswith("jr_"):
                    assert not bare.search(notes(a)), (a.clause_id, bare.findall(notes(a)))
    issue = article(agreement(draft(data__personal_info="none")), "jr_personal_info_research").annotation.issue
    assert "同法第27条第1項第7号" in issue and "同法第18条第3項第6号" in issue


def test_the_library_has_no_typed_numbers_or_unknown_names_in_the_joint_research_clauses():
    problems = [p for p in lint(default_library()) if re.search(r"\bjr_", p)]
    assert not problems, problems


# --------------------------------------------------------------------------- 7. drafting, survival, deletion


def test_data_use_inspection_names_both_articles():
    jra = agreement(draft())
    t = body(article(jra, "jr_data_use"))
    assert "本条又は同条" not in t
    assert f"本条若しくは第{article(jra, 'common_data_management').number}条の規定に違反" in t


@pytest.mark.parametrize("clause_id", ["jr_researchers", "jr_costs", "jr_datasets", "jr_export_control", "jr_report",
                                       "jr_publication", "jr_invention", "jr_results_ownership", "jr_know_how",
                                       "jr_background_ip", "jr_personal_info_research", "jr_pi_change"])
def test_clauses_with_duties_after_the_end_are_in_the_survival_article(clause_id):
    jra = agreement(draft())
    assert default_library().clauses[clause_id].survives
    assert f"第{article(jra, clause_id).number}条" in body(article(jra, "common_survival"))


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_derived_data_deletion_counts_from_the_end_of_research_and_retention_is_capped(stance):
    a = answers(stance=stance)
    f = facts.compute(a)
    t = body(article(agreement(assemble_set(a, default_library())), "jr_datasets"))
    assert f.deletion_from_use
    assert f"{f.use_end_event}（本契約がそれより前に終了したときは、その終了の日）から{f.deletion_days}日以内" in t
    assert "10年を上限" in t and "遅滞なく消去する" in t
    assert "本契約が終了したときは、派生データ" not in t


def test_paragraph_references_are_computed():
    jra = agreement(draft(stance="recipient", deal__research__results_owner="university"))
    ownership = body(article(jra, "jr_results_ownership"))
    assert "第6項に定める社内における試験及び評価" in ownership
    publication = agreement(draft(stance="balanced"))
    assert "第2項に基づく求め" in body(article(publication, "jr_publication"))
    # dropping the deemed-consent paragraph (publication not allowed) renumbers nothing it cites
    closed = agreement(draft(stance="balanced", deal__publication={"allowed": False, "review_days": 30}))
    assert "第2項に基づく求め" in body(article(closed, "jr_publication"))


# --------------------------------------------------------------------------- 8. one programme term, annotations of this deal


def test_the_programme_is_called_the_same_in_the_agreement_and_the_pledge():
    docs = draft()
    term = facts.compute(answers()).program_term
    assert term == "本共同研究"
    jra = agreement(docs)
    assert f"（以下「{term}」という。）" in body(article(jra, "jr_purpose"))
    for d in [jra] + pledges(docs):
        assert "本取組" not in text(d)
    for pledge in pledges(docs):
        assert f"（以下「{term}」という。）" in pledge.preamble


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_annotations_describe_this_deal_not_the_example_industry(stance):
    docs = [d for owner in ("university", "joint", "company") for d in draft(
        stance=stance,
        data__title="店舗POSデータ",
        data__description="全国の直営店舗のPOSレジから収集した商品別・時間帯別の販売記録",
        data__items=["店舗ID", "販売日時", "商品コード", "販売数量", "販売金額"],
        data__processing=["店舗名の匿名IDへの置換"],
        data__know_how=False,
        deal__research__theme="POSデータを用いた需要予測手法の研究",
        deal__research__results_owner=owner,
    )]
    for d in docs:
        for a in d.articles:
            if a.clause_id.startswith("jr_"):
                n = notes(a)
                for word in ("工場", "予兆", "保全", "センサー", "稼働", "工作機械", "自社設備"):
                    assert word not in n, (a.clause_id, word)
