"""The questions the browser asks (contracts/questions.py): the answers model's words, the interview's relevance
rules, form text read back into answers, and the problems in Japanese."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts import questions as Q
from tests.conftest import EXAMPLES

KEEP = ("deal.goals", "deal.constraints")


def example(name: str) -> dict:
    from contracts.answers import parse_text

    path = next(p for p in EXAMPLES if p.stem == name)
    return parse_text(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_read_back_from_form_text_is_the_same_answers(path):
    from contracts.answers import load_answers

    built = Q.build(Q.flatten(example(path.stem)), KEEP)
    assert built.problems == []
    assert built.answers == load_answers(path)


def test_the_interview_and_the_forms_share_one_set_of_rules_and_texts():
    import cli.interview as interview
    from contracts import vocabulary

    assert interview._rules is Q.rules
    assert interview._suggested_default is Q.suggested_default
    assert interview._vocab is vocabulary  # the texts: vocabulary.entry(path).question / .headline, as Q.form


def test_questions_come_from_the_answers_model():
    from contracts.answers import Answers, Party

    data = example("hackathon")
    parties = next(s for s in Q.sections("hackathon") if s.key == "parties")
    form = Q.form(parties, data)
    provider = next(q for q in form if q.path == "parties.provider")
    name = next(q for q in provider.children if q.path == "parties.provider.name")
    field = Party.model_fields["name"]
    assert name.label == field.json_schema_extra["question"]["ja"]
    assert name.help == field.description
    kind = next(q for q in provider.children if q.path == "parties.provider.kind")
    assert ("national_university", "国立大学法人") in kind.options
    assert [s.title for s in Q.sections("hackathon")] == ["当事者", "提供データ", "取引の条件", "ハッカソン型の取組の内容"]
    basics = Q.form(Q.BASICS, data)
    assert [q.path for q in basics] == ["model", "stance"]
    assert basics[0].label == Answers.model_fields["model"].json_schema_extra["question"]["ja"]


def leaves(section_key: str, data: dict) -> set[str]:
    model = data.get("model")
    section = next(s for s in Q.sections(model) if s.key == section_key)
    return {q.path for top in Q.form(section, data) for q in top.leaves()}


def test_only_what_the_deal_needs_is_asked():
    data = example("data_provision")
    deal = leaves("deal", data)
    assert "deal.fee.amount_yen" in deal and "deal.fee.percent" not in deal
    assert "deal.learners.selection" not in deal  # consulting only
    assert not any(p.startswith("deal.course") for p in deal)  # the model's own section is its own tab
    data["deal"]["fee"] = {"kind": "free"}
    deal = leaves("deal", data)
    assert "deal.fee.amount_yen" not in deal and "deal.fee.due" not in deal
    data["parties"]["provider"]["kind"] = "individual"
    parties = leaves("parties", data)
    assert "parties.provider.acts_as_business" in parties
    assert not any(p.startswith("parties.provider.representative") for p in parties)


def test_a_hidden_answer_is_left_out_but_kept_in_the_form_text():
    raw = Q.flatten(example("data_provision"))
    raw["deal.fee.kind"] = "free"
    built = Q.build(raw, KEEP)
    assert built.answers is not None and built.answers.deal.fee.amount_yen is None
    assert raw["deal.fee.amount_yen"] == "5000"  # comes back when the deal is paid again
    raw["model"] = "hackathon"  # the course section goes with the model; the hackathon's questions are asked
    built = Q.build(raw, KEEP)
    assert "deal.course" not in {p for p, _ in built.problems}
    assert "deal" in built.data and "course" not in built.data["deal"]
    assert "deal.hackathon.event_name" in dict(built.problems)  # each required field, not "the section"
    assert "deal.hackathon" not in dict(built.problems)
    assert "deal.hackathon.event_name" in built.missing


def test_expert_settings_from_a_file_are_kept_but_never_set_by_a_form():
    raw = Q.flatten(example("data_provision"))
    raw["deal.choices.common_liability"] = "provider"
    raw["deal.version.number"] = "2"
    built = Q.build(raw, KEEP)
    assert built.answers.deal.version.number == 2
    assert built.answers.deal.choices == {"common_liability": "provider"}
    for path in ("deal.choices.common_liability", "deal.version.number", "schema_version", "deal", "parties.provider",
                 "deal.hackathon.prizes", "deal.hackathon.prizes[100].rank", "data.items[0]", "nope", "data.title.x",
                 "deal.hackathon.prizes.0.rank"):
        assert not Q.askable(path), path
    for path in ("data.title", "deal.hackathon.prizes[3].rank", "deal.goals", "model"):
        assert Q.askable(path), path


def test_form_text_is_read_as_people_write_it():
    assert Q.parse("deal.term_months", "２４") == 24
    assert Q.parse("deal.fee.amount_yen", "1,000,000円") == 1_000_000
    assert Q.parse("deal.contract_date", "2027年4月1日") == dt.date(2027, 4, 1)
    assert Q.parse("data.items", "販売日\n\n 時間帯 \n") == ["販売日", "時間帯"]
    assert Q.parse("deal.goals", ["money", "", "pr"]) == ["money", "pr"]
    assert Q.parse("data.sample", "  ") is None
    assert Q.parse("deal.term_months", "24か月") == 24  # the field's counter word
    with pytest.raises(ValueError, match="「二年」は月数として読めません。例: 24"):
        Q.parse("deal.term_months", "二年")
    with pytest.raises(ValueError, match="存在しない日付"):
        Q.parse("deal.contract_date", "2027-02-30")
    with pytest.raises(ValueError, match="選択肢にありません.*balanced"):
        Q.parse("stance", "neutral")


def test_entries_are_renumbered_and_blank_rows_dropped():
    raw = {"deal.hackathon.prizes[0].rank": "", "deal.hackathon.prizes[0].amount_yen": "",
           "deal.hackathon.prizes[1].rank": "最優秀賞", "deal.hackathon.prizes[1].amount_yen": "300000",
           "deal.hackathon.prizes[4].rank": "優秀賞", "deal.hackathon.prizes[4].amount_yen": "100000"}
    out = Q.compact(raw)
    assert out == {"deal.hackathon.prizes[0].rank": "最優秀賞", "deal.hackathon.prizes[0].amount_yen": "300000",
                   "deal.hackathon.prizes[1].rank": "優秀賞", "deal.hackathon.prizes[1].amount_yen": "100000"}
    assert Q.row_count(out, "deal.hackathon.prizes") == 2


def test_problems_read_in_japanese():
    """The core words its problems in Japanese (the catalogue, contracts/messages.yaml); a form shows them as given,
    and a message written 「日本語 (English)」 by its Japanese half."""
    assert Q.message_ja("制御文字 U+0001 は使用できません (control character U+0001 is not allowed)") == \
        "制御文字 U+0001 は使用できません"
    assert Q.message_ja("入力が必要です") == "入力が必要です"
    raw = Q.flatten(example("data_provision"))
    raw["deal.fee.amount_yen"] = ""
    raw["deal.liability_cap.kind"] = "fixed"
    built = Q.build(raw, KEEP)
    problems = dict(built.problems)
    assert set(problems) == {"deal.fee.amount_yen", "deal.liability_cap.amount_yen"}
    assert "金額" in problems["deal.fee.amount_yen"] and "上限額" in problems["deal.liability_cap.amount_yen"]


def test_every_message_of_the_answers_model_reads_in_japanese():
    import re

    from contracts.answers import AnswersError, validate_answers

    base = example("data_provision")
    cases = [
        {"deal": {**base["deal"], "fee": {"kind": "revenue_share", "due": "x"}}},
        {"deal": {**base["deal"], "fee": {"kind": "fixed"}}},
        {"deal": {**base["deal"], "fee": {"kind": "fixed", "amount_yen": 1}}},
        {"deal": {**base["deal"], "liability_cap": {"kind": "fixed"}}},
        {"model": "hackathon"},
        {"model": "joint_research", "deal": {**{k: v for k, v in base["deal"].items() if k != "course"}, "research": {}}},
        {"parties": {**base["parties"], "provider": {**base["parties"]["provider"], "representative": None}}},
        {"data": {**base["data"], "items": []}},
        {"deal": {**base["deal"], "term_months": 0}},
    ]
    for change in cases:
        try:
            validate_answers({**base, **change})
        except AnswersError as exc:
            for path, message in exc.problems:
                assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", Q.message_ja(message)), (path, message)
        else:
            raise AssertionError(f"expected a problem for {change}")


def test_the_recommendation_needs_only_the_goals_and_constraints():
    assert Q.recommendation({}) is None
    ranking, verdict = Q.recommendation({"deal": {"goals": ["research", "talent"]}})
    assert verdict.status == "lead" and verdict.models == ("joint_research",)
    assert len(ranking) == 4 and all(r.reasons for r in ranking)
    ranking, verdict = Q.recommendation({"deal": {"goals": ["money"], "constraints": {"max_recipients": 3}},
                                          "data": {"know_how": True}})
    assert all(not r.eligible for r in ranking if r.model == "data_provision")
