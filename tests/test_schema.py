"""The JSON Schema of the answers file: up to date, bilingual, accepts every example, rejects broken ones."""

from __future__ import annotations

import copy
import json
import typing

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from contracts.answers import Answers
from contracts.schema import schema_text
from contracts.vocabulary import is_model, unwrap
from tests.conftest import ROOT

SCHEMA_PATH = ROOT / "answers.schema.json"
MODELS = ("hackathon", "paid_consulting", "joint_research", "data_provision")
MODELINE = "# yaml-language-server: $schema=../answers.schema.json"


def plain(path):
    """YAML as a JSON document: dates stay strings (editors read YAML 1.2, where a date is a string)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_up_to_date():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "answers.schema.json is stale: run `keiyaku schema -o answers.schema.json --force`"
    )


def test_schema_command_prints_it():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0 and result.stdout == schema_text()
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"] and "keiyaku" in schema["title"]


def _fields(cls=Answers, prefix=""):
    for name, field in cls.model_fields.items():
        yield f"{prefix}{name}", field
        kind = unwrap(field.annotation)
        if typing.get_origin(kind) is list:
            kind = unwrap(typing.get_args(kind)[0])
        if is_model(kind):
            yield from _fields(kind, f"{prefix}{name}.")


@pytest.mark.parametrize("path, field", list(_fields()), ids=[p for p, _ in _fields()])
def test_every_field_has_questions_and_both_descriptions(path, field):
    extra = field.json_schema_extra
    assert field.description and isinstance(extra, dict), path
    assert extra["question"]["ja"] and extra["question"]["en"] and extra["description_en"], path


def test_descriptions_are_in_japanese_and_english():
    schema = json.loads(schema_text())
    name = schema["$defs"]["Party"]["properties"]["name"]
    assert name["description"] == f"{name['x-description-ja']} / {name['x-description-en']}"
    assert "正式名称" in name["x-description-ja"] and "legal name" in name["x-description-en"]
    assert name["x-question"] == {"ja": "正式名称は？", "en": "What is the full legal name?"}
    assert "description_en" not in json.dumps(schema) and '"question"' not in json.dumps(schema)


@pytest.mark.parametrize("model", MODELS)
def test_every_example_validates(validator, model):
    example = ROOT / "examples" / f"{model}.yaml"
    assert example.is_file(), f"examples/{model}.yaml is missing"
    assert example.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(plain(example))]
    assert errors == []


def _broken(mutate):
    data = plain(ROOT / "examples" / "data_provision.yaml")
    mutate(data)
    return data


@pytest.mark.parametrize("what, mutate", [
    ("missing name", lambda d: d["parties"]["provider"].pop("name")),
    ("unknown key", lambda d: d["data"].update(colour="red")),
    ("bad choice", lambda d: d["data"].update(personal_info="some")),
    ("wrong type", lambda d: d["deal"].update(term_months="twelve")),
    ("out of range", lambda d: d["deal"].update(term_months=0)),
    ("empty items", lambda d: d["data"].update(items=[])),
    ("model without its section", lambda d: d.update(model="hackathon")),
    ("another model's section too", lambda d: d["deal"].update(
        research=plain(ROOT / "examples" / "joint_research.yaml")["deal"]["research"])),
])
def test_schema_rejects_broken_answers(validator, what, mutate):
    assert not validator.is_valid(_broken(mutate)), what


def test_unchanged_example_is_the_control(validator):
    assert validator.is_valid(_broken(lambda d: None))


def test_joint_research_needs_a_university(validator):
    data = plain(ROOT / "examples" / "joint_research.yaml")
    assert validator.is_valid(data)
    company = copy.deepcopy(data)
    company["parties"]["recipient"]["kind"] = "corporation"
    assert not validator.is_valid(company)
