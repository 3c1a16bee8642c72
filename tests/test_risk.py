"""Deal-level risk findings (clauses/rules.yaml), the refusal of blocked deals, and the model recommendation.

Each answers file in tests/fixtures/risk/ is built to trigger a known set of rules; the tests pin that set exactly,
so a rule that starts firing where the risk is not there (or stops firing where it is) fails here.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from contracts.answers import AnswersError, load_answers, validate_answers
from contracts.library import default_library
from contracts.recommend import rank as recommend
from contracts.recommend import verdict
from contracts.risk import check_rules, default_riskbook, findings, load_riskbook, refuse_blocked
from tests.conftest import FIXTURES, ROOT, keiyaku

EXAMPLES = ROOT / "examples"

RISK = FIXTURES / "risk"

# fixture -> exactly the (rule, severity) pairs it must trigger
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "clean_data_provision.yaml": set(),
    "pseudonymized_data_provision.yaml": {("pseudonymized_third_party", "高")},
    "hackathon_consented_minors_abroad.yaml": {
        ("consented_data_many_recipients", "高"),
        ("consented_data_records", "中"),
        ("cross_border_personal_data", "高"),
        ("learners_receive_raw_personal_data", "高"),
        ("minors_participate", "中"),
        ("assign_winners_minors", "中"),
        ("competitors_allowed", "中"),
        ("participant_terms_consumer", "低"),
    },
    "hackathon_know_how_unprocessed.yaml": {
        ("know_how_wide_unprocessed", "高"),
        ("trade_secret_many_recipients", "中"),
        ("open_deliverables_exposure", "中"),
        ("short_confidentiality_know_how", "中"),
        ("publication_without_review", "中"),
        ("generative_ai_approved_only", "低"),
        ("participant_terms_consumer", "低"),
    },
    "hackathon_small_closed.yaml": {("participant_terms_consumer", "低")},
    "data_provision_anonymized_free.yaml": {
        ("anonymized_publication_unplanned", "高"),
        ("materials_free_publication_exposed", "高"),
        ("anonymized_onward_provision", "中"),
        ("sensitive_anonymized", "中"),
        ("free_provision_free_publication", "中"),
        ("deletion_without_certificate", "中"),
        ("long_deletion_period", "中"),
        ("no_liability_cap", "中"),
    },
    "data_provision_sensitive_consented.yaml": {
        ("sensitive_consented_data", "高"),
        ("cross_border_personal_data", "高"),
        ("consented_data_records", "中"),
        ("derived_data_to_provider_sme", "中"),
        ("long_deletion_period", "中"),
        ("generative_ai_approved_only", "低"),
    },
    "data_provision_limited_media.yaml": {
        ("limited_provision_offline_delivery", "中"),
        ("know_how_in_learners_hands", "中"),
        ("cross_border_know_how", "中"),
        ("individual_party", "中"),
        ("short_confidentiality_know_how", "中"),
        ("limited_provision_with_know_how", "低"),
    },
    "consulting_work_paper.yaml": {
        ("consulting_work_contract", "中"),
        ("deliverables_to_provider_sme", "中"),
        ("subcontract_act", "中"),
        ("selected_learners_unpaid_client_work", "中"),
        ("teaching_reuse_know_how", "低"),
        ("participant_terms_consumer", "低"),
    },
    "consulting_individual.yaml": {
        ("individual_party", "中"),
        ("freelance_act", "中"),
        ("subcontract_act", "中"),
        ("contract_only_know_how", "中"),
        ("paid_learners_freelance", "中"),
        ("participant_terms_consumer", "低"),
    },
    "joint_research_unnamed_students.yaml": {
        ("students_unnamed", "中"),
        ("joint_ownership_undecided", "中"),
        ("export_control_unchecked", "中"),
        ("publication_short_review", "低"),
    },
    "joint_research_company_paper.yaml": {
        ("consented_data_records", "中"),
        ("publication_without_review", "中"),
        ("deletion_without_certificate", "中"),
        ("export_controlled_technology", "高"),
    },
    "joint_research_recipient_stance.yaml": {
        ("consented_data_records", "中"),
        ("publication_without_review", "中"),
        ("deletion_without_certificate", "中"),
        ("non_practice_in_house_base", "中"),
        ("students_liability_recipient_stance", "低"),
    },
    "joint_research_joint_no_compensation.yaml": {
        ("export_control_unchecked", "中"),
        ("joint_ownership_no_compensation", "低"),
        ("publication_short_review", "低"),
        ("students_unnamed", "中"),
    },
}


def raw(name: str) -> dict:
    return yaml.safe_load((RISK / name).read_text(encoding="utf-8"))


def variant(name: str, **changes) -> object:
    """The fixture with some answers changed; keys are dotted paths with '__' for '.' (None deletes the key)."""
    data = copy.deepcopy(raw(name))
    for key, value in changes.items():
        *parents, leaf = key.split("__")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return validate_answers(data, name)


def fired(answers) -> set[tuple[str, str]]:
    return {(f.rule, f.severity) for f in findings(answers)}


def ids(answers) -> set[str]:
    return {f.rule for f in findings(answers)}


# --------------------------------------------------------------------------- the rule book itself


def test_rule_lint_passes():
    assert check_rules(load_riskbook(), set(default_library().clauses)) == []


def test_rule_book_shape():
    rules = default_riskbook().rules
    assert len(rules) >= 24
    for r in rules:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r.id), r.id
        assert r.basis and all(b.strip() for b in r.basis), r.id
        assert r.clauses, f"{r.id}: name the clauses the finding touches"
        if r.block:
            assert r.severity == "高" and r.field, r.id
    assert [r.id for r in rules if r.block] == ["pseudonymized_third_party"]


def test_fixture_files_match_the_table():
    assert {p.name for p in RISK.glob("*.yaml")} == set(EXPECTED)
    assert len(EXPECTED) >= 10


def test_every_rule_is_exercised_by_a_fixture():
    exercised = {rule for pairs in EXPECTED.values() for rule, _ in pairs}
    assert exercised == {r.id for r in default_riskbook().rules}


# --------------------------------------------------------------------------- exact findings per fixture


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_triggers_exactly_its_rules(name):
    assert fired(load_answers(RISK / name)) == EXPECTED[name]


def test_clean_deal_has_no_high_or_medium_finding():
    found = findings(load_answers(RISK / "clean_data_provision.yaml"))
    assert not [f for f in found if f.severity in ("高", "中")]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messages_are_rendered_and_specific(name):
    answers = load_answers(RISK / name)
    found = findings(answers)
    for f in found:
        for text in (f.message, f.action):
            assert text and "{{" not in text and "{%" not in text and "None" not in text, (f.rule, text)
            assert "。。" not in text and "、。" not in text, (f.rule, text)
    # most severe first, blocks before everything
    order = [(not f.block, ("高", "中", "低").index(f.severity)) for f in found]
    assert order == sorted(order)


def test_messages_quote_the_deal():
    hk = {f.rule: f for f in findings(load_answers(RISK / "hackathon_consented_minors_abroad.yaml"))}
    assert "200名" in hk["consented_data_many_recipients"].message
    assert "フィットネスアプリ利用者行動データ" in hk["consented_data_many_recipients"].message
    assert "外国に居住する参加者" in hk["cross_border_personal_data"].message
    assert "ヘルスデータチャレンジ" in hk["competitors_allowed"].message
    dp = {f.rule: f for f in findings(load_answers(RISK / "data_provision_anonymized_free.yaml"))}
    assert "120日" in dp["long_deletion_period"].message
    assert "医療データ分析講座" in dp["free_provision_free_publication"].message
    cs = {f.rule: f for f in findings(load_answers(RISK / "consulting_work_paper.yaml"))}
    assert "3,000,000円" in cs["deliverables_to_provider_sme"].message
    assert "請負" in cs["consulting_work_contract"].message
    electronic = variant("consulting_work_paper.yaml", deal__execution="electronic")
    work = {f.rule: f for f in findings(electronic)}["consulting_work_contract"]
    assert "印紙" not in work.message
    assert "stamp_duty" not in ids(electronic)


# --------------------------------------------------------------------------- no risk, no finding


def test_many_recipient_rules_need_many_recipients():
    # consented data to 25 learners: the records duty applies, the many-recipients risk does not
    few = variant("clean_data_provision.yaml", data__personal_info="consented")
    assert ids(few) == {"consented_data_records"}
    many = variant("clean_data_provision.yaml", data__personal_info="consented", deal__learners={"count": 30})
    assert "consented_data_many_recipients" in ids(many)
    # a hackathon counts as "many" unless a small participant count is given
    small = variant("hackathon_consented_minors_abroad.yaml", deal__learners={"count": 12})
    assert "consented_data_many_recipients" not in ids(small)
    unknown = variant("hackathon_consented_minors_abroad.yaml", deal__learners=None)
    assert "consented_data_many_recipients" in ids(unknown)


def test_processed_know_how_is_not_unprocessed():
    processed = variant("hackathon_know_how_unprocessed.yaml", data__processing=["工程名のマスキング"])
    assert "know_how_wide_unprocessed" not in ids(processed)
    assert "trade_secret_many_recipients" in ids(processed)
    limited = variant("hackathon_know_how_unprocessed.yaml", data__protection="limited_provision",
                      data__delivery={"method": "platform", "timing": "開催日の7日前まで"})
    assert "trade_secret_many_recipients" not in ids(limited)
    assert "limited_provision_offline_delivery" not in ids(limited)
    no_know_how = variant("hackathon_know_how_unprocessed.yaml", data__know_how=False)
    assert not ids(no_know_how) & {"know_how_wide_unprocessed", "open_deliverables_exposure",
                                   "short_confidentiality_know_how"}


def test_anonymized_with_publication_planned_and_no_raw_data():
    ok = variant(
        "data_provision_anonymized_free.yaml",
        data__anonymized_publication=True,
        data__sensitive=False,
        deal__learners={"count": 40, "receive_raw_data": False},
        deal__course={"name": "医療データ分析講座", "audience": "社会人受講者", "materials_publication": "approval"},
        deal__fee={"kind": "fixed", "amount_yen": 100000, "due": "2027年4月30日"},
        deal__deletion={"within_days": 30, "certificate": True},
        deal__liability_cap={"kind": "fee"},
    )
    assert fired(ok) == set()


def test_sensitive_statistics_raise_nothing():
    assert ids(variant("clean_data_provision.yaml", data__sensitive=True)) == set()


def test_cross_border_only_matters_for_personal_data_or_know_how():
    assert ids(variant("clean_data_provision.yaml", data__cross_border=True)) == set()
    anonymized_abroad = variant("clean_data_provision.yaml", data__personal_info="anonymized",
                                data__anonymized_publication=True, data__cross_border=True)
    assert "cross_border_personal_data" not in ids(anonymized_abroad)  # Art. 28 covers personal data only


def test_deletion_and_confidentiality_thresholds():
    assert ids(variant("clean_data_provision.yaml", deal__deletion={"within_days": 90})) == set()
    assert ids(variant("clean_data_provision.yaml", deal__deletion={"within_days": 91})) == {"long_deletion_period"}
    know_how = {"data__know_how": True}
    assert ids(variant("clean_data_provision.yaml", deal__confidentiality_years=3, **know_how)) == set()
    assert ids(variant("clean_data_provision.yaml", **know_how)) == set()  # balanced stance: 3 years
    assert "short_confidentiality_know_how" in ids(variant("clean_data_provision.yaml", stance="recipient", **know_how))
    assert "short_confidentiality_know_how" not in ids(
        variant("clean_data_provision.yaml", stance="recipient", deal__confidentiality_years=5, **know_how))


def test_publication_review():
    assert ids(variant("clean_data_provision.yaml", deal__publication={"allowed": False, "review_days": 0})) == set()
    assert ids(variant("clean_data_provision.yaml", deal__publication={"review_days": 14})) == set()
    assert ids(variant("clean_data_provision.yaml", deal__publication={"review_days": 13})) == {"publication_short_review"}
    assert "publication_short_review" not in ids(
        variant("joint_research_unnamed_students.yaml", deal__publication={"review_days": 30}))


def test_fair_dealing_rules_need_a_weaker_counterparty():
    both_small = variant("data_provision_sensitive_consented.yaml",
                         parties__provider={**raw("data_provision_sensitive_consented.yaml")["parties"]["provider"],
                                            "sme": True})
    assert "derived_data_to_provider_sme" not in ids(both_small)
    shared = variant("data_provision_sensitive_consented.yaml", deal__derived_data="shared")
    assert "derived_data_to_provider_sme" not in ids(shared)
    explicit = variant("clean_data_provision.yaml", deal__derived_data="provider",
                       parties__recipient={**raw("clean_data_provision.yaml")["parties"]["recipient"], "sme": True})
    assert ids(explicit) == {"derived_data_to_provider_sme"}
    split = variant("consulting_work_paper.yaml", deal__consulting={
        **raw("consulting_work_paper.yaml")["deal"]["consulting"], "deliverables_owner": "split"})
    assert "deliverables_to_provider_sme" not in ids(split)
    big = {**raw("consulting_work_paper.yaml")["parties"]["recipient"], "sme": False}
    assert not ids(variant("consulting_work_paper.yaml", parties__recipient=big)) & {
        "subcontract_act", "deliverables_to_provider_sme"}


def test_joint_research_rules():
    named = variant("joint_research_unnamed_students.yaml", deal__research={
        **raw("joint_research_unnamed_students.yaml")["deal"]["research"],
        "students": [{"name": "学生一郎", "affiliation": "工学研究科"}], "non_practice_compensation": "royalty"})
    assert not ids(named) & {"students_unnamed", "joint_ownership_undecided"}


def test_data_provision_publication_rules():
    approval = variant("data_provision_anonymized_free.yaml", deal__course={
        "name": "医療データ分析講座", "audience": "社会人受講者", "materials_publication": "approval"})
    assert not ids(approval) & {"free_provision_free_publication", "materials_free_publication_exposed"}
    paid = variant("data_provision_anonymized_free.yaml", deal__fee={"kind": "fixed", "amount_yen": 1, "due": "翌月末日"})
    assert "free_provision_free_publication" not in ids(paid)
    assert "materials_free_publication_exposed" in ids(paid)


# --------------------------------------------------------------------------- refusing the 仮名加工情報 deal


def test_pseudonymized_deal_is_refused_naming_the_field():
    answers = load_answers(RISK / "pseudonymized_data_provision.yaml")
    with pytest.raises(AnswersError) as exc:
        refuse_blocked(answers)
    assert [path for path, _ in exc.value.problems] == ["data.personal_info"]
    assert "第41条第6項" in str(exc.value)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n != "pseudonymized_data_provision.yaml"))
def test_other_deals_are_not_refused(name):
    refuse_blocked(load_answers(RISK / name))


@pytest.mark.parametrize("value", ["none", "statistical", "anonymized", "consented"])
def test_only_pseudonymized_data_blocks(value):
    answers = variant("pseudonymized_data_provision.yaml", data__personal_info=value, data__anonymized_publication=True)
    refuse_blocked(answers)
    assert not [f for f in findings(answers) if f.block]


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_cli_refuses_the_pseudonymized_deal(command, tmp_path):
    out = tmp_path / "out"
    args = [command, str(RISK / "pseudonymized_data_provision.yaml")]
    if command == "generate":
        args += ["--out", str(out)]
    result = keiyaku(*args)
    assert result.exit_code == 2, result.output
    assert "data.personal_info" in result.stderr
    assert not out.exists() or not any(out.iterdir())


# --------------------------------------------------------------------------- recommendation


def goals(*wanted, **constraints):
    return variant("clean_data_provision.yaml", deal__goals=list(wanted), deal__constraints=constraints)


def scores(answers) -> dict[str, int]:
    return {r.model: r.score for r in recommend(answers)}


def test_research_goal_ranks_joint_research_first():
    assert recommend(goals("research"))[0].model == "joint_research"


def test_money_goal_ranks_data_provision_first():
    assert recommend(goals("money"))[0].model == "data_provision"


def test_deliverables_with_control_rank_paid_consulting_first():
    assert recommend(goals("deliverables", need_control=True))[0].model == "paid_consulting"


def test_recipient_limit_is_a_hard_filter_judged_on_this_deals_learners():
    # the fixture's course has 25 learners: a limit of 10 excludes every model that hands the data to them
    ranking = recommend(goals("pr", max_recipients=10))
    excluded = {r.model: r.excluded for r in ranking if not r.eligible}
    assert {"hackathon", "paid_consulting", "data_provision"} <= set(excluded)
    assert any("25名" in reason for reason in excluded["data_provision"])
    v = verdict(ranking)
    assert v.status == "lead" and v.models == ("joint_research",)
    assert ranking[0].model == "joint_research"


def test_budget_is_a_hard_filter_with_the_reason():
    ranking = recommend(goals("deliverables", budget_yen=1000000))
    consulting = next(r for r in ranking if r.model == "paid_consulting")
    assert not consulting.eligible and any("予算1,000,000円" in x for x in consulting.excluded)
    assert next(r for r in ranking if r.model == "data_provision").eligible


def test_a_model_serving_no_stated_goal_is_never_recommended():
    ranking = recommend(goals("money"))
    for r in ranking:
        if all(default_riskbook().profiles[r.model].benefits.get(g, 0) == 0 for g in ("money",)):
            assert not r.eligible
    assert verdict(ranking).recommended == "data_provision"


def test_a_tie_is_shown_as_a_tie_with_what_would_decide_it():
    from contracts.recommend import Ranked

    ranking = [Ranked("hackathon", "ハッカソン型", 6, ()), Ranked("paid_consulting", "有償コンサル型", 6, ()),
               Ranked("data_provision", "データ提供型", 2, ())]
    v = verdict(ranking)
    assert v.status == "tie" and v.recommended is None and set(v.models) == {"hackathon", "paid_consulting"}
    assert "同点" in v.text and "決め手" in v.text


def test_nothing_fits_names_the_nearest_set_up():
    ranking = recommend(goals("pr", max_recipients=1, budget_yen=0))
    v = verdict(ranking)
    assert v.status == "none" and v.recommended is None and "最も近い" in v.text


def test_auto_refuses_a_tie_instead_of_picking_one():
    import contracts.recommend as rec
    from contracts.recommend import Ranked, resolve_model

    data = yaml.safe_load((EXAMPLES / "data_provision.yaml").read_text(encoding="utf-8"))
    data["model"] = "auto"
    answers = validate_answers(data)
    original = rec.rank
    rec.rank = lambda a, book=None: [Ranked("hackathon", "ハッカソン型", 6, ()), Ranked("data_provision", "データ提供型", 6, ())]
    try:
        with pytest.raises(AnswersError) as exc:
            resolve_model(answers)
    finally:
        rec.rank = original
    assert exc.value.problems[0][0] == "model" and "同点" in exc.value.problems[0][1]


def test_examples_are_not_blocked():
    for path in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml")):
        refuse_blocked(load_answers(path))


def test_risk_command_prints_the_same_findings_as_the_summary_and_what_was_checked(tmp_path):
    from contracts.generate import build_set

    data = yaml.safe_load((EXAMPLES / "joint_research.yaml").read_text(encoding="utf-8"))
    data["deal"]["execution"] = "paper"
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = keiyaku("risk", path, "--json")
    assert out.exit_code == 0, out.output
    rules = {f["rule"] for f in json.loads(out.stdout)}
    summary = json.loads(build_set(validate_answers(data)).files["review/summary.json"])
    assert rules == {f["rule"] for f in summary["findings"]}
    assert {"answers_masked_identifiers", "stamp_duty"} <= rules
    text = keiyaku("risk", path).stdout
    assert "確認した事項:" in text
