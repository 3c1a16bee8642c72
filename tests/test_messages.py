"""Issue 13, item 2: one message catalogue; what a user reads about a mistake in their answers.

Every message is in Japanese by default (English with ``keiyaku --lang en`` or an English locale), names the field by
its label and dotted path, the file and the line, says what would be accepted, and suggests the closest known key for
an unknown one. Pydantic's own English never reaches a user.
"""

from __future__ import annotations

import pickle
import re
import string
import tomllib

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from contracts import messages
from contracts.answers import AnswersError, answers_from_bytes
from contracts.messages import using
from contracts.vocabulary import paths as field_paths
from tests.conftest import FIXTURES, ROOT

MINIMAL = (FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PYDANTIC = ("Input should", "Value error", "validation error", "Field required", "Extra inputs", "type=", "pydantic")
NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}  # tests never depend on the machine's locale


def refused(text: str, source: str = "a.yaml") -> AnswersError:
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(text.encode("utf-8"), source)
    return info.value


def with_line(old: str, new: str) -> str:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new)


# --------------------------------------------------------------------------- the catalogue


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_both_languages_with_the_same_placeholders():
    catalogue = messages.catalogue()
    for section in ("messages", "forms", "what", "unit", "fields"):
        for key, entry in catalogue[section].items():
            assert set(entry) == {"ja", "en"}, (section, key)
            assert _placeholders(str(entry["ja"])) == _placeholders(str(entry["en"])), (section, key)
    for key, entry in catalogue["messages"].items():  # the Japanese is Japanese (a few are only punctuation)
        words = re.sub(r"\{[^}]*\}|error|--[a-z-]+", "", entry["ja"])  # placeholders, the prefix, option names
        assert JAPANESE.search(entry["ja"]) or not re.search(r"[A-Za-z]{4,}", words), key


def test_every_field_has_one_label_and_every_label_one_field():
    labels = messages.catalogue()["fields"]
    assert set(labels) == set(field_paths())  # none missing, none for a field that does not exist
    for lang in ("ja", "en"):
        names = [entry[lang] for entry in labels.values()]
        assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1]
        for path in labels:
            assert messages.path_for_label(messages.field_label(path, lang)) == path
    for entry in labels.values():
        entry["ja"].encode("cp932")  # labels are CSV headers, and Excel in Japan saves Shift_JIS


def test_labels_of_entries_and_keys():
    assert messages.field_label("deal.hackathon.prizes[1].rank") == "賞の名称（2件目）"
    assert messages.field_label("deal.hackathon.prizes[1].rank", "en") == "prize name (entry 2)"
    assert messages.path_for_label("賞の名称（2件目）") == "deal.hackathon.prizes.1.rank"
    assert messages.field_label("deal.choices.common_liability") == "条項のバリエーションの指定「common_liability」"
    assert messages.field_label("(file)") is None and messages.path_for_label("存在しない項目") is None


def test_the_catalogue_is_packaged():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "messages.yaml" in project["tool"]["setuptools"]["package-data"]["contracts"]
    assert messages.CATALOGUE == ROOT / "contracts" / "messages.yaml"


