"""The assembler on a small fixture library: numbering, references, conditions and variants."""

from __future__ import annotations

import pytest
import yaml

from contracts.answers import AnswersError, validate_answers
from contracts.assembly import AssemblyError, assemble, assemble_set
from contracts.library import default_library, load_library
from tests.conftest import FIXTURES, ROOT


@pytest.fixture(scope="module")
def lib():
    return load_library(FIXTURES / "library")


def answers(**changes):
    data = yaml.safe_load((FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8"))
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return validate_answers(data)


def headings(doc):
    return [a.heading_line for a in doc.articles]


def test_articles_are_numbered_in_order(lib):
    doc = assemble(answers(), lib, "mini")
    assert headings(doc) == ["第1条（目的）", "第2条（個人情報）", "第3条（利用許諾）", "第4条（参照）", "第5条（存続条項）"]


def test_condition_drops_article_and_renumbers_references(lib):
    doc = assemble(answers(data__personal_info="none"), lib, "mini")
    assert headings(doc) == ["第1条（目的）", "第2条（利用許諾）", "第3条（参照）", "第4条（存続条項）"]
    refs = doc.articles[2].paragraphs[0].text
    assert refs == "第2条、第2条第2項及び第2条第2項を参照する。別紙のとおり。"
    assert doc.articles[3].paragraphs[0].text == "第2条の規定は、本契約の終了後も効力を有する。"


def test_paragraph_numbers_and_items(lib):
    doc = assemble(answers(stance="provider", data__personal_info="anonymized"), lib, "mini")
    scope = doc.articles[2]
    assert scope.variant_id == "narrow"
    assert [p.number for p in scope.paragraphs] == ["", "２"]
    assert [(i.label, i.text) for i in scope.paragraphs[1].items] == [("（1）", "第三者提供"), ("（2）", "再識別"), ("（3）", "複製")]
    assert [(s.label, s.text) for s in scope.paragraphs[1].items[1].subitems] == [("ア", "照合"), ("イ", "復元")]


def test_item_condition_renumbers_items(lib):
    doc = assemble(answers(stance="provider", data__personal_info="none"), lib, "mini")
    assert [(i.label, i.text) for i in doc.articles[1].paragraphs[1].items] == [("（1）", "第三者提供"), ("（2）", "複製")]


@pytest.mark.parametrize("stance, variant, text", [
    ("provider", "narrow", "狭い許諾とする（5年）。"),
    ("balanced", "wide", "広い許諾とする（2年）。"),
    ("recipient", "wide", "広い許諾とする（2年）。"),
])
def test_variant_follows_stance_and_uses_its_vars(lib, stance, variant, text):
    article = assemble(answers(stance=stance), lib, "mini").articles[2]
    assert (article.variant_id, article.paragraphs[0].text) == (variant, text)


def test_explicit_choice_overrides_stance(lib):
    article = assemble(answers(stance="recipient", deal__choices={"t_scope": "narrow"}), lib, "mini").articles[2]
    assert article.variant_id == "narrow"


def test_unknown_choice_is_an_answers_error(lib):
    with pytest.raises(AnswersError) as info:
        assemble_set(answers(deal__choices={"t_scope": "nonexistent"}), lib)
    assert info.value.problems[0][0] == "deal.choices.t_scope"
    with pytest.raises(AnswersError):
        assemble_set(answers(deal__choices={"no_such_clause": "x"}), lib)


def test_conditional_paragraph(lib):
    with_cap = assemble(answers(), lib, "mini").articles[3]
    assert (with_cap.paragraphs[1].number, with_cap.paragraphs[1].text) == ("２", "金額は金1,000,000円とする。")
    without = assemble(answers(deal__liability_cap={"kind": "none"}), lib, "mini").articles[3]
    assert len(without.paragraphs) == 1


def test_preamble_closing_and_signatures(lib):
    doc = assemble(answers(deal__execution="paper"), lib, "mini")
    assert doc.preamble.startswith("株式会社テスト商事（以下「甲」という。）と株式会社サンプル教育（以下「乙」という。）は、")
    assert doc.closing == "本契約の成立を証するため、本書2通を作成し、甲乙記名押印の上、各1通を保有する。"
    assert doc.date_line == "2027年4月1日"
    assert [s.short_name for s in doc.signatures] == ["甲", "乙"]
    assert doc.signatures[0].lines == ("東京都千代田区丸の内一丁目1番1号", "株式会社テスト商事", "代表取締役　山田太郎")
    assert doc.signatures[0].seal == "印"


def test_role_names_and_electronic_execution(lib):
    doc = assemble(answers(parties__naming="roles", deal__contract_date=None), lib, "mini")
    assert "（以下「提供者」という。）" in doc.preamble
    assert "提供者及び受領者" in doc.closing and "電子署名" in doc.closing
    assert doc.signatures[0].seal == ""
    assert doc.date_line == "　　　　年　　月　　日"


def test_schedule_rows_follow_conditions(lib):
    doc = assemble(answers(), lib, "mini")
    assert [(r.label, r.value) for r in doc.schedules[0].rows] == [("名称", "販売実績データ"), ("加工", "会員IDの削除、店舗コードの置換")]
    doc = assemble(answers(data__processing=[]), lib, "mini")
    assert [r.label for r in doc.schedules[0].rows] == ["名称"]


def test_user_text_is_never_evaluated(lib):
    doc = assemble(answers(deal__purpose="{{ 7*7 }}{% if true %}x{% endif %}"), lib, "mini")
    assert doc.articles[0].paragraphs[0].text == "本契約は、{{ 7*7 }}{% if true %}x{% endif %}を目的とする。"


def test_dangling_reference_fails_assembly(tmp_path, lib):
    text = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(text.replace("[t_purpose, t_personal, t_scope, t_refs, t_survival]", "[t_purpose, t_refs]"), encoding="utf-8")
    broken = load_library(tmp_path)
    with pytest.raises(AssemblyError, match="ref\\('t_scope'\\) does not resolve"):
        assemble(answers(), broken, "mini")


def test_annotation_is_rendered_with_alternatives(lib):
    article = assemble(answers(stance="provider"), lib, "mini").articles[2]
    assert article.annotation.favours == "provider"
    assert article.annotation.alternatives == ("wide（中立）: 目的を定める。",)


# --------------------------------------------------------------------------- places named in errors


def test_errors_name_the_document_clause_and_variant(tmp_path):
    text = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(text.replace("{{ ref('t_scope') }}", "{{ para('nowhere') }}"), encoding="utf-8")
    with pytest.raises(AssemblyError, match=r"^mini: clause t_refs \(only\): para\('nowhere'\): no paragraph 'nowhere'"):
        assemble(answers(), load_library(tmp_path), "mini")


def test_para_outside_an_article_fails_with_the_place_named(tmp_path):
    text = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(text.replace("次のとおり契約を締結する。", "{{ para(1) }}を定める。"), encoding="utf-8")
    with pytest.raises(AssemblyError, match=r"^mini: preamble: para\(1\) cites the article being drafted"):
        assemble(answers(), load_library(tmp_path), "mini")


# --------------------------------------------------------------------------- wording read from the library


def test_notice_and_seal_note_are_the_library_wording(lib):
    paper = assemble(answers(deal__execution="paper"), lib, "mini")
    assert paper.notice == "【試験用草案】専門家の確認を受けること。"
    assert paper.seal_note == "（注）甲及び乙の印で契印する。"
    assert assemble(answers(deal__execution="electronic"), lib, "mini").seal_note == ""


def test_a_library_without_boilerplate_fails_assembly(tmp_path):
    text = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")
    start, end = text.index("boilerplate:"), text.index("labels:")
    (tmp_path / "mini.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(AssemblyError, match="mini: the library has no boilerplate section"):
        assemble(answers(), load_library(tmp_path), "mini")


def shipped(model: str, **deal):
    data = yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))
    data["deal"].update(deal)
    return assemble_set(validate_answers(data), default_library())


def test_pledges_sign_with_the_students_particulars_or_blank_lines():
    named = [d for d in shipped("joint_research") if d.kind == "student_pledge"]
    assert [d.signatures[0].lines for d in named] == [
        ("所属　大学院工学研究科 機械工学専攻 博士前期課程2年", "氏名　川口 悠斗"),
        ("所属　工学部 機械工学科 4年", "氏名　中西 美咲"),
    ]
    blank = next(d for d in shipped("data_provision") if d.signatures and d.signatures[0].short_name == "誓約者")
    assert [line.rstrip("　") for line in blank.signatures[0].lines] == ["住所", "所属", "氏名"]
    assert all(len(line) == 22 for line in blank.signatures[0].lines)  # room to write by hand


def test_terms_come_into_force_on_the_contract_date_or_when_entries_open():
    def terms(docs):
        return next(d for d in docs if d.supplementary)

    assert terms(shipped("hackathon")).supplementary == ("附則", "本規約は、2027年1月8日から施行する。")
    undated = terms(shipped("hackathon", contract_date=None))
    assert undated.supplementary == ("附則", "本規約は、参加登録の受付を開始した日から施行する。")
