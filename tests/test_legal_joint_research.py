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
from contracts.library import check as lint
from contracts.library import default_library
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
    return a.text()


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
    assert "甲が第4項に定めるところにより共同創作成果の実施の許諾を受けるときは" in ownership
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


# --------------------------------------------------------------------------- 9. second reading (JR 02 and JR 03)


def _royalty(**changes) -> tuple[Document, Article]:
    jra = agreement(draft(deal__research__results_owner="joint", deal__research__non_practice_compensation="royalty",
                          deal__research__royalty_percent=3, deal__research__in_house_royalty_percent=1, **changes))
    return jra, article(jra, "jr_results_ownership")


def test_in_house_compensation_is_measured_by_the_invention_not_by_products_made_on_maintained_equipment():
    jra, art = _royalty()
    t = body(art)
    # 事業実施: a product or service whose function the result realises; products merely made with it are excluded
    assert "研究成果によりその機能の全部又は一部を実現する製品" in t
    assert "設備を用いて製造したにとどまる製品" in t and "その方法により生産した物を含む" in t
    assert "事業実施に係る製品に当たらない" in t
    # 自己実施: the cost saved, with its base fixed before practice; never the sales of the products made
    assert "自己実施により削減された費用の額（以下「削減額」という。）に1パーセント" in t
    assert "自己実施に係る工程又は設備を用いて製造した製品の正味販売額に" not in t
    assert "製品の販売額は、不実施補償の算定の基礎としない" in t
    assert "費用の範囲を乙に書面により通知する" in t
    # the payment ends: registered rights while they subsist, copyright and know-how a fixed term from first practice
    assert "共有知的財産権（出願中のものを含む。）が存続する間" not in t
    assert "当該権利が存続する間" in t and "最初に開始した日から5年を経過する日まで" in t
    assert "1回に限り支払う" in t
    plan = next(r for r in jra.schedules[-1].rows if r.label == "研究成果の帰属")
    assert "自己実施による費用の削減額の1パーセント" in plan.value
    n = notes(art)
    assert "削減額" in n and "特許法第2条第3項第3号" in n and "年額の定額" in n


def test_in_house_free_royalty_still_defines_business_use_by_function():
    t = _compensation(deal__research__non_practice_compensation="royalty", deal__research__royalty_percent=3,
                      deal__research__in_house_royalty_percent=0)
    assert "削減額" not in t and "については、不実施補償を要しない" in t
    assert "製造したにとどまる製品" in t and "最初に開始した日から5年を経過する日まで" in t


@pytest.mark.parametrize("compensation", ["royalty", "negotiate", "none"])
def test_co_owned_trained_models_serve_only_the_universitys_own_research(compensation):
    changes = {"deal__research__non_practice_compensation": compensation}
    if compensation == "royalty":
        changes.update(deal__research__royalty_percent=3, deal__research__in_house_royalty_percent=1)
    t = _compensation(**changes)
    assert "共有知的財産権のうち学習済みモデルに係るものについては、乙が自ら行う学術研究" in t
    assert "第三者と共同して行うもの" in t and "第三者から受託して行う研究" in t
    assert "学習済みモデルを第三者に開示し、又は提供してはならない" in t
    # the non-use fallback (3 years) never forces 甲 to let the model go to a third party
    assert "学習済みモデルに係る共有知的財産権については、甲は、提供データに由来する情報の保護を理由として同意を拒むことができる" in t
    if compensation == "negotiate":
        assert "学習済みモデルに係る共有知的財産権の実施の許諾には、甲の書面による承諾を要する" in t


@pytest.mark.parametrize("owner", ["university", "company"])
def test_trained_models_are_protected_whoever_owns_the_results(owner):
    t = body(article(agreement(draft(deal__research__results_owner=owner)), "jr_results_ownership"))
    if owner == "university":
        assert "学習済みモデルを第三者に開示し、若しくは提供し、又は学習済みモデルに係る知的財産権について第三者に実施を許諾してはならない" in t
    else:
        assert "学習済みモデルについては、乙が自ら行う学術研究" in t