def test_the_language_comes_from_the_locale_in_posix_order():
    assert messages.from_environment({}) == "ja"
    assert messages.from_environment({"LANG": "C.UTF-8"}) == "ja"
    assert messages.from_environment({"LANG": "en_US.UTF-8"}) == "en"
    assert messages.from_environment({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}) == "ja"
    assert messages.from_environment({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_GB"}) == "en"


# --------------------------------------------------------------------------- what a user reads


def test_a_refused_value_names_label_path_value_example_file_and_line():
    error = refused(with_line("contract_date: 2027-04-01", "contract_date: 2027年4月"), "answers.yaml")
    shown = str(error)
    assert shown.startswith("answers.yaml: 回答に誤りがあります（1件）\n")
    assert "契約締結日（deal.contract_date）: 「2027年4月」は日付として読めません。例: 2027-04-01（2027/4/1、2027年4月1日、令和9年4月1日" in shown
    assert shown.endswith("（28行目）")
    with using("en"):
        shown = str(error)
    assert shown.startswith("answers.yaml: the answers are not valid (1 problem(s))")
    assert 'contract date (deal.contract_date): "2027年4月" cannot be read as a date; for example: 2027-04-01' in shown
    assert shown.endswith("(line 28)")


def test_unknown_keys_get_the_closest_known_key():
    error = refused(with_line("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  liabilty_cap: {kind: none}\n  personal_info: none\n  zzz: 1"))
    found = dict(error.problems)
    assert found["deal.liabilty_cap"] == "この項目は回答ファイルにありません。「liability_cap」の誤りではありませんか（項目の一覧: keiyaku schema）"
    assert found["deal.personal_info"] == "この項目はここにはありません。data.personal_info（個人情報の区分）に書く項目ではありませんか"
    assert found["deal.zzz"] == "この項目は回答ファイルにありません（項目の一覧: keiyaku schema）"
    with using("en"):
        found = dict(error.problems)
        assert found["deal.liabilty_cap"] == 'unknown field; did you mean "liability_cap"? (see `keiyaku schema`)'
        assert "deal.liabilty_cap: unknown field" in str(error) and "(line 32)" in str(error)
    assert "（32行目）" in str(error)


# every kind of wrong value, where pydantic would have had its own English message
WRONG = {
    "a number for a choice": ("stance: balanced", "stance: 1", "stance", "選択肢にありません"),
    "a list for a choice": ("stance: balanced", "stance: [a]", "stance", "選択肢にありません"),
    "a number for a section": ("delivery: {method: download, timing: 本契約締結後14日以内}", "delivery: 3", "data.delivery",
                               "項目の集まりではありません"),
    "text for a list": ("  processing: [会員IDの削除, 店舗コードの置換]", "  processing: {a: b}", "data.processing", "一覧ではありません"),
    "an empty list": ("items: [日付, 店舗コード, 商品分類, 販売数量, 販売金額]", "items: []", "data.items", "少なくとも1件"),
    "a number for a flag": ("  personal_info: statistical", "  personal_info: statistical\n  know_how: 2", "data.know_how",
                            "2は「はい」か「いいえ」として読めません"),
    "a fraction for a whole number": ("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: 24.5", "deal.term_months",
                                      "24.5は月数として読めません"),
    "a flag for a whole number": ("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: true", "deal.term_months",
                                  "trueは月数として読めません"),
    "too many months": ("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: 500", "deal.term_months",
                        "120か月以下で指定してください（500 は大きすぎます）"),
    "a negative amount": ("amount_yen: 500000", "amount_yen: -5", "deal.fee.amount_yen", "0円以上で指定してください"),
    "too many learners": ("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  learners: {count: 10000000}", "deal.learners.count",
                          "1,000,000人以下で指定してください"),
    "a number for text": ("name: 株式会社テスト商事", "name: 123", "parties.provider.name", "123は文字列ではありません"),
    "a number for a date": ("contract_date: 2027-04-01", "contract_date: 0", "deal.contract_date", "0は日付として読めません"),
    "a date with a time": ("contract_date: 2027-04-01", "contract_date: 2027-04-01 10:00:00", "deal.contract_date",
                           "日付だけを指定してください"),
    "an unknown goal": ("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  goals: [fame]", "deal.goals[0]", "「fame」は選択肢にありません"),
    "a percentage as text": ("fee: {kind: fixed, amount_yen: 500000, due: 2027年4月30日}",
                             "fee: {kind: revenue_share, percent: たくさん, due: 2027年4月30日}", "deal.fee.percent",
                             "「たくさん」は割合（%）として読めません"),
    "a section missing": ("  course: {name: データサイエンス入門講座, audience: 社会人受講者}", "", "deal.course",
                          "提供モデル data_provision（データ提供型）では、この項目が必要です"),
    "a fee without its amount": ("fee: {kind: fixed, amount_yen: 500000, due: 2027年4月30日}",
                                 "fee: {kind: fixed, due: 2027年4月30日}", "deal.fee.amount_yen",
                                 "対価の種類が fixed（定額）のときは金額（円）が必要です"),
    "a company without a representative": ("    representative: {title: 代表取締役, name: 山田太郎}\n", "",
                                           "parties.provider.representative", "代表者（役職 title と氏名 name）が必要です"),
    "a control character": ("name: 株式会社テスト商事", 'name: "株式\\x07会社"', "parties.provider.name", "制御文字 U+0007"),
}


@pytest.mark.parametrize("old, new, path, words", list(WRONG.values()), ids=list(WRONG))
def test_each_wrong_value_is_explained_in_japanese_without_pydantic_english(old, new, path, words):
    error = refused(with_line(old, new))
    found = dict(error.problems)
    assert path in found, error.problems
    assert words in found[path], found[path]
    for lang in ("ja", "en"):
        with using(lang):
            shown = str(error)
        assert not any(p in shown for p in PYDANTIC), shown
        assert "line" not in shown or lang == "en"
    assert JAPANESE.search(found[path]) and messages.field_label(path) in str(error)


def test_problems_cross_processes_and_render_in_the_parents_language():
    error = refused(with_line("amount_yen: 500000", "amount_yen: 十万"))
    details = pickle.loads(pickle.dumps(error.details))
    assert [p.message() for p in details] == [m for _, m in error.problems]
    assert "「十万」は金額（円）として読めません" in details[0].message()
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --------------------------------------------------------------------------- the command line


def _bad_file(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(with_line("contract_date: 2027-04-01", "contract_date: 令和9年4月31日"), encoding="utf-8")
    return path


def test_the_command_line_reports_in_japanese_exits_2_and_writes_nothing(tmp_path):
    path = _bad_file(tmp_path)
    result = CliRunner().invoke(main, ["generate", str(path), "--out", str(tmp_path / "out")], env=NO_LOCALE)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: 回答に誤りがあります（1件）\n")
    assert "  契約締結日（deal.contract_date）: 「令和9年4月31日」は存在しない日付です。例: 2027-04-01" in result.stderr
    assert result.stderr.rstrip().endswith("（28行目）") and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, env, english", [
    (["--lang", "en"], NO_LOCALE, True),
    ([], {**NO_LOCALE, "LANG": "en_US.UTF-8"}, True),
    ([], {**NO_LOCALE, "LANG": "ja_JP.UTF-8"}, False),
    ([], {**NO_LOCALE, "LANG": "C.UTF-8"}, False),
    (["--lang", "ja"], {**NO_LOCALE, "LANG": "en_US.UTF-8"}, False),
])
def test_lang_option_and_locale_choose_the_language(tmp_path, args, env, english):
    result = CliRunner().invoke(main, [*args, "validate", str(_bad_file(tmp_path))], env=env)
    assert result.exit_code == 2
    if english:
        assert "contract date (deal.contract_date): \"令和9年4月31日\" is not a day that exists" in result.stderr
        assert result.stderr.rstrip().endswith("(line 28)")
    else:
        assert "契約締結日（deal.contract_date）" in result.stderr and result.stderr.rstrip().endswith("（28行目）")
    # the command's language does not stay behind in the process
    assert "回答に誤りがあります" in str(refused(with_line("amount_yen: 500000", "amount_yen: x")))


def test_recommend_without_goals_is_explained(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(main, ["recommend", str(path)], env=NO_LOCALE)
    assert result.exit_code == 2
    assert "提供者の目的（deal.goals）: 推奨には提供者の目的を一つ以上指定してください" in result.stderr


def test_yaml_reads_booleans_and_integers_as_yaml_1_2_does():
    """YAML 1.1 read `010` as 8 and `on` as true; both are text now, which the one parser reads or refuses."""
    answers = answers_from_bytes(with_line("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: 010").encode(), "a.yaml")
    assert answers.deal.term_months == 10
    error = refused(with_line("  personal_info: statistical", "  personal_info: statistical\n  know_how: on"))
    assert dict(error.problems)["data.know_how"].startswith("「on」は「はい」か「いいえ」として読めません")
    assert yaml.safe_load("a: on") == {"a": True}  # (what plain PyYAML would have made of it)
