"""Legal review of the paid-consulting set (2026-11-30 reading, items 1, 2, 4, 9–15 as they concern PC 02).

Every test generates a set from the paid_consulting example with a few answers changed and asserts on the text a
reader sees (articles found by their headings, annotations as printed in the review comments), so that each test
fails if the defect comes back.
"""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from contracts import consistency, facts
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.document import Article, Document
from contracts.library import default_library
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "paid_consulting.yaml"

AGREEMENT = "データ活用コンサルティング業務委託契約書"
CONSENT = "参加同意書兼権利譲渡書"
PERFORMANCE_DUE = "2027年6月30日（委託料の2分の1）及び2027年10月31日（残額）"


def _base() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def answers(stance: str | None = None, consumer: str | None = None, **changes):
    """The example's answers with dotted paths changed: answers(**{"deal.consulting.fee_basis": "performance"})."""
    data = copy.deepcopy(_base())
    if stance:
        data["stance"] = stance
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    if consumer:
        party = data["parties"][consumer]
        party["kind"] = "individual"
        party["acts_as_business"] = False
        party.pop("representative", None)
    return validate_answers(data)


def build(**kw) -> tuple[object, list[Document]]:
    a = answers(**kw)
    return a, assemble_set(a, default_library())


def doc(docs: list[Document], title: str) -> Document:
    [d] = [d for d in docs if d.title == title]
    return d


def article(d: Document, heading: str) -> Article:
    [a] = [a for a in d.articles if a.heading == heading]
    return a


def text(a: Article) -> str:
    return a.text()


def notes(a: Article) -> str:
    n = a.annotation
    return "\n".join(
        [n.summary, n.provider.benefit, n.provider.risk, n.recipient.benefit, n.recipient.risk, n.issue, n.direction]
    )


def whole(d: Document) -> str:
    return "\n".join(d.text_lines())


def all_notes(d: Document) -> str:
    return "\n".join(notes(a) for a in d.articles)


def fee_combo(kind: str, execution: str = "paper"):
    """The three contract shapes: 履行割合型の準委任, 成果完成型の準委任, 請負."""
    changes = {"deal.execution": execution}
    if kind == "performance":
        changes.update({"deal.consulting.fee_basis": "performance", "deal.fee.due": PERFORMANCE_DUE})
    elif kind == "outcome":
        changes.update({"deal.consulting.fee_basis": "outcome"})
    else:
        changes.update({"deal.consulting.contract_type": "work"})
    return build(**changes)


# --------------------------------------------------------------------------- 1. fee structure and contract type


def test_performance_basis_pays_for_the_work_and_settles_by_648_3():
    _, docs = fee_combo("performance")
    d = doc(docs, AGREEMENT)
    nature, fee, end = (text(article(d, h)) for h in ("本業務の性質", "委託料及び費用", "本業務の中途終了"))
    assert "本業務の履行に対して委託料を支払う準委任" in nature
    assert "648条の2" not in nature
    assert "検査の合格を条件としない" in fee and PERFORMANCE_DUE in fee
    assert "納入物の全部の納入が完了した後でなければ" not in fee
    assert "既にした履行の割合に応じて委託料を請求することができる（民法第648条第3項）" in end
    assert "第634条" not in end


def test_outcome_basis_is_declared_648_2_and_settles_by_634():
    _, docs = fee_combo("outcome")
    d = doc(docs, AGREEMENT)
    nature, fee, end = (text(article(d, h)) for h in ("本業務の性質", "委託料及び費用", "本業務の中途終了"))
    assert "納入物の引渡しに対して委託料を支払う準委任" in nature and "第648条の2" in nature
    # 648条の2第1項 makes payment simultaneous with delivery: paying only after acceptance departs from it
    assert "民法第648条の2第1項の規定にかかわらず、納入物の全部の納入が完了した後でなければ、委託料を請求することができない" in fee
    assert "請求することができない（民法第648条の2第1項）" not in fee
    assert "民法第648条の2第2項において準用する同法第634条" in end
    # 648条3項 (the performance rule) no longer appears for an outcome-based mandate
    assert "第648条第3項" not in end
    # the fee clause's exception points at the early-end article by its computed number
    assert f"ただし、{article(d, '本業務の中途終了').label}に定める場合は、この限りでない。" in fee


def test_work_contract_pays_on_completion_and_settles_by_634():
    _, docs = fee_combo("work")
    d = doc(docs, AGREEMENT)
    nature, fee, end = (text(article(d, h)) for h in ("本業務の性質", "委託料及び費用", "本業務の中途終了"))
    assert "請負（民法第632条）" in nature
    assert "納入物の完成に対する報酬" in fee and "民法第633条" in fee
    assert "（民法第634条）" in end and "648条" not in end


