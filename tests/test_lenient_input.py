"""Issue 13, item 1: one parser of what people type, shared by the answers file, `keiyaku init` and `keiyaku batch`.

Every documented form (``forms`` in contracts/messages.yaml) is read the same way through all three entry paths;
everything else is refused with the field, the value and an example of what is accepted — never guessed
(never 1 as true or 0 as a date).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import typing

import pytest
import yaml
from click.testing import CliRunner

from cli.interview import Interview
from cli.main import main
from contracts.answers import AnswersError, answers_from_bytes, validate_answers
from contracts.batch import field_at, read_table, row_data, unwrap
from contracts.parse import Unreadable, read_as
from tests.conftest import FIXTURES, ROOT

MINIMAL = (FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8")
BASE = yaml.safe_load(MINIMAL)
D = dt.date

# (field, what a person types, the value it means)
ACCEPTED = [
    ("deal.term_months", "24", 24), ("deal.term_months", "２４", 24), ("deal.term_months", "24か月", 24),
    ("deal.term_months", "２４ヶ月", 24), ("deal.term_months", "24カ月", 24), ("deal.term_months", "24 か月", 24),
    ("deal.fee.amount_yen", "500000", 500000), ("deal.fee.amount_yen", "500,000", 500000),
    ("deal.fee.amount_yen", "５００，０００", 500000), ("deal.fee.amount_yen", "500,000円", 500000),
    ("deal.fee.amount_yen", "50万円", 500000), ("deal.fee.amount_yen", "50万", 500000), ("deal.fee.amount_yen", "５０万円", 500000),
    ("deal.fee.amount_yen", "500千円", 500000), ("deal.fee.amount_yen", "1億2,000万円", 120000000),
    ("deal.fee.amount_yen", "1.5万円", 15000), ("deal.fee.amount_yen", "1万5千円", 15000),
    ("deal.deletion.within_days", "30日", 30), ("deal.deletion.within_days", "３０", 30),
    ("deal.confidentiality_years", "5年", 5), ("deal.learners.count", "120名", 120), ("deal.learners.count", "120人", 120),
    ("deal.learners.count", "1,200", 1200), ("deal.course.cohorts", "4回", 4), ("deal.course.cohorts", "４期", 4),
    ("deal.contract_date", "2027-04-01", D(2027, 4, 1)), ("deal.contract_date", "2027-4-1", D(2027, 4, 1)),
    ("deal.contract_date", "2027/4/1", D(2027, 4, 1)), ("deal.contract_date", "2027.4.1", D(2027, 4, 1)),
    ("deal.contract_date", "2027年4月1日", D(2027, 4, 1)), ("deal.contract_date", "２０２７年４月１日", D(2027, 4, 1)),
    ("deal.contract_date", "２０２７／４／１", D(2027, 4, 1)), ("deal.contract_date", "令和9年4月1日", D(2027, 4, 1)),
    ("deal.contract_date", "令和９年４月１日", D(2027, 4, 1)), ("deal.contract_date", "令和元年5月1日", D(2019, 5, 1)),
    ("deal.contract_date", "平成31年4月30日", D(2019, 4, 30)),
    ("data.know_how", "はい", True), ("data.know_how", "いいえ", False), ("data.know_how", "true", True),
    ("data.know_how", "FALSE", False), ("data.know_how", "yes", True), ("data.know_how", "no", False),
    ("data.know_how", "y", True), ("data.know_how", "N", False), ("data.know_how", "○", True), ("data.know_how", "×", False),
    ("data.know_how", "あり", True), ("data.know_how", "なし", False), ("data.know_how", "Ｙｅｓ", True),
    ("parties.recipient.kind", "national_university", "national_university"),
    ("parties.recipient.kind", "国立大学法人", "national_university"), ("parties.recipient.kind", "会社", "corporation"),
    ("parties.recipient.kind", "その他", "other"), ("parties.recipient.kind", "ｃｏｒｐｏｒａｔｉｏｎ", "corporation"),
    ("data.personal_info", "匿名加工情報", "anonymized"), ("data.personal_info", "統計情報のみ", "statistical"),
    ("stance", "中立", "balanced"), ("stance", "提供者寄り", "provider"), ("model", "データ提供型", "data_provision"),
    ("deal.date_style", "和暦", "wareki"), ("deal.execution", "書面に記名押印", "paper"),
    ("deal.deletion.method", "返還", "return"), ("deal.course.materials_publication", "認めない", "none"),
]
# (field, what a person types, what the refusal says)
REFUSED = [
    ("data.know_how", "1", "「1」は「はい」か「いいえ」として読めません。例: はい・いいえ"),
    ("data.know_how", "0", "「0」は「はい」か「いいえ」として読めません"),
    ("data.know_how", "on", "「on」は「はい」か「いいえ」として読めません"),
    ("data.know_how", "maybe", "「maybe」は「はい」か「いいえ」として読めません"),
    ("deal.term_months", "24.0", "「24.0」は月数として読めません。例: 24（２４、24か月"),
    ("deal.term_months", "二十四", "「二十四」は月数として読めません"),
    ("deal.term_months", "1:30", "「1:30」は月数として読めません"),
    ("deal.term_months", "0x18", "「0x18」は月数として読めません"),
    ("deal.term_months", "24週", "「24週」は月数として読めません"),
    ("deal.term_months", "24円", "「24円」は月数として読めません"),
    ("deal.fee.amount_yen", "500,00", "「500,00」は金額（円）として読めません。例: 500000（500,000、５０万円"),
    ("deal.fee.amount_yen", "十万円", "「十万円」は金額（円）として読めません"),
    ("deal.fee.amount_yen", "5e5", "「5e5」は金額（円）として読めません"),
    ("deal.fee.amount_yen", "1.00005万円", "「1.00005万円」は1円単位の整数になりません"),
    ("deal.fee.amount_yen", "٣٠٠", "「٣٠٠」は金額（円）として読めません"),
    ("deal.contract_date", "2027-02-30", "「2027-02-30」は存在しない日付です。例: 2027-04-01"),
    ("deal.contract_date", "令和1年4月1日", "「令和1年4月1日」は存在しない日付です"),  # still 平成 on that day
    ("deal.contract_date", "2027年4月", "「2027年4月」は日付として読めません"),
    ("deal.contract_date", "27/4/1", "「27/4/1」は日付として読めません"),
    ("deal.contract_date", "R9.4.1", "「R9.4.1」は日付として読めません"),
    ("parties.recipient.kind", "学校", "「学校」は選択肢にありません。次のいずれかを指定してください: corporation（会社）、national_university（国立大学法人）"),
    ("data.personal_info", "maybe", "「maybe」は選択肢にありません"),
    ("deal.fee.percent", "nan", "「nan」は割合（%）として読めません"),
]


def _set(data: dict, path: str, value) -> dict:
    data = copy.deepcopy(data)
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return data


def _lookup(answers, path: str):
    return answers.lookup(path)


# --------------------------------------------------------------------------- the parser itself


def test_every_kind_of_reader_is_documented_in_the_catalogue():
    from contracts import messages
    from contracts.parse import KINDS

    for kind in KINDS:
        assert messages.form(kind, "ja") and messages.form(kind, "en") and messages.what(kind, "ja")


@pytest.mark.parametrize("path, typed, words", REFUSED)
def test_the_parser_refuses_with_the_value_and_an_example(path, typed, words):
    from contracts.vocabulary import field_kind, value_labels

    cls, name = field_at(path)
    kind, _ = field_kind(cls, name)
    options = typing.get_args(unwrap(cls.model_fields[name].annotation))
    with pytest.raises(Unreadable) as info:
        read_as(typed, kind, options, value_labels(cls, name))
    assert words in info.value.message("ja")


# --------------------------------------------------------------------------- 1. the answers file


@pytest.mark.parametrize("path, typed, value", ACCEPTED)
def test_the_answers_file_reads_every_documented_form(path, typed, value):
    text = yaml.safe_dump(_set(BASE, path, typed), allow_unicode=True)  # the typed text as a YAML string
    assert _lookup(answers_from_bytes(text.encode("utf-8"), "a.yaml"), path) == value


@pytest.mark.parametrize("path, typed, words", REFUSED)
def test_the_answers_file_refuses_the_rest_naming_field_and_line(path, typed, words):
    text = yaml.safe_dump(_set(BASE, path, typed), allow_unicode=True)
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(text.encode("utf-8"), "a.yaml")
    found = dict(info.value.problems)
    assert words in found[path]
    assert f"（{path}）: " in str(info.value) and "行目）" in str(info.value)


def test_plain_yaml_scalars_and_lists_of_labels():
    text = (MINIMAL.replace("contract_date: 2027-04-01", "contract_date: 令和9年4月1日")
            .replace("amount_yen: 500000", "amount_yen: 50万円")
            .replace("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: ２４か月\n  goals: [対価, 広報]\n"
                     "  learners: {count: 120名, minors: はい, abroad: no}"))
    answers = answers_from_bytes(text.encode("utf-8"), "a.yaml")
    assert answers.deal.contract_date == D(2027, 4, 1) and answers.deal.fee.amount_yen == 500000
    assert answers.deal.term_months == 24 and answers.deal.goals == ["money", "pr"]
    assert (answers.deal.learners.count, answers.deal.learners.minors, answers.deal.learners.abroad) == (120, True, False)


def test_json_answers_read_the_same_forms():
    import json

    data = json.loads(json.dumps(BASE, default=str))
    data["deal"]["term_months"] = "２４"
    data["data"]["know_how"] = "はい"
    answers = answers_from_bytes(json.dumps(data, ensure_ascii=False).encode(), "a.json")
    assert answers.deal.term_months == 24 and answers.data.know_how is True
    data["data"]["know_how"] = 1  # a number is never a yes
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(json.dumps(data, ensure_ascii=False).encode(), "a.json")
    assert dict(info.value.problems)["data.know_how"].startswith("1は「はい」か「いいえ」として読めません")


# --------------------------------------------------------------------------- 2. keiyaku batch


def _batch_row(header: str, cell: str):
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([[header], [cell]])
    table = read_table(buf.getvalue())
    data, problems = row_data(BASE, table.rows[0])
    if problems:
        return None, problems
    try:
        return validate_answers(data, "row 1"), []
    except AnswersError as exc:
        return None, exc.details


@pytest.mark.parametrize("path, typed, value", ACCEPTED)
def test_batch_cells_read_every_documented_form_under_a_path_or_a_label_header(path, typed, value):
    from contracts.messages import field_label

    for header in (path, field_label(path)):
        answers, problems = _batch_row(header, typed)
        assert not problems, [p.message() for p in problems]
        assert _lookup(answers, path) == value


@pytest.mark.parametrize("path, typed, words", REFUSED)
def test_batch_cells_refuse_the_rest_naming_the_field(path, typed, words):
    _, problems = _batch_row(path, typed)
    assert [p.path for p in problems] == [path] and words in problems[0].message()


def test_batch_lists_of_labels():
    answers, problems = _batch_row("提供者の目的", "対価;広報、人材との接点")
    assert not problems and answers.deal.goals == ["money", "pr", "talent"]


# --------------------------------------------------------------------------- 3. keiyaku init


def _typed_in_interview(path: str, typed: str):
    from contracts.vocabulary import entry

    field = entry(path)
    return Interview("ja", {}).parse_one(field, field.annotation, field.values or None, typed, whole=True, path=path)


@pytest.mark.parametrize("path, typed, value", ACCEPTED)
def test_the_interview_reads_every_documented_form(path, typed, value):
    assert _typed_in_interview(path, typed) == value


@pytest.mark.parametrize("path, typed, words", REFUSED)
def test_the_interview_refuses_the_rest_and_asks_again(path, typed, words):
    import click

    with pytest.raises(click.BadParameter) as info:
        _typed_in_interview(path, typed)
    message = info.value.format_message()
    if path in ("parties.recipient.kind", "data.personal_info"):  # a choice: by number, value or label
        assert "は選択肢にありません。番号（1〜" in message and "（会社）" in message or "（含まない）" in message
    else:
        assert words in message


def test_an_interview_typed_in_japanese_forms_writes_the_same_file(tmp_path):
    from tests.test_interview import SCRIPTS

    script = list(SCRIPTS["data_provision"])
    replace = {"parties.recipient.kind": "国立大学法人", "deal.contract_date": "令和9年4月1日", "deal.term_months": "２４か月",
               "deal.fee.amount_yen": "50万円", "deal.learners.minors": "はい", "deal.course.cohorts": "４回",
               "data.delivery.method": "暗号化した電子ファイルの送信", "stance": "中立"}
    script = [(p, replace.get(p, a)) for p, a in script]
    stdin = "".join(f"{a}\n" for _, a in script) + "\n"
    target = tmp_path / "a.yaml"
    result = CliRunner().invoke(main, ["init", "--model", "data_provision", "--out", str(target)], input=stdin,
                                env={"LC_ALL": None, "LC_MESSAGES": None, "LANG": None})
    assert result.exit_code == 0, result.output
    answers = answers_from_bytes(target.read_bytes(), str(target))
    assert answers.parties.recipient.kind == "national_university" and answers.deal.contract_date == D(2027, 4, 1)
    assert (answers.deal.term_months, answers.deal.fee.amount_yen, answers.deal.course.cohorts) == (24, 500000, 4)
    assert answers.deal.learners.minors is True and answers.data.delivery.method == "download"
    assert answers.stance == "balanced"
    text = target.read_text(encoding="utf-8")
    assert "term_months: 24\n" in text and "amount_yen: 500000" in text and "contract_date: 2027-04-01" in text


def test_an_interview_from_a_file_with_japanese_forms_keeps_them(tmp_path):
    """`keiyaku init --from` reads a partial file's values with the same parser (はい, ２４) instead of asking again."""
    full = yaml.safe_load((ROOT / "examples" / "data_provision.yaml").read_text(encoding="utf-8"))
    full["deal"]["term_months"] = "２４か月"
    full["data"]["know_how"] = "はい"
    source = tmp_path / "partial.yaml"
    source.write_text(yaml.safe_dump(full, allow_unicode=True, default_style=None), encoding="utf-8")
    target = tmp_path / "done.yaml"
    result = CliRunner().invoke(main, ["init", "--from", str(source), "--out", str(target)], input="\n" * 20)
    assert result.exit_code == 0, result.output
    assert "deal.term_months" not in "".join(line for line in result.output.splitlines() if line.startswith("【"))
    answers = answers_from_bytes(target.read_bytes(), str(target))
    assert answers.deal.term_months == 24 and answers.data.know_how is True
