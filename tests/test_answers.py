"""The answers file: what a user who makes a mistake sees (field path, message, exit status 2, nothing on disk)."""

from __future__ import annotations

import pytest
import yaml

from contracts.answers import AnswersError, answers_from_bytes, load_answers
from tests.conftest import FIXTURES, keiyaku

MINIMAL = FIXTURES / "answers_minimal.yaml"


def raw() -> dict:
    return yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def problems_of(data: dict | str) -> list[tuple[str, str]]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(text.encode("utf-8"), "test.yaml")
    return info.value.problems


def test_minimal_answers_load():
    a = load_answers(MINIMAL)
    assert a.model == "data_provision"
    assert a.lookup("data.personal_info") == "statistical"
    assert a.deal.fee.amount_yen == 500000


def test_unknown_key_is_named():
    data = raw()
    data["deal"]["liabilty_cap"] = {"kind": "none"}
    found = dict(problems_of(data))
    assert "この項目は回答ファイルにありません" in found["deal.liabilty_cap"]  # unknown field
    assert "「liability_cap」の誤りではありませんか" in found["deal.liabilty_cap"]  # the closest known key


def test_missing_field_is_named():
    data = raw()
    del data["parties"]["recipient"]["address"]
    assert ("parties.recipient.address", "入力が必要です（必須の項目です）") in problems_of(data)  # required


def test_wrong_type_and_bad_choice_are_named():
    data = raw()
    data["deal"]["term_months"] = "十二"
    data["data"]["personal_info"] = "maybe"
    paths = [p for p, _ in problems_of(data)]
    assert "deal.term_months" in paths
    assert "data.personal_info" in paths


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\r", "\x1f", "\ufffe", "\uffff"])
def test_control_characters_are_rejected_with_their_path(char):
    data = raw()
    data["parties"]["provider"]["name"] = f"株式会社{char}テスト"
    data["data"]["items"][1] = f"店舗{char}"
    found = dict(problems_of(data))
    assert "parties.provider.name" in found and f"U+{ord(char):04X}" in found["parties.provider.name"]
    assert "data.items[1]" in found


def test_malformed_yaml_names_the_line():
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(b"model: data_provision\nparties: [unclosed\n", "test.yaml")
    assert info.value.problems[0][0] == "(file)" and info.value.details[0].line
    assert "YAML として読めません" in info.value.problems[0][1]  # malformed YAML
    assert str(info.value).endswith(f"（{info.value.details[0].line}行目）")


def test_duplicate_keys_and_aliases_are_rejected():
    assert "キー 'model' が重複しています" in problems_of("model: a\nmodel: b\n")[0][1]  # duplicate key
    assert "エイリアス" in problems_of("a: &x [1]\nb: *x\n")[0][1]  # aliases


def test_model_section_must_match_the_model():
    data = raw()
    del data["deal"]["course"]
    assert ("deal.course", "提供モデル data_provision（データ提供型）では、この項目が必要です") in problems_of(data)
    data = raw()
    data["deal"]["hackathon"] = {"event_name": "x"}
    assert any(p.startswith("deal.hackathon") for p, _ in problems_of(data))


def test_paid_fee_needs_amount_and_date():
    data = raw()
    data["deal"]["fee"] = {"kind": "fixed"}
    paths = [p for p, _ in problems_of(data)]
    assert "deal.fee.amount_yen" in paths


def test_json_answers_are_accepted(tmp_path):
    import json

    path = tmp_path / "a.json"
    path.write_text(json.dumps(raw(), default=str, ensure_ascii=False), encoding="utf-8")
    assert load_answers(path).model == "data_provision"


def test_not_utf8_is_a_clear_error():
    with pytest.raises(AnswersError) as info:
        answers_from_bytes("model: データ".encode("cp932"), "sjis.yaml")
    assert "UTF-8 のテキストではありません" in info.value.problems[0][1]  # not UTF-8


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["deal"].__setitem__("unknown", 1), "deal.unknown"),
        (lambda d: d["parties"]["provider"].__setitem__("name", "A\x07B"), "parties.provider.name"),
        (lambda d: d.__delitem__("data"), "data"),
    ],
)
def test_cli_rejects_bad_answers_with_exit_2_and_writes_nothing(tmp_path, mutate, field):
    data = raw()
    mutate(data)
    answers = tmp_path / "bad.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = keiyaku("generate", answers, "--out", out)
    assert result.exit_code == 2
    assert field in result.stderr
    assert not out.exists()


def test_cli_malformed_yaml_exit_2(tmp_path):
    answers = tmp_path / "bad.yaml"
    answers.write_text("model: [\n", encoding="utf-8")
    result = keiyaku("validate", answers)
    assert result.exit_code == 2
    assert "YAML として読めません" in result.stderr  # malformed YAML