def test_work_contract_with_milestones_treats_early_payments_as_advances():
    _, docs = build(**{"deal.consulting.contract_type": "work", "deal.consulting.fee_basis": "performance"})
    fee = text(article(doc(docs, AGREEMENT), "委託料及び費用"))
    assert "その前払とし" in fee and "本業務の履行に対する報酬" not in fee


@pytest.mark.parametrize("kind", ["performance", "outcome", "work"])
def test_stamp_duty_statements_match_the_contract_type_on_paper(kind):
    _, docs = fee_combo(kind, "paper")
    note = notes(article(doc(docs, AGREEMENT), "本業務の性質"))
    if kind == "performance":
        assert "第2号文書）に当たりません" in note
        assert "判断されるおそれ" not in note
    elif kind == "outcome":
        # 成果完成型: still 準委任 in form, taxed as 請負 only as a risk
        assert "形式上は準委任" in note and "請負に関する契約書（印紙税法別表第一第2号文書）と判断されるおそれ" in note
        assert "第2号文書）に当たりません" not in note
    else:
        assert "第2号文書" in note and "収入印紙の貼付が必要" in note


@pytest.mark.parametrize("kind", ["performance", "outcome", "work"])
def test_electronic_execution_needs_no_stamp(kind):
    _, docs = fee_combo(kind, "electronic")
    note = notes(article(doc(docs, AGREEMENT), "本業務の性質"))
    assert "印紙税は課されません" in note
    assert "収入印紙の貼付が必要" not in note and "判断されるおそれ" not in note


@pytest.mark.parametrize("kind", ["performance", "outcome", "work"])
def test_fee_and_early_end_comments_describe_the_same_basis(kind):
    _, docs = fee_combo(kind)
    d = doc(docs, AGREEMENT)
    fee_note = notes(article(d, "委託料及び費用"))
    end_note = article(d, "本業務の中途終了").annotation.summary
    if kind == "performance":
        assert "履行割合型" in fee_note and "民法第648条第3項" in end_note
    elif kind == "outcome":
        assert "成果完成型" in fee_note and "第648条の2第2項" in end_note
    else:
        assert "請負" in fee_note and "民法第634条" in end_note and "648" not in end_note


def test_acceptance_comment_does_not_tie_performance_fees_to_inspection():
    _, docs = fee_combo("performance")
    note = notes(article(doc(docs, AGREEMENT), "納入物の納入及び検査"))
    assert "検査が終わらなければ委託料の支払も始まらず" not in note


# --------------------------------------------------------------------------- 2. learners: individually signed consent


def test_selected_learners_sign_a_consent_instead_of_standard_terms():
    _, docs = build(**{"deal.learners.selection": "selected"})
    titles = [d.title for d in docs]
    assert titles.index(AGREEMENT) < titles.index(CONSENT)
    assert "参加規約" not in titles
    consent = doc(docs, CONSENT)
    assert consent.addressee.startswith("株式会社データアカデミア") and consent.addressee.endswith("殿")
    assert [s.short_name for s in consent.signatures] == ["誓約者"]
    agreement = doc(docs, AGREEMENT)
    definitions = text(article(agreement, "定義"))
    assert f"学習者が署名して乙に提出する{CONSENT}" in definitions
    recruit = text(article(agreement, "学習者の募集及び参加契約"))
    assert f"{CONSENT}に署名して乙に提出する方法により参加契約を締結する" in recruit
    assert "定型約款により締結してはならない" in recruit
    learners = text(article(agreement, "学習者の関与及び再委託"))
    assert f"学習者が署名した{CONSENT}を保管し" in learners


def test_open_call_uses_the_standard_terms():
    _, docs = build(**{"deal.learners.selection": "open"})
    assert CONSENT not in [d.title for d in docs]
    agreement = doc(docs, AGREEMENT)
    assert "乙が定型約款として定める参加規約" in text(article(agreement, "定義"))
    assert "参加規約を定型約款（民法第548条の2第1項）として" in text(article(agreement, "学習者の募集及び参加契約"))


