"""Stamp duty in yen per document, from 印紙税法 別表第一: what each document itself evidences, on paper only."""

from __future__ import annotations

import pytest
import yaml

from contracts import stamp
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.document import Article, Document, SignatureBlock
from contracts.library import default_library
from tests.conftest import ROOT


def example(model: str) -> dict:
    return yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("amount, table1, table2", [
    (None, 200, 200), (9_999, 0, 0), (100_000, 200, 200), (500_000, 400, 200), (1_000_000, 1_000, 200),
    (2_000_000, 2_000, 400), (3_000_000, 2_000, 1_000), (5_000_000, 2_000, 2_000), (10_000_000, 10_000, 10_000),
    (50_000_000, 20_000, 20_000), (100_000_000, 60_000, 60_000), (6_000_000_000, 600_000, 600_000),
])
def test_tables_of_schedule_one(amount, table1, table2):
    assert stamp.tax_for("1", amount) == table1
    assert stamp.tax_for("2", amount) == table2


def _doc(*pairs) -> Document:
    arts = tuple(Article(number=i + 1, heading="h", clause_id=c, variant_id=v, paragraphs=(), annotation=None)
                 for i, (c, v) in enumerate(pairs))
    return Document(kind="consulting_agreement", title="業務委託契約書", file_name="02", addressee="", preamble="",
                    articles=arts, closing="", date_line="",
                    signatures=(SignatureBlock("甲", (), ""), SignatureBlock("乙", (), "")), schedules=(), parties=(), notice="")


def answers(model="paid_consulting", **deal):
    data = example(model)
    data["deal"].update(deal)
    return validate_answers(data)


def test_work_contract_on_paper_is_a_second_category_document_taxed_on_the_fee():
    a = answers(execution="paper")
    [s] = stamp.assess(a, [_doc(("cs_nature", "work"), ("cs_ip", "consultant"))])
    assert (s.category, s.amount_yen, s.tax_yen) == ("2", 3_000_000, 1_000)
    assert "各通に1,000円" in s.reason


def test_work_with_copyright_transfer_is_first_category_under_general_rule_3():
    a = answers(execution="paper")
    [s] = stamp.assess(a, [_doc(("cs_nature", "work"), ("cs_ip", "provider"))])
    assert (s.category, s.tax_yen) == ("1", 2_000) and "通則3ロ" in s.reason


def test_quasi_mandate_without_transfer_is_not_taxable():
    a = answers(execution="paper")
    [s] = stamp.assess(a, [_doc(("cs_nature", "quasi_mandate"), ("cs_ip", "consultant"))])
    assert not s.taxable and s.category is None


def test_electronic_execution_creates_no_taxable_document():
    a = answers(execution="electronic")
    [s] = stamp.assess(a, [_doc(("cs_nature", "work"), ("cs_ip", "provider"))])
    assert not s.taxable and "電子契約" in s.reason
    assert not stamp.findings([s], a)


def test_national_university_copy_is_the_taxed_one():
    data = example("joint_research")
    data["deal"]["execution"] = "paper"
    a = validate_answers(data)
    [s] = stamp.assess(a, [_doc(("jr_results_ownership", "company"))])
    assert s.tax_yen == 200 and "第4条第5項" in s.reason and "国立大学法人" in s.copies


def test_nda_and_data_licence_are_not_taxable():
    data = example("data_provision")
    data["deal"]["execution"] = "paper"
    a = validate_answers(data)
    for s in stamp.assess(a, assemble_set(a, default_library())):
        assert not s.taxable, s.title


def test_finding_names_the_document_and_the_yen():
    a = answers(execution="paper")
    [f] = [x for x in stamp.findings(stamp.assess(a, [_doc(("cs_nature", "work"))]), a) if x.rule == "stamp_duty"]
    assert "1,000円" in f.message and "業務委託契約書" in f.message and "収入印紙" in f.action


def test_outcome_mandate_on_paper_is_flagged_as_a_possible_contract_for_work():
    a = answers(execution="paper")  # the example: quasi_mandate paid on acceptance (outcome)
    rules = {f.rule for f in stamp.findings(stamp.assess(a, [_doc(("cs_nature", "quasi_mandate"))]), a)}
    assert "stamp_duty_outcome_mandate" in rules
    data = example("paid_consulting")
    data["deal"]["execution"] = "paper"
    data["deal"]["consulting"]["fee_basis"] = "performance"
    b = validate_answers(data)
    assert not stamp.findings(stamp.assess(b, [_doc(("cs_nature", "quasi_mandate"))]), b)


def test_learner_consent_on_paper_is_one_copy_handed_over():
    data = example("paid_consulting")
    data["deal"]["execution"] = "paper"
    data["deal"]["learners"]["selection"] = "selected"
    a = validate_answers(data)
    found = [s for s in stamp.assess(a, assemble_set(a, default_library())) if s.taxable and "同意" in s.title]
    assert found and found[0].tax_yen == 200 and found[0].copies == "提出される1通"
