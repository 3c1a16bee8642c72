"""contracts.vocabulary: one answer, for any answers path, to what the answers model says about it."""

from __future__ import annotations

import copy
import functools
import typing

import pytest
import yaml
from click.testing import CliRunner

from contracts import questions as Q
from contracts import vocabulary as V
from contracts.answers import Answers, AnswersError, load_answers, validate_answers
from contracts.batch import apply_override
from tests.conftest import FIXTURES, ROOT

MINIMAL = yaml.safe_load((FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8"))


def test_a_choice_field_with_its_values_labels_and_question():
    cap = V.entry("deal.liability_cap.kind")
    assert (cap.shape, cap.kind, cap.values, cap.required) == ("scalar", "choice", ("fee", "fixed", "none"), True)
    assert cap.value_label("fixed", "ja") == "定額" and cap.value_label("fixed", "en") == "a fixed amount"
    assert cap.label("ja") == "賠償上限の種類" and cap.label("en") == "liability cap kind"
    assert cap.question("ja") == "損害賠償額の上限をどうしますか？"
    assert cap.headline("en") == "Cap on damages"
    # a value the text does not explain keeps its own name
    assert V.entry("schema_version").value_label(1, "ja") == "1"


def test_a_meaning_with_a_note_is_shown_whole_and_read_back_without_it():
    stance = V.entry("stance")
    assert stance.meaning("balanced", "ja") == "中立。迷ったらこれ"
    assert stance.value_labels()["balanced"]["ja"] == ["中立。迷ったらこれ", "中立"]
    data = copy.deepcopy(MINIMAL) | {"stance": "中立"}  # the lenient reader takes the label without the note
    assert validate_answers(data).stance == "balanced"


def test_text_number_date_and_optional_fields():
    name = V.entry("parties.provider.name")
    assert (name.shape, name.kind, name.required, name.nullable) == ("scalar", "text", True, False)
    term = V.entry("deal.term_months")
    assert (term.kind, term.optional, term.nullable, term.default()) == ("months", True, False, 12)
    date = V.entry("deal.contract_date")
    assert (date.kind, date.optional, date.nullable, date.default()) == ("date", True, True, None)
    assert V.entry("deal.fee.amount_yen").kind == "yen"


def test_sections_lists_and_list_items():
    students = V.entry("deal.research.students")
    assert students.shape == "list" and students.model.__name__ == "Student" and students.optional
    assert V.entry("deal.research.students[3].name").path == "deal.research.students.name"
    assert V.entry("deal.research.students.3.name") == V.entry("deal.research.students[3].name")
    items = V.entry("data.items[2]")
    assert (items.path, items.shape, items.kind, items.min_entries) == ("data.items", "list", "text", 1)
    goals = V.entry("deal.goals")
    assert goals.shape == "list" and goals.values == ("money", "talent", "pr", "deliverables", "research")
    assert V.entry("deal.fee").shape == "model" and V.entry("deal.choices").shape == "mapping"
    for wrong in ("deal.fee.0.kind", "deal.choices.common_liability", "deal.nothing", "(file)", "deal..fee"):
        with pytest.raises(KeyError):
            V.entry(wrong)


def test_values_in_an_answers_object():
    answers = load_answers(ROOT / "examples" / "hackathon.yaml")
    assert V.value(answers, "parties.provider.name") == answers.parties.provider.name
    assert V.value(answers, "deal.hackathon.prizes[0].rank") == answers.deal.hackathon.prizes[0].rank
    assert V.value(answers, "deal.hackathon.prizes.99.rank") is None  # past the end of the list
    assert V.value(answers, "deal.research.theme") is None  # the section of another model
    assert answers.lookup("deal.liability_cap.kind") == answers.deal.liability_cap.kind
    with pytest.raises(KeyError):
        V.value(answers, "deal.no_such_field")


def test_every_path_is_walked_once_in_the_models_order_and_has_a_label():
    from contracts import messages

    paths = list(V.paths())
    assert paths[:4] == ["schema_version", "model", "stance", "parties"]
    assert len(paths) == len(set(paths)) and "deal.hackathon.prizes.amount_yen" in paths
    assert set(paths) == set(messages.labels("ja"))
    for path in paths:
        entry = V.entry(path)
        assert entry.label("ja") and entry.label("en") and entry.question("ja") and entry.question("en")


def test_conditions_read_fields_by_name_not_into_list_entries():
    assert V.exists("deal.fee.kind") and V.exists("deal.research.results_owner")
    assert not V.exists("deal.hackathon.prizes.rank") and not V.exists("deal.fee.nothing")


def test_one_tuple_per_value_set():
    assert typing.get_args(Answers.model_fields["model"].annotation) == V.MODEL_CHOICES
    assert tuple(V.SECTION_FOR_MODEL) == V.MODEL_IDS
    assert typing.get_args(Answers.model_fields["stance"].annotation) == V.STANCES
    assert V.entry("parties.recipient.kind").values == V.PARTY_KINDS
    from cli.main import main

    help_text = CliRunner().invoke(main, ["init", "--help"]).output
    assert all(m in help_text for m in V.MODEL_CHOICES)


def _drop(data: dict, path: str) -> None:
    *head, last = path.split(".")
    functools.reduce(dict.__getitem__, head, data).pop(last, None)


@pytest.mark.parametrize("prefix, req", V.requirements(), ids=lambda x: x if isinstance(x, str) else x.field)
def test_a_field_the_validator_requires_is_asked_exactly_when_it_is_required(prefix, req):
    when, field = f"{prefix}.{req.when}", f"{prefix}.{req.field}"
    values = V.entry(when).values
    applies = next(v for v in values if req.applies(v))
    not_applies = next(v for v in values if not req.applies(v))
    data = copy.deepcopy(MINIMAL)
    apply_override(data, when, applies)
    _drop(data, field)
    with pytest.raises(AnswersError) as refused:
        validate_answers(data)
    assert field in [p.path for p in refused.value.details]
    rule = Q.rules()[field]
    assert rule.needs == (when,) and rule.ask(Q.Values(data))
    apply_override(data, when, not_applies)
    assert not rule.ask(Q.Values(data))


def test_the_given_answers_of_a_file():
    answers = validate_answers(copy.deepcopy(MINIMAL))
    given = V.given_paths(answers.deal, "deal")
    assert "deal.fee.amount_yen" in given and "deal.course.name" in given
    assert "deal.term_months" not in given and "deal.fee" not in given  # a default, a section


def test_the_board_packet_names_a_value_as_the_questionnaire_does():
    from contracts.packet import _value_label

    assert _value_label("data.personal_info", "pseudonymized") == "仮名加工情報"  # without the note after 。
    assert V.entry("data.personal_info").meaning("pseudonymized", "ja") == "仮名加工情報。第三者提供は原則禁止"