def test_consent_covers_learning_character_confidentiality_rights_personal_data_and_deletion():
    a, docs = build(**{"deal.learners.selection": "selected"})
    consent = doc(docs, CONSENT)
    nature = text(article(consent, "参加の性格"))
    assert "雇用関係その他の労働契約関係が生じるものではない" in nature
    assert "日時、場所又は時間を指定して作業を命じることはなく" in nature
    assert "いつでも、運営者に申し出て本プログラムへの参加を取りやめることができる" in nature
    assert "報酬は支払われない" in nature
    rights = text(article(consent, "成果に係る権利の譲渡"))
    assert "著作権法第27条及び第28条" in rights and "著作者人格権を行使しません" in rights
    assert "名誉又は声望を害する方法で利用されるときは、この限りでありません" in rights
    assert "個別に説明を受け、その内容を理解した上で、本条の定めに同意します" in rights
    assert "所属先の業務として" in rights
    personal = text(article(consent, "個人情報の取扱い"))
    assert "データ提供者に提供することに同意します" in personal
    exit_ = text(article(consent, "参加の終了及びデータの消去"))
    assert f"その日から{facts.of(a).deletion_days}日以内に" in exit_
    # the consent carries the data-use limits of the agreement: analysis environment, no external services
    data = text(article(consent, "提供データの取扱い"))
    assert "指定環境の外に複製し、又は持ち出しません" in data and "生成AIサービス" in data


def test_paid_learners_are_referred_to_a_separate_written_contract_without_wages():
    _, docs = build(**{"deal.learners.selection": "selected", "deal.learners.paid": True})
    consent = doc(docs, CONSENT)
    body = whole(consent)
    assert "別途書面により締結する契約で定められる" in body
    assert "報酬は支払われない" not in body and "賃金" not in body
    learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    assert "特定受託事業者に係る取引の適正化等に関する法律" in learners


def test_consent_is_never_looser_than_the_agreement():
    a, docs = build(**{"deal.learners.selection": "selected"})
    f = facts.of(a)
    agreement = doc(docs, AGREEMENT)
    consent = doc(docs, CONSENT)
    flowdown = text(article(agreement, "学習者の関与及び再委託"))
    days = int(re.search(r"その日から(\d+)日以内に", flowdown).group(1))
    assert f"その日から{days}日以内に" in text(article(consent, "参加の終了及びデータの消去"))
    # learners' confidentiality is counted from the programme end and lasts at least as long as the consultant's
    conf = text(article(consent, "秘密保持"))
    years = int(re.search(r"本プログラムの終了後(\d+)年間存続します", conf).group(1))
    agreement_years = f.confidentiality_years or 5
    assert years >= agreement_years + (a.deal.term_months + 11) // 12
    assert "公然と知られていない限り存続します" in conf
    # no date a learner cannot find
    assert "秘密保持義務を負う期間が満了" not in conf


def test_consent_has_no_exclusive_venue_far_from_the_learner():
    a, docs = build(**{"deal.learners.selection": "selected"})
    consent = doc(docs, CONSENT)
    body = whole(consent)
    assert "専属的" not in body and a.deal.court not in body
    venue = notes(article(consent, "同意の効力"))
    assert a.parties.recipient.address in venue and a.deal.court in venue


def test_consent_set_passes_the_consistency_checks():
    a, docs = build(**{"deal.learners.selection": "selected"})
    problems = consistency.check_set(a, docs, default_library())
    assert [p.line() for p in problems if CONSENT in p.document or AGREEMENT in p.document] == []


# --------------------------------------------------------------------------- 3. client's name and data claims


def test_recruitment_shows_only_an_anonymised_description_until_the_learner_is_bound():
    _, docs = build()
    d = doc(docs, AGREEMENT)
    recruit = text(article(d, "学習者の募集及び参加契約"))
    assert "甲を特定せず、かつ、甲を推知させない本プログラムの概要のみを記載する" in recruit
    assert "甲の名称を含む本プログラムの名称" in recruit
    assert "参加契約を締結する際又はその締結の後に限り" in recruit
    publication = text(article(d, "公表"))
    assert f"{article(d, '学習者の募集及び参加契約').label}第1項に定める本プログラムの概要を学習者の募集に用いるときを除く" in publication


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_consultant_does_not_bear_claims_over_the_clients_own_data(stance):
    _, docs = build(stance=stance)
    d = doc(docs, AGREEMENT)
    body = whole(d)
    assert "提供データの利用に関して第三者との間で紛争が生じたときは、自らの費用と責任においてこれを解決する" not in body
    warranty = text(article(d, "提供データに関する保証及び第三者からの請求"))
    assert "乙が本契約に従って提供データを利用したことに関し" in warranty
    assert "甲は、自らの費用と責任においてこれを解決する" in warranty
    # the IP clause's dispute rule defers to that paragraph for data-borne claims
    ip = text(article(d, "本成果物の知的財産権"))
    assert "提供データに起因する紛争については" in ip


# --------------------------------------------------------------------------- 4. trained parameters


