"""Meaning checks: each check catches its fault (answers cross-checks, set consistency, the lint of references).

Every fault is made by mutating an example's answers, the assembled text, or a copy of the library, and the test
asserts that the check that should see it does — and that it was not there before the mutation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from contracts import consistency, crosscheck, facts
from contracts.answers import AnswersError, load_answers, validate_answers
from contracts.assembly import assemble_set
from contracts.library import check as lint
from contracts.library import default_library, load_library
from contracts.paths import CLAUSES_DIR
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"

MODELS = ("hackathon", "paid_consulting", "joint_research", "data_provision")


def raw(model: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{model}.yaml").read_text(encoding="utf-8"))


def answers_of(data: dict):
    return validate_answers(data)


def problems(answers, docs=None, only=None):
    lib = default_library()
    docs = docs if docs is not None else assemble_set(answers, lib)
    return consistency.check_set(answers, docs, lib, only=only)


def replace_text(docs, kind, old, new):
    """The set with `old` replaced by `new` in every paragraph of the documents of one kind."""
    out = []
    for d in docs:
        if d.kind != kind:
            out.append(d)
            continue
        arts = []
        for a in d.articles:
            paras = tuple(dataclasses.replace(p, text=p.text.replace(old, new)) for p in a.paragraphs)
            arts.append(dataclasses.replace(a, paragraphs=paras))
        out.append(dataclasses.replace(d, articles=tuple(arts)))
    return out


# --------------------------------------------------------------------------- facts


def test_facts_of_the_hackathon_example_are_on_a_calendar():
    f = facts.compute(load_answers(EXAMPLES / "hackathon.yaml"))
    assert (f.program_start, f.program_end) == (dt.date(2027, 2, 15), dt.date(2027, 3, 31))
    assert f.report_due == dt.date(2027, 4, 30)  # 30 days after the event
    assert f.term_end == dt.date(2028, 1, 7)
    assert f.deletion_from_use and f.deletion_deadline == dt.date(2027, 5, 30)
    assert f.cap_yen == 2_800_000 and "金2,800,000円" in f.cap_text
    assert f.program_term == "本ハッカソン"


def test_cap_is_dropped_with_a_finding_when_the_fee_is_free():
    data = raw("data_provision")
    data["deal"]["fee"] = {"kind": "free"}
    a = answers_of(data)
    f = facts.compute(a)
    assert not f.has_cap and f.cap_overridden
    rules = {x.rule for x in crosscheck.findings(a, default_library())}
    assert "answers_cap_dropped" in rules


def test_consumer_follows_the_party_kind_and_business_flag():
    data = raw("data_provision")
    data["parties"]["recipient"] = {"name": "山田 花子", "address": "東京都新宿区西新宿二丁目8番1号", "kind": "individual"}
    assert facts.compute(answers_of(data)).recipient_consumer
    data["parties"]["recipient"]["acts_as_business"] = True
    assert not facts.compute(answers_of(data)).recipient_consumer


# --------------------------------------------------------------------------- answers cross-checked


def refused_fields(data: dict) -> list[str]:
    with pytest.raises(AnswersError) as exc:
        crosscheck.refuse_contradictions(answers_of(data))
    return [p for p, _ in exc.value.problems]


def test_term_ending_before_the_programme_is_refused():
    data = raw("hackathon")
    data["deal"]["term_months"] = 1
    assert refused_fields(data) == ["deal.term_months"]


def test_term_ending_before_the_report_is_refused():
    data = raw("hackathon")
    data["deal"]["contract_date"] = dt.date(2027, 1, 8)
    data["deal"]["term_months"] = 3  # ends 2027-04-07: after the event (3/31), before the report (4/30)
    assert refused_fields(data) == ["deal.term_months"]


def test_programme_over_before_signing_is_refused():
    data = raw("joint_research")
    data["deal"]["contract_date"] = dt.date(2029, 1, 1)
    data["deal"]["nda_date"] = None
    assert "deal.contract_date" in refused_fields(data)


def test_nda_after_the_main_agreement_is_refused():
    data = raw("data_provision")
    data["deal"]["nda_date"] = dt.date(2027, 5, 1)
    assert refused_fields(data) == ["deal.nda_date"]


def test_sensitive_without_personal_information_is_refused():
    data = raw("hackathon")
    data["data"]["sensitive"] = True
    assert refused_fields(data) == ["data.sensitive"]


def test_free_fee_in_paid_consulting_is_refused():
    data = raw("paid_consulting")
    data["deal"]["fee"] = {"kind": "free"}
    data["deal"]["liability_cap"] = {"kind": "none"}
    assert refused_fields(data) == ["deal.fee.kind"]


def test_royalty_without_a_rate_is_refused():
    data = raw("joint_research")
    del data["deal"]["research"]["royalty_percent"]
    assert refused_fields(data) == ["deal.research.royalty_percent"]


def test_cli_refusal_names_the_field_in_japanese_and_exits_2(tmp_path):
    data = raw("hackathon")
    data["deal"]["term_months"] = 1
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "deal.term_months" in result.output and "契約期間" in result.output
    assert not (tmp_path / "out").exists()


def test_past_signing_date_is_a_finding_suggesting_retroactive_wording():
    a = load_answers(EXAMPLES / "hackathon.yaml")
    found = crosscheck.findings(a, default_library(), today=dt.date(2027, 6, 1))
    past = [x for x in found if x.rule == "answers_contract_date_past"]
    assert past and "遡って適用" in past[0].action
    assert not [x for x in crosscheck.findings(a, default_library(), today=dt.date(2026, 1, 1))
                if x.rule == "answers_contract_date_past"]


def test_personal_attributes_with_no_personal_information_are_a_high_finding():
    data = raw("hackathon")
    data["data"]["items"] = data["data"]["items"] + ["作業者の氏名", "連絡先電話番号", "顔画像"]
    found = [x for x in crosscheck.findings(answers_of(data), default_library()) if x.rule == "answers_personal_attributes"]
    assert found and found[0].severity == "高"
    assert "氏名" in found[0].message and "提供元基準" in found[0].message


def test_negated_attributes_are_not_personal_hints():
    data = raw("data_provision")
    data["data"]["description"] = "会員の氏名を含まない販売実績を集計したデータ"
    assert not facts.compute(answers_of(data)).personal_hints


def test_an_answer_the_model_ignores_is_named():
    data = raw("hackathon")
    data["deal"]["derived_data"] = "provider"
    a = answers_of(data)
    assert "deal.derived_data" in crosscheck.ignored_answers(a, default_library())
    found = [x for x in crosscheck.findings(a, default_library()) if x.rule == "answers_ignored"]
    assert found and "deal.derived_data" in found[0].message


def test_examples_ignore_no_answer():
    for m in MODELS:
        assert crosscheck.ignored_answers(load_answers(EXAMPLES / f"{m}.yaml"), default_library()) == [], m


# --------------------------------------------------------------------------- the set agrees with itself


def test_a_term_used_without_definition_is_caught():
    a = load_answers(EXAMPLES / "data_provision.yaml")
    docs = assemble_set(a, default_library())
    before = problems(a, docs, {"terms"})
    mutated = replace_text(docs, "nda", "。", "。本プラットフォームを用いる。")
    mutated = replace_text(mutated, "data_provision_agreement", "本契約", "本契約（以下「本プラットフォーム」という。）本プラットフォーム")
    after = problems(a, mutated, {"terms"})
    assert len(after) > len(before)
    assert any("「本プラットフォーム」を定義せずに" in p.message for p in after)


def test_two_names_for_the_programme_are_caught():
    a = load_answers(EXAMPLES / "joint_research.yaml")
    docs = assemble_set(a, default_library())
    mutated = replace_text(docs, "joint_research_agreement", "本契約", "本契約（以下「本取組」という。）")
    assert any("呼び方が一つではありません" in p.message for p in problems(a, mutated, {"terms"}))


def test_a_post_termination_duty_outside_the_survival_list_is_caught():
    a = load_answers(EXAMPLES / "data_provision.yaml")
    lib = default_library()
    docs = assemble_set(a, lib)
    target = next(art for d in docs if d.kind == "data_provision_agreement" for art in d.articles
                  if not lib.clauses[art.clause_id].survives and "終了" not in "".join(p.text for p in art.paragraphs))
    marked = replace_text(docs, "data_provision_agreement", target.paragraphs[0].text,
                          target.paragraphs[0].text + "この義務は、本契約の終了後も1年間存続する。")
    found = [p for p in problems(a, marked, {"survival"}) if target.clause_id in p.message]
    assert found, target.clause_id


def test_the_main_agreement_must_cite_the_nda_by_date_and_title():
    a = load_answers(EXAMPLES / "paid_consulting.yaml")
    docs = assemble_set(a, default_library())
    before = problems(a, docs, {"nda"})
    mutated = replace_text(docs, "consulting_agreement", "2027年2月15日付け", "")
    after = problems(a, mutated, {"nda"})
    assert len(after) >= len(before) and any("日付" in p.message for p in after)


def test_a_paid_so_far_cap_is_caught():
    a = load_answers(EXAMPLES / "hackathon.yaml")
    docs = assemble_set(a, default_library())
    mutated = replace_text(docs, "hackathon_agreement", "を上限とする", "（損害賠償の原因となる事由が生じた時までに現に支払った額）を上限とする")
    assert any("支払済みの額" in p.message for p in problems(a, mutated, {"cap"}))


def test_a_flow_down_document_that_keeps_data_longer_is_caught():
    a = load_answers(EXAMPLES / "data_provision.yaml")
    docs = assemble_set(a, default_library())
    pledge = next(d for d in docs if consistency._is_flow_down(d))
    before = problems(a, docs, {"periods"})
    mutated = []
    for d in docs:
        if d is pledge:
            art = d.articles[0]
            art = dataclasses.replace(art, heading="提供データの消去", paragraphs=(
                dataclasses.replace(art.paragraphs[0], text="私は、講座の終了後400日以内に提供データを消去します。"),))
            d = dataclasses.replace(d, articles=(art,) + d.articles[1:])
        mutated.append(d)
    after = problems(a, mutated, {"periods"})
    assert len(after) > len(before) and any("400日以内" in p.message for p in after)


def test_a_pledge_that_lets_the_pi_permit_what_the_company_reserved_is_caught():
    a = load_answers(EXAMPLES / "joint_research.yaml")
    docs = assemble_set(a, default_library())
    before = problems(a, docs, {"permissions"})
    mutated = replace_text(docs, "student_pledge", "。", "。研究代表者の許可を得たときは、提供データを研究室の外に持ち出すことができます。")
    after = problems(a, mutated, {"permissions"})
    assert len(after) > len(before)


def test_an_annotation_that_states_a_period_the_text_lacks_is_caught():
    a = load_answers(EXAMPLES / "hackathon.yaml")
    docs = assemble_set(a, default_library())
    before = problems(a, docs, {"annotations"})
    d = docs[1]
    art = d.articles[0]
    note = dataclasses.replace(art.annotation, summary=art.annotation.summary + "期間は777日間です。")
    mutated = list(docs)
    mutated[1] = dataclasses.replace(d, articles=(dataclasses.replace(art, annotation=note),) + d.articles[1:])
    after = problems(a, mutated, {"annotations"})
    assert len(after) == len(before) + 1 and "777日間" in after[-1].message or any("777日間" in p.message for p in after)


# --------------------------------------------------------------------------- references are computed


@pytest.fixture()
def library_copy(tmp_path):
    target = tmp_path / "clauses"
    shutil.copytree(CLAUSES_DIR, target)
    return target


def test_lint_rejects_a_typed_paragraph_number(library_copy):
    path = library_copy / "common.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("ただし、", "ただし、第2項の場合を除き、", 1)
    path.write_text(text, encoding="utf-8")
    found = [p for p in lint(load_library(library_copy)) if "'第2項' typed by hand" in p]
    assert found


def test_lint_rejects_a_relative_reference_next_to_a_conditional_paragraph(library_copy):
    from contracts.library import VariantSpec, _relative_after_conditional

    v = VariantSpec.model_validate({
        "id": "x", "paragraphs": [
            {"text": "甲は、通知する。", "when": {"field": "data.sensitive", "is": True}},
            {"text": "前項の通知は、書面により行う。"},
        ],
        "annotation": {"summary": "s", "favours": "balanced", "provider": {"benefit": "b", "risk": "r"},
                       "recipient": {"benefit": "b", "risk": "r"}, "issue": "i", "direction": "d", "references": ["x"]},
    })
    assert _relative_after_conditional(v)


def test_para_and_item_are_computed_against_dropped_paragraphs():
    """A paragraph that a condition drops renumbers what para() prints."""
    from contracts.library import Library, LibraryFile

    clause = {
        "id": "t_clause", "heading": "試験",
        "variants": [{"id": "only", "paragraphs": [
            {"text": "第一の定め。"},
            {"text": "条件付きの定め。", "when": {"field": "data.sensitive", "is": True}},
            {"key": "target", "text": "次の各号を定める。", "items": [
                {"text": "一つ目"}, {"text": "二つ目", "key": "second"}]},
            {"text": "{{ para('target') }}及び{{ para('target', 'second') }}を参照する。"},
        ], "annotation": {"summary": "s", "favours": "balanced", "provider": {"benefit": "b", "risk": "r"},
                          "recipient": {"benefit": "b", "risk": "r"}, "issue": "i", "direction": "d",
                          "references": ["x"]}}],
    }
    doc = {"id": "t_doc", "title": "試験契約書", "file_name": "t", "order": 1, "models": ["hackathon"],
           "signers": ["provider", "recipient"], "names": {"provider": {"kouotsu": "甲", "roles": "提供者"},
                                                           "recipient": {"kouotsu": "乙", "roles": "受領者"}},
           "articles": ["t_clause"]}
    base = default_library()
    lib = Library({"t.yaml": LibraryFile.model_validate({"documents": [doc], "clauses": [clause]}),
                   "closings.yaml": LibraryFile.model_validate({"closings": base.closings,
                                                                    "boilerplate": base.boilerplate})})
    data = raw("hackathon")
    from contracts.assembly import assemble

    text = assemble(answers_of(data), lib, "t_doc").articles[0].paragraphs[-1].text
    assert text == "第2項及び第2項第2号を参照する。"
    data["data"]["sensitive"] = True
    data["data"]["personal_info"] = "consented"
    text = assemble(answers_of(data), lib, "t_doc").articles[0].paragraphs[-1].text
    assert text == "第3項及び第3項第2号を参照する。"


# --------------------------------------------------------------------------- the command


def test_check_command_lists_problems_with_document_and_article(tmp_path):
    data = raw("hackathon")
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code in (0, 1)
    assert "問題" in result.output and "確認" in result.output
    if result.exit_code == 1:
        assert "[" in result.output


def test_identifiers_removed_by_the_provider_who_keeps_the_originals_are_a_finding():
    a = load_answers(EXAMPLES / "joint_research.yaml")
    found = [x for x in crosscheck.findings(a, default_library()) if x.rule == "answers_masked_identifiers"]
    assert found and "提供元基準" in found[0].message and "第27条第1項第7号" in found[0].action
    data = raw("joint_research")
    data["data"]["processing"] = ["設備の製造番号の匿名IDへの置換"]
    assert not [x for x in crosscheck.findings(answers_of(data), default_library())
                if x.rule == "answers_masked_identifiers"]


def test_a_provision_not_yet_in_force_at_the_contract_date_is_reported():
    """取適法 is in force from 2026-01-01: a consulting deal signed in 2025 cites a law not yet in force."""
    data = raw("paid_consulting")
    data["deal"]["contract_date"] = dt.date(2027, 3, 19)
    a = answers_of(data)
    assert not problems(a, only={"sources"})
    data["deal"]["contract_date"] = dt.date(2020, 1, 6)
    data["deal"]["nda_date"] = None
    data["deal"]["consulting"]["period"] = "2020年2月1日から2020年7月31日まで"
    old = answers_of(data)
    found = problems(old, only={"sources"})
    assert found and any("2020" in p.message or "施行" in p.message or "in force" in p.message for p in found)


@pytest.mark.parametrize("start, months, end", [
    (dt.date(2027, 3, 25), 15, dt.date(2028, 6, 24)),
    (dt.date(2027, 3, 31), 1, dt.date(2027, 4, 30)),  # no 4月31日: the month's last day (民法143条2項)
    (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
    (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    (dt.date(2027, 1, 8), 12, dt.date(2028, 1, 7)),
])
def test_term_end_follows_the_civil_code(start, months, end):
    assert facts.period_end(start, months) == end


def test_the_answers_a_fact_reads_are_facts_and_answers_fields():
    """facts.READS maps printed facts back to answers, for the unused-answers check: no stale names on either side."""
    import dataclasses

    from contracts import facts, vocabulary

    names = {f.name for f in dataclasses.fields(facts.Facts)}
    assert set(facts.READS) <= names
    assert all(vocabulary.exists(p) for paths in facts.READS.values() for p in paths)


def test_an_answer_read_only_through_a_fact_counts_as_read():
    """deal.consulting.services reaches the consulting agreement only as facts.services_text."""
    from contracts.crosscheck import paths_read_by

    read = paths_read_by(default_library(), "paid_consulting")
    assert "facts.services_text" in read and "deal.consulting.services" in read