def test_university_ownership_pays_for_the_companys_share_and_says_how_far_it_leans():
    jra = agreement(draft(stance="recipient", deal__research__results_owner="university"))
    art = article(jra, "jr_results_ownership")
    t = body(art)
    assert "別途対価を請求しない" not in t
    assert "共同創作成果" in t and "乙は、その対価として" in t and "甲の寄与の割合を乗じた額" in t
    assert "協議が調わないときは2分の1とする" in t
    assert "その実施料は、甲の寄与の割合を考慮して定める" in t
    n = notes(art)
    assert "この案は大学寄りです" in n and "無償ではなく" in n


def test_research_report_is_due_before_the_data_must_be_deleted_and_may_use_the_data_until_then():
    a = answers()
    f = facts.compute(a)
    jra = agreement(assemble_set(a, default_library()))
    report = article(jra, "jr_report")
    t = body(report)
    days = int(re.search(r"中止の日）から([0-9]+)日以内に", t).group(1))
    assert days <= f.deletion_days
    deletion = article(jra, "common_post_termination")
    assert f"第{deletion.number}条第1項の規定にかかわらず、研究報告書を提出するまでの間" in t
    assert "同項に定める期限までに同項に定める措置を講じなければならない" in t
    longer = body(article(agreement(draft(deal__deletion={"method": "delete_or_return", "within_days": 90,
                                                           "certificate": True})), "jr_report"))
    assert "から60日以内に" in longer


def test_report_annotation_mentions_thesis_season_only_when_the_research_ends_in_it():
    march = notes(article(agreement(draft()), "jr_report"))
    assert "例年1月から2月" not in march and "卒業・修了の時期" in march
    feb = notes(article(agreement(draft(deal__research__period="2027年4月1日から2028年2月29日まで")), "jr_report"))
    assert "例年1月から2月" in feb


@pytest.mark.parametrize("value,extended", [("unchecked", True), ("controlled", True), ("not_controlled", False)])
def test_delivery_waits_for_the_export_control_notice_without_breaching_the_delivery_date(value, extended):
    jra = agreement(draft(deal__research__export_control=value))
    first = article(jra, "jr_data_provision").paragraphs[0].text
    export = article(jra, "jr_export_control")
    assert ("該非判定の結果の通知の日から14日以内" in first) is extended
    if extended:
        assert f"第{export.number}条第1項に定める該非判定の結果の通知" in first


def test_data_handling_rules_survive_until_deletion_and_publication_review_ends_with_confidentiality():
    jra = agreement(draft())
    survival = body(article(jra, "common_survival"))
    use = article(jra, "jr_data_use")
    assert default_library().clauses["jr_data_use"].survives
    assert f"第{use.number}条" in survival
    assert "措置を完了するまでの間" in body(use) and "なお効力を有する" in body(use)
    for stance in ("provider", "balanced", "recipient"):
        pub = body(article(agreement(draft(stance=stance)), "jr_publication"))
        assert "本条の規定は、本契約の終了後5年間に限り、なお効力を有する。" in pub


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_research_costs_are_invoiced_promptly_after_signing(stance):
    t = body(article(agreement(draft(stance=stance)), "jr_costs"))
    assert "本契約の締結後速やかに、研究経費の請求書を甲に発行する" in t


@pytest.mark.parametrize("stance", ["provider", "balanced"])
def test_uncapped_liability_for_students_is_named_as_the_universitys_main_negotiation_point(stance):
    jra = agreement(draft(stance=stance))
    n = notes(article(jra, "jr_researchers"))
    assert "大学側の最大の交渉点" in n and f"第{article(jra, 'common_liability').number}条" in n
    assert "故意又は重大な過失による場合に限り" in n