def test_trained_parameters_are_deliverables_not_derived_data():
    _, docs = build(**{"deal.learners.selection": "selected"})
    definitions = text(article(doc(docs, AGREEMENT), "定義"))
    assert "学習済みモデル（提供データを用いた学習により生成された学習済みパラメータを含む。以下同じ。）" in definitions
    assert "（学習用データセットを含み、学習済みモデルを除く。）" in definitions
    consent = doc(docs, CONSENT)
    assert "学習済みモデル（提供データを用いた学習により生成された学習済みパラメータを含みます。）" in text(
        article(consent, "成果に係る権利の譲渡")
    )
    assert "学習済みモデルを除きます" in text(article(consent, "秘密保持"))


@pytest.mark.parametrize("owner", ["provider", "consultant", "split"])
def test_consultant_may_not_reuse_parameters_trained_on_the_data(owner):
    _, docs = build(**{"deal.consulting.deliverables_owner": owner})
    ip = text(article(doc(docs, AGREEMENT), "本成果物の知的財産権"))
    assert "提供データを用いた学習により生成された学習済みパラメータ" in ip


# --------------------------------------------------------------------------- 5. one term, computed references, survival, deletion


def test_one_programme_term_and_no_retired_term():
    for selection in ("open", "selected"):
        _, docs = build(**{"deal.learners.selection": selection})
        for d in docs:
            if d.title in (AGREEMENT, CONSENT):
                assert "本取組" not in whole(d)
                assert "「本プログラム」" in whole(d)


def test_survival_lists_the_clauses_with_duties_after_the_end():
    _, docs = build()
    d = doc(docs, AGREEMENT)
    survival = text(article(d, "存続条項"))
    for heading in ("定義", "委託料及び費用", "提供データに関する保証及び第三者からの請求", "提供データの利用",
                    "学習者の関与及び再委託", "業務の報告", "本業務の中途終了", "派生データ及び学習用データセットの取扱い"):
        assert article(d, heading).label in survival, heading


def test_deletion_counts_from_the_end_of_use():
    a, docs = build()
    f = facts.of(a)
    assert f.deletion_from_use
    d = doc(docs, AGREEMENT)
    use = text(article(d, "提供データの利用"))
    assert f"{f.use_end_event}が先に到来したときは、その日まで" in use
    derived = text(article(d, "派生データ及び学習用データセットの取扱い"))
    post = article(d, next(a.heading for a in d.articles if a.clause_id == "common_post_termination"))
    assert f"{post.label}の定めは、派生データについて準用する" in derived
    assert "本契約が終了したときは、乙は、派生データ" not in derived


# --------------------------------------------------------------------------- 6. annotations true of this deal


@pytest.mark.parametrize("selection", ["open", "selected"])
def test_comments_carry_no_other_models_or_industries(selection):
    _, docs = build(**{"deal.learners.selection": selection})
    for title in (AGREEMENT, CONSENT) if selection == "selected" else (AGREEMENT,):
        d = doc(docs, title)
        body = (whole(d) + all_notes(d)).replace("製造委託等に係る中小受託事業者", "")  # a statute title
        for word in ("ハッカソン", "競技", "製造", "工程", "設備"):
            assert word not in body, (title, word)


def test_employee_works_are_not_solved_by_the_employers_consent():
    _, docs = build()
    learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    assert "著作権法第15条又は特許法第35条により所属先に帰属し得る" in learners
    assert "所属先との間で" in learners and "書面により合意する" in learners
    assert "所属先の承諾" not in learners


def test_learners_work_as_a_learning_programme_under_the_agreement():
    _, docs = build()
    learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    assert "学習として取り組ませ" in learners and "従事させる" not in learners
    assert "日時、場所又は時間を指定して作業を命じてはならず" in learners


# --------------------------------------------------------------------------- 7. consumers


def test_consumer_client_keeps_liability_for_wilful_or_grossly_negligent_acts():
    _, docs = build(stance="recipient", consumer="provider", **{"deal.consulting.contract_type": "work"})
    d = doc(docs, AGREEMENT)
    learners = text(article(d, "学習者の関与及び再委託"))
    assert "乙又は学習者の故意又は重大な過失によって甲に生じた損害については、適用しない" in learners
    nonconformity = text(article(d, "契約不適合責任"))
    assert "知りながら告げなかったときは、適用しない" in nonconformity
    acceptance = text(article(d, "納入物の納入及び検査"))
    assert "催告" in acceptance and "自らの業務に利用したとき" not in acceptance
    provision = text(article(d, "提供データの提供及び協力"))
    assert "故意若しくは重大な過失があったときは、乙は、その責任を免れない" in provision


def test_business_client_gets_the_plain_recipient_variant():
    _, docs = build(stance="recipient", **{"deal.consulting.contract_type": "work"})
    d = doc(docs, AGREEMENT)
    assert "故意又は重大な過失によって甲に生じた損害については、適用しない" not in text(
        article(d, "学習者の関与及び再委託")
    )


def test_consumer_consultant_keeps_the_clients_liability_for_gross_negligence():
    _, docs = build(stance="provider", consumer="recipient")
    warranty = text(article(doc(docs, AGREEMENT), "提供データに関する保証及び第三者からの請求"))
    assert "故意又は重大な過失によって乙に生じた損害の賠償の責任を免除し、又は制限するものではない" in warranty
    assert "知りながら乙に告げなかったときも、同様とする" in warranty


def test_know_how_comments_point_at_the_articles_that_keep_know_how():
    _, docs = build()
    d = doc(docs, AGREEMENT)
    feedback = article(d, "フィードバック").label
    keepers = (article(d, "派生データ及び学習用データセットの取扱い").label, article(d, "本成果物の知的財産権").label)
    for heading in ("目的", "提供データの利用"):
        note = notes(article(d, heading))
        assert feedback not in note, heading
        assert all(k in note for k in keepers), heading


@pytest.mark.parametrize("owner", ["provider", "consultant", "split"])
def test_work_contract_stamp_comment_follows_the_copyright_transfer(owner):
    from contracts import stamp

    a, docs = build(**{"deal.consulting.contract_type": "work", "deal.consulting.deliverables_owner": owner})
    d = doc(docs, AGREEMENT)
    note = notes(article(d, "本業務の性質"))
    [assessed] = [s for s in stamp.assess(a, docs) if s.title == AGREEMENT]
    if owner == "consultant":
        assert assessed.category == "2" and "通則3ロ" not in note
        assert "第1号の1文書には当たりません（ただし、請負であるため第2号文書には当たります。" in notes(
            article(d, "本成果物の知的財産権")
        )
    else:
        assert assessed.category == "1" and "通則3ロにより第1号文書" in note


# --------------------------------------------------------------------------- 8. second reading of PC 01–03 (PC 02 ×
# the learner documents: 参加規約 for an open call, 参加同意書兼権利譲渡書 for selected learners)

TERMS = "参加規約"


def _permission_problems(a, docs) -> list[str]:
    return [p.line() for p in consistency.check_set(a, docs, default_library(), only={"permissions"})]