def test_agreement_term_is_stated_by_dates():
    a = answers()
    f = facts.compute(a)
    jra = agreement(assemble_set(a, default_library()))
    term = article(jra, "jr_term")
    assert term.paragraphs[0].text == (
        f"本契約の有効期間は、{f.contract_date.year}年{f.contract_date.month}月{f.contract_date.day}日から"
        f"{f.term_end.year}年{f.term_end.month}月{f.term_end.day}日までとする。")
    assert not any(a_.clause_id == "common_term" for a_ in jra.articles)


def test_pledge_defines_results_and_inventions_as_the_agreement_does():
    docs = draft()
    jra = agreement(docs)
    jra_results = definition(jra, "研究成果")
    for pledge in pledges(docs):
        defs = article(pledge, "jr_pledge_definitions")
        assert defs.number == 1
        items = [it.text for p in defs.paragraphs for it in p.items]
        results = next(i for i in items if i.startswith("「研究成果」とは"))
        inventions = next(i for i in items if i.startswith("「発明等」とは"))
        for word in ("提供データ", "派生データ", "論文等"):
            assert word in results.split("ノウハウをいいます。")[1] and word in jra_results.split("ただし、")[1]
        assert "書面で特定したノウハウ" in results
        assert inventions.startswith("「発明等」とは、研究成果のうち、私が")
        assert "学習用データセット" not in inventions  # datasets are 派生データ, not 研究成果, in the agreement too
        assert "本契約で使われている同じ言葉と同じ意味" in body(defs)
        ip = body(article(pledge, "jr_pledge_ip"))
        assert "（以下「発明等」という。）" not in ip and "（以下「論文等」という。）" not in ip
        assert "派生データに関する権利" in ip  # the agreement's duty covers the student's datasets too


def test_pledge_post_departure_duty_is_confined_to_secrets_and_the_confidentiality_period():
    for pledge in pledges(draft()):
        conf = article(pledge, "jr_pledge_confidentiality")
        period = next(i for i, p in enumerate(conf.paragraphs, start=1) if "年を経過する日まで存続します" in p.text)
        exit_ = body(article(pledge, "jr_pledge_exit"))
        assert f"第{conf.number}条第{period}項に定める期間" in exit_
        assert "秘密情報を使用し、又は開示しません" in exit_
        assert "研究成果（本契約に定める手続を経て公表されたものを除きます。）" not in exit_


def test_pledge_keeps_general_knowledge_and_skills_free():
    for pledge in pledges(draft()):
        conf = body(article(pledge, "jr_pledge_confidentiality"))
        assert "一般的な知識、技能及び経験" in conf and "妨げるものではありません" in conf


@pytest.mark.parametrize("contract,nda,months,period,years,end", [
    ("2027-03-25", "2027-02-01", 15, "2027年4月1日から2028年3月31日まで", 5, "2033年6月24日"),
    # term ends 2027-02-28: the day after is 3/1, so the period ends the day before 2032-03-01, a leap day
    ("2026-03-01", "2026-02-01", 12, "2026年4月1日から2027年2月28日まで", 5, "2032年2月29日"),
    # term ends on a leap day: the day after is 2028-03-01 and the period ends on 2033-02-28
    ("2027-03-01", "2027-02-01", 12, "2027年4月1日から2028年2月29日まで", 5, "2033年2月28日"),
])
def test_pledge_end_date_counts_from_the_day_after_the_term_ends(contract, nda, months, period, years, end):
    import datetime as dt

    changes = dict(deal__contract_date=dt.date.fromisoformat(contract), deal__nda_date=dt.date.fromisoformat(nda),
                   deal__term_months=months, deal__research__period=period, deal__confidentiality_years=years)
    docs = draft(**changes)
    f = facts.compute(answers(**changes))
    term = body(article(agreement(docs), "jr_term"))
    last = f"{f.term_end.year}年{f.term_end.month}月{f.term_end.day}日"
    assert "までとする" in term and last in term
    for pledge in pledges(docs):
        conf = body(article(pledge, "jr_pledge_confidentiality"))
        assert f"から{last}まで" in conf and f"前各項の義務は{end}まで存続します" in conf