@pytest.mark.parametrize("ai", ["prohibited", "approved_only"])
def test_terms_never_grant_what_the_agreement_reserves_to_the_client(ai):
    """Item 1: genAI only in the operator's closed environment; disclosure and publication need the client's consent."""
    a, docs = build(**{"deal.learners.selection": "open", "deal.generative_ai": ai})
    terms = doc(docs, TERMS)
    prohibited = text(article(terms, "禁止事項"))
    assert "自らの管理する環境において稼働させ、入力された情報が外部に送信されないAIモデル" in prohibited
    # the agreement makes 乙 ban every external service for learners: no client-approved service, no operator service
    assert "データ提供者が書面により承諾し" not in prohibited and "運営者が提供する" not in prohibited
    assert "生成AIサービスその他の外部のサービスに入力しないこと" in text(
        article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    confidentiality = text(article(terms, "秘密保持"))
    assert "データ提供者の秘密情報（提供データ及び派生データを含む。）についてはデータ提供者が" in confidentiality
    publication = text(article(terms, "成果の公開"))
    assert "データ提供者の書面による事前の承諾" in publication
    assert "同意を得た運営者の書面" not in publication and "運営者の書面による事前の承諾" not in publication
    assert _permission_problems(a, docs) == []


def test_consent_never_lets_the_operator_permit_disclosure_or_publication():
    a, docs = build(**{"deal.learners.selection": "selected", "deal.learners.abroad": True})
    consent = doc(docs, CONSENT)
    conf = text(article(consent, "秘密保持"))
    assert "運営者の書面（電磁的記録を含みます。以下同じ。）による事前の承諾を得ることなく第三者" not in conf
    assert "データ提供者の秘密情報（提供データ及び派生データを含みます。）についてはデータ提供者の" in conf
    publication = text(article(consent, "公表及び経歴への記載"))
    assert "データ提供者の書面による事前の承諾を得ることなく" in publication
    assert "運営者の書面による事前の承諾" not in publication
    data = text(article(consent, "提供データの取扱い"))
    assert "運営者を通じてデータ提供者の書面による事前の承諾を得た場合を除きます" in data
    assert _permission_problems(a, docs) == []


def test_terms_treat_work_for_an_employer_by_notice_and_an_agreement_with_the_employer():
    """Item 2: an employer's consent transfers nothing (著作権法15条, 特許法35条3項)."""
    _, docs = build(**{"deal.learners.selection": "open"})
    eligibility = text(article(doc(docs, TERMS), "参加資格"))
    assert "所属先の承諾を得ていること" not in eligibility
    assert "本成果物に関する権利の処分について所属先の承諾" not in eligibility
    assert "所属先の業務として行うものではないことを、運営者に対して表明する" in eligibility
    assert "その旨を運営者に申し出なければならない" in eligibility
    assert "運営者と所属先との間の書面による合意" in eligibility
    assert "その合意が成立するまで、当該者に提供データを利用させない" in eligibility
    # the duty PC 02 requires the 参加契約 to contain
    flowdown = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    assert "参加の前にその旨を乙に申し出ること" in flowdown
    # the selected-learner consent says the same
    _, docs = build(**{"deal.learners.selection": "selected"})
    rights = text(article(doc(docs, CONSENT), "成果に係る権利の譲渡"))
    assert "運営者と所属先との間の書面による合意" in rights


def test_open_call_terms_assign_only_what_the_agreement_needs_and_leave_the_rest():
    """Item 3: no blanket assignment of every work by standard terms; the rest is licensed, not taken."""
    _, docs = build(**{"deal.learners.selection": "open"})
    works = text(article(doc(docs, TERMS), "本成果物の権利"))
    assert "これを作成した参加者に帰属する" in works
    assert "「採用成果物」" in works and "通知が参加者に到達した時に、運営者に譲渡する" in works
    assert "特許を受ける権利その他の知的財産権を、その発生と同時に運営者に譲渡する" not in works
    assert "採用成果物以外の本成果物を" in works and "利用（複製及び翻案を含む。）することを許諾し" in works
    assert "名誉又は声望を害する方法で利用されるときは、この限りでない" in works
    agreement = doc(docs, AGREEMENT)
    flowdown = text(article(agreement, "学習者の関与及び再委託"))
    assert "乙が納入物に用いるものとして学習者に通知したもの" in flowdown
    assert "その他の成果を乙及び甲が本業務のために利用することを許諾し" in flowdown
    assert "参加契約の定めに従い承継する" in text(article(agreement, "発明等の取扱い"))
    # registration by the published qualifications, not by the consultant's discretion
    recruit = text(article(agreement, "学習者の募集及び参加契約"))
    assert "参加規約に定める参加資格を満たす者として乙が登録した者" in recruit
    assert "乙が参加を認めて登録した者" not in recruit
    # selected learners still assign everything, individually and with an explanation
    _, docs = build(**{"deal.learners.selection": "selected"})
    rights = text(article(doc(docs, CONSENT), "成果に係る権利の譲渡"))
    assert "本成果物の作成の時に運営者に譲渡します" in rights


@pytest.mark.parametrize("owner", ["consultant", "split"])
def test_consultant_does_not_claim_copyright_the_learner_keeps(owner):
    _, docs = build(**{"deal.learners.selection": "open", "deal.consulting.deliverables_owner": owner})
    ip = text(article(doc(docs, AGREEMENT), "本成果物の知的財産権"))
    assert "参加契約の定めにより学習者に留保される" in ip


@pytest.mark.parametrize("stance", ["provider", "balanced"])
def test_client_has_no_discretionary_veto_over_openly_recruited_learners(stance):
    """Item 3: 甲's say over each learner is limited to qualifications published before the call."""
    _, docs = build(stance=stance, **{"deal.learners.selection": "open"})
    learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    assert "甲の書面による承諾を得なければならない" not in learners.split("\n")[0]
    assert "参加規約に定める参加資格" in learners and "異議を述べることができ" in learners
    if stance == "provider":
        assert "参加の申込みをしようとする者に示し、これを満たす者に限り学習者として登録しなければならない" in learners
        eligibility = text(article(doc(docs, TERMS), "参加資格"))
        assert "データ提供者の求めにより運営者が参加の申込みの前に募集要項等に示す参加資格" in eligibility
    # selected learners: the client may still approve each one (no standard terms are used)
    _, docs = build(stance=stance, **{"deal.learners.selection": "selected"})
    learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
    if stance == "provider":
        assert "甲の書面による承諾を得なければならない" in learners
    else:
        assert "合理的な理由（学習者が甲の競合事業者の役職員であることを含む。）" in learners


@pytest.mark.parametrize("selection", ["open", "selected"])
def test_provider_stance_requires_no_document_the_set_does_not_contain(selection):
    """Item 4: no 甲宛誓約書 is required, because none is generated."""
    _, docs = build(stance="provider", **{"deal.learners.selection": selection})
    agreement = doc(docs, AGREEMENT)
    assert "誓約" not in whole(agreement)
    assert "誓約書" not in notes(article(agreement, "学習者の関与及び再委託"))
    titles = {d.title for d in docs}
    for m in re.finditer(r"(参加規約|参加同意書兼権利譲渡書|参加者誓約書|学生誓約書|受講者誓約書)", whole(agreement)):
        assert m.group(1) in titles, m.group(1)


def test_performance_fee_tied_to_acceptance_is_paid_month_by_month():
    """Item 5: 履行割合型 with a due date tied to inspection: the draft sets monthly dates instead."""
    a, docs = build(**{"deal.consulting.fee_basis": "performance"})
    assert "検査" in a.deal.fee.due
    d = doc(docs, AGREEMENT)
    fee = text(article(d, "委託料及び費用"))
    assert "検査の合格を条件としない" in fee
    assert a.deal.fee.due not in fee and "検査に合格した日" not in fee
    assert "2027年4月から2027年9月までの6か月" in fee and "各月に割り当てた額（金500,000円）" in fee
    assert "当該月の末日を締日として、その翌月末日までに" in fee
    assert a.deal.fee.due not in article(d, "委託料及び費用").annotation.summary
    assert "各月末日締め、翌月末日払い" in notes(article(d, "本業務の性質"))


def test_monthly_instalments_add_up_to_the_fee():
    _, docs = build(**{"deal.consulting.fee_basis": "performance", "deal.fee.amount_yen": 3100000})
    fee = text(article(doc(docs, AGREEMENT), "委託料及び費用"))
    each, last = (int(x.replace(",", "")) for x in re.search(r"金([\d,]+)円。ただし、最終の月は金([\d,]+)円", fee).groups())
    assert each * 5 + last == 3100000


def test_performance_fee_keeps_a_due_date_that_fits_and_per_learner_fees_are_split_by_month():
    _, docs = fee_combo("performance")
    fee = text(article(doc(docs, AGREEMENT), "委託料及び費用"))
    assert PERFORMANCE_DUE in fee and "締日" not in fee
    _, docs = build(**{"deal.consulting.fee_basis": "performance", "deal.fee.kind": "per_learner",
                       "deal.fee.amount_yen": 250000})
    fee = text(article(doc(docs, AGREEMENT), "委託料及び費用"))
    assert "実施期間に属する暦月の数で除して得た額" in fee and "検査に合格した日" not in fee


def test_paid_learners_in_an_open_call_sign_a_separate_freelance_contract():
    """Item 6: consideration is not the learning opportunity when learners are paid."""
    _, docs = build(**{"deal.learners.selection": "open", "deal.learners.paid": True})
    terms = doc(docs, TERMS)
    body = whole(terms)
    assert "指導及び学習の機会に含まれる" not in body
    paid = text(article(terms, "報酬及び業務委託契約"))
    assert "業務委託契約（以下「業務委託契約」という。）" in paid
    assert "特定受託事業者に係る取引の適正化等に関する法律第3条第1項" in paid
    assert "第16条（解除等の予告）" in paid and "第5条" in paid
    assert "正確かつ最新の内容に保つ" in paid  # 12条: public recruitment
    assert "業務委託契約で定めるところによる" in text(article(terms, "本成果物の権利"))
    assert "特定受託事業者に係る取引の適正化等に関する法律第12条" in article(terms, "報酬及び業務委託契約").annotation.references
    assert "消費者に当たるため" not in notes(article(terms, "免責及び責任の制限"))
    # unpaid learners: no such article, and the consideration is the learning opportunity
    _, docs = build(**{"deal.learners.selection": "open"})
    terms = doc(docs, TERMS)
    assert "報酬及び業務委託契約" not in [a.heading for a in terms.articles]
    assert "指導及び学習の機会に含まれる" in text(article(terms, "本成果物の権利"))


def test_inspection_comment_does_not_promise_freedom_from_nonconformity_liability():
    """Item 7: 「請負と異なり、契約不適合責任を負いません」 was unconditional."""
    for kind in ("performance", "outcome"):
        _, docs = fee_combo(kind)
        note = notes(article(doc(docs, AGREEMENT), "本業務の性質"))
        assert "請負と異なり、契約不適合責任" not in note
        assert "請負と性質決定され" in note


def test_work_contract_payment_after_acceptance_departs_from_633():
    _, docs = fee_combo("work")
    fee = text(article(doc(docs, AGREEMENT), "委託料及び費用"))
    assert "民法第633条の規定にかかわらず" in fee and "請求することができない（民法第633条）" not in fee


def test_terms_do_not_describe_the_data_before_registration():
    a, docs = build(**{"deal.learners.selection": "open"})
    terms = doc(docs, TERMS)
    assert a.data.title not in whole(terms)
    definitions = text(article(terms, "定義"))
    assert "参加者の登録の後に通知する" in definitions


def test_learners_keep_non_data_secrets_as_long_as_the_consultant():
    a, docs = build(**{"deal.learners.selection": "open"})
    f = facts.of(a)
    conf = text(article(doc(docs, TERMS), "秘密保持"))
    years = int(re.search(r"本プログラムの終了後(\d+)年間存続する", conf).group(1))
    assert years >= f.confidentiality_years + (a.deal.term_months + 11) // 12
    assert "営業秘密として管理する情報に係る義務は、当該期間の経過後も" in conf
    _, docs = build(**{"deal.learners.selection": "selected"})
    consent = text(article(doc(docs, CONSENT), "秘密保持"))
    assert f"本プログラムの終了後{years}年間存続します" in consent


@pytest.mark.parametrize("stance", ["provider", "balanced", "recipient"])
def test_agreement_authorises_the_operator_to_accept_the_benefit_for_the_client(stance):
    for selection in ("open", "selected"):
        _, docs = build(stance=stance, **{"deal.learners.selection": selection})
        learners = text(article(doc(docs, AGREEMENT), "学習者の関与及び再委託"))
        assert "甲に代わって学習者に対し受益の意思を表示する権限を付与する" in learners
    effect = text(article(doc(docs, CONSENT), "同意の効力"))
    assert "運営者が本同意書を受領した時にデータ提供者に代わってこの意思を表示したものとします" in effect


@pytest.mark.parametrize("paid", [False, True])
def test_terms_comments_carry_no_prize_language(paid):
    _, docs = build(**{"deal.learners.selection": "open", "deal.learners.paid": paid})
    terms = doc(docs, TERMS)
    assert "賞金" not in whole(terms) + all_notes(terms)


@pytest.mark.parametrize("selection", ["open", "selected"])
def test_consented_personal_data_duties_reach_every_learner(selection):
    _, docs = build(**{"deal.learners.selection": selection, "data.personal_info": "consented",
                       "deal.learners.abroad": True})
    learner_doc = doc(docs, TERMS if selection == "open" else CONSENT)
    clause = text(article(learner_doc, "提供データに含まれる個人データ"))
    for duty in ("本人の同意を得て取得した個人データ", "安全管理", "直ちに運営者に報告", "第28条"):
        assert duty in clause, duty
    assert "他の" in clause and "に提供し、又は閲覧させないこと" in clause
    assert "応募成果物" not in clause
    # the agreement requires 乙 to impose exactly these duties
    assert "第三者に提供しないこと" in text(article(doc(docs, AGREEMENT), "個人情報の取扱い"))
    _, docs = build(**{"deal.learners.selection": selection})
    assert "提供データに含まれる個人データ" not in [a.heading for a in doc(docs, TERMS if selection == "open" else CONSENT).articles]


def test_completion_is_named_as_defined_by_the_acceptance_clause():
    """Item 7: the licence and deletion run from 「納入物の全部の納入が完了した日」 (as defined), not 「検査が完了した日」."""
    _, docs = build()
    body = whole(doc(docs, AGREEMENT))
    assert "検査が完了した日" not in body
    assert "納入物の全部の納入が完了した日" in body


@pytest.mark.parametrize("changes", [
    {"stance": "provider", "deal.consulting.contract_type": "work"},
    {"stance": "recipient", "deal.consulting.fee_basis": "performance", "deal.learners.selection": "selected",
     "deal.learners.paid": True},
    {"deal.consulting.fee_basis": "performance", "deal.learners.selection": "selected", "deal.execution": "electronic"},
    {"deal.learners.selection": "open", "deal.learners.paid": True},
    {"data.personal_info": "consented", "deal.learners.abroad": True},
    {"stance": "provider", "deal.generative_ai": "approved_only", "deal.learners.minors": True},
])
def test_variant_sets_pass_the_consistency_checks(changes):
    stance = changes.pop("stance", None)
    a, docs = build(stance=stance, **changes)
    assert [p.line() for p in consistency.check_set(a, docs, default_library())] == []
