"""`keiyaku init`: the guided interview, driven end to end through piped stdin, for every model path.

Each script is a list of (question path, typed answer); "" accepts the default. The test checks that exactly
these questions were asked in this order (so that skipped questions stay skipped), that the file is written
only at the end, and that it round-trips through `validate`, `generate` and the JSON Schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from contracts.answers import load_answers
from tests.conftest import ROOT

ASKED = re.compile(r"^【(.+?)】", re.MULTILINE)


def party(side: str, name: str, kind: str, title: str, person: str, naming: bool = False) -> list:
    p = f"parties.{side}"
    script = [(f"{p}.name", name), (f"{p}.address", "東京都千代田区丸の内一丁目1番1号"), (f"{p}.kind", kind)]
    if kind != "individual":
        script += [(f"{p}.representative.title", title), (f"{p}.representative.name", person)]
    if naming:
        script += [("parties.naming", "")]  # asked where role_name first needs it
    return script + [(f"{p}.sme", "")]


def data(personal_info: str = "none") -> list:
    script = [
        ("data.title", "販売実績データ"),
        ("data.description", "店舗別・商品分類別の日次販売実績"),
        ("data.items", "日付"), ("data.items", "店舗コード"), ("data.items", ""),
        ("data.format", "CSV（UTF-8）"),
        ("data.volume", "約120万行"),
        ("data.period", "2024年4月から2025年3月まで"),
        ("data.origin", "提供者のPOSシステムに蓄積された販売記録"),
        ("data.processing", "会員IDの削除"), ("data.processing", ""),
        ("data.delivery.method", "2"),
        ("data.delivery.detail", ""),
        ("data.delivery.timing", "本契約締結後14日以内"),
        ("data.personal_info", personal_info),
    ]
    if personal_info != "none":
        script += [("data.sensitive", "")]
    if personal_info == "anonymized":
        script += [("data.anonymized_publication", "y")]
    return script + [("data.know_how", ""), ("data.protection", ""), ("data.cross_border", ""), ("data.sample", "")]


def deal(fee: list, learners: tuple = ()) -> list:
    return [
        ("deal.purpose", "データサイエンス講座の教材の作成及び当該講座の運営"),
        ("deal.program_name", "データサイエンス講座"),
        ("deal.contract_date", "2027-04-01"),
        ("deal.nda_date", ""),
        ("deal.term_months", ""),
        *fee,
        ("deal.derived_data", ""),
        ("deal.confidentiality_years", ""),
        ("deal.nda_data", ""),
        ("deal.publication.allowed", ""), ("deal.publication.review_days", ""),
        ("deal.deletion.method", ""), ("deal.deletion.within_days", ""), ("deal.deletion.certificate", ""),
        ("deal.liability_cap.kind", "fee"),
        ("deal.court", "東京地方裁判所"),
        ("deal.execution", ""), ("deal.date_style", ""), ("deal.generative_ai", ""),
        ("deal.learners.count", ""), ("deal.learners.receive_raw_data", ""),
        ("deal.learners.minors", ""), ("deal.learners.abroad", ""), *learners,
    ]


PAID = [("deal.fee.kind", "fixed"), ("deal.fee.amount_yen", "500,000"), ("deal.fee.due", "2027年4月30日")]
COMPANY = party("provider", "株式会社テスト商事", "corporation", "代表取締役", "山田太郎", naming=True)
RECIPIENT = party("recipient", "株式会社サンプル教育", "corporation", "代表取締役", "佐藤花子")

SCRIPTS = {
    "data_provision": [
        ("stance", ""), *COMPANY, *RECIPIENT, *data("none"), *deal(PAID),
        ("deal.course.name", "データサイエンス講座"), ("deal.course.audience", "社会人受講者"),
        ("deal.course.cohorts", ""), ("deal.course.materials_publication", ""),
    ],
    "hackathon": [
        ("stance", ""), *COMPANY, *RECIPIENT, *data("anonymized"), *deal(PAID),
        ("deal.hackathon.event_name", "外観検査AIハッカソン2027"),
        ("deal.hackathon.theme", "不良品画像の自動検出"),
        ("deal.hackathon.period", "2027年5月1日から同月31日まで"),
        ("deal.hackathon.platform", "HackBase"),
        ("deal.hackathon.prizes[0].rank", "最優秀賞"), ("deal.hackathon.prizes[0].amount_yen", "300000"),
        ("deal.hackathon.prizes[1].rank", ""),
        ("deal.hackathon.prize_payer", ""), ("deal.hackathon.costs_payer", ""),
        ("deal.hackathon.deliverable_rights", ""), ("deal.hackathon.report_days", ""),
        ("deal.hackathon.competitors_allowed", ""),
    ],
    "paid_consulting": [
        ("stance", "provider"), *COMPANY, *RECIPIENT, *data("statistical"),
        *deal(PAID, (("deal.learners.selection", ""), ("deal.learners.paid", ""))),
        ("deal.consulting.services", "課題の整理"), ("deal.consulting.services", "データの前処理"),
        ("deal.consulting.services", ""),
        ("deal.consulting.deliverables", "報告書"), ("deal.consulting.deliverables", ""),
        ("deal.consulting.contract_type", ""),
        ("deal.consulting.period", "2027年4月1日から同年9月30日まで"),
        ("deal.consulting.review_days", ""), ("deal.consulting.deliverables_owner", ""),
        ("deal.consulting.teaching_reuse", ""), ("deal.consulting.fee_basis", ""),
    ],
    "joint_research": [
        ("stance", ""), *COMPANY,
        # a company as the university's counterpart: refused at the end and asked again (see below)
        *party("recipient", "国立大学法人サンプル大学", "corporation", "学長", "伊藤四郎"),
        *data("none"), *deal([("deal.fee.kind", "")]),  # free by default for joint research
        ("deal.research.theme", "振動データによる異常検知"),
        ("deal.research.goal", "予知保全手法の開発"),
        ("deal.research.period", "2027年4月1日から2028年3月31日まで"),
        ("deal.research.provider_roles", "データの提供"), ("deal.research.provider_roles", ""),
        ("deal.research.university_roles", "手法の研究"), ("deal.research.university_roles", ""),
        ("deal.research.principal_investigator.title", "教授"),
        ("deal.research.principal_investigator.name", "鈴木一郎"),
        ("deal.research.provider_lead.title", "技術部長"),
        ("deal.research.provider_lead.name", "高橋次郎"),
        ("deal.research.direct_cost_yen", "3,000,000"),
        ("deal.research.indirect_cost_yen", ""),
        ("deal.research.results_owner", "joint"),
        ("deal.research.non_practice_compensation", ""),
        ("deal.research.export_control", ""),
        ("deal.research.thesis_use", ""), ("deal.research.teaching_use", ""),
        ("deal.research.students[0].name", "田中三郎"),
        ("deal.research.students[0].affiliation", "工学研究科修士1年"),
        ("deal.research.students[1].name", ""),
        ("parties.recipient.kind", "national_university"),  # the cross-field check, answered again
    ],
}


def run_init(tmp_path: Path, script: list, *args: str, out: str = "answers.yaml", confirm: bool = True):
    """``confirm``: Enter at the summary of all answers, which writes the file."""
    target = tmp_path / out
    stdin = "".join(f"{answer}\n" for _, answer in script) + ("\n" if confirm else "")
    result = CliRunner().invoke(main, ["init", "--out", str(target), *args], input=stdin, catch_exceptions=False)
    return result, target


def asked(output: str) -> list[str]:
    return ASKED.findall(output)


def expected(script: list) -> list[str]:
    paths: list[str] = []
    for path, _ in script:
        if not paths or paths[-1] != path:
            paths.append(path)
    return paths


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(json.loads((ROOT / "answers.schema.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("model", list(SCRIPTS))
def test_interview_writes_a_valid_commented_file(tmp_path, model, validator):
    result, target = run_init(tmp_path, SCRIPTS[model], "--model", model)
    assert result.exit_code == 0, result.output
    assert asked(result.output) == expected(SCRIPTS[model])

    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=") and lines[0].endswith("answers.schema.json")
    schema_ref = lines[0].split("$schema=", 1)[1]
    assert (target.parent / schema_ref).resolve() == (ROOT / "answers.schema.json").resolve() or schema_ref.startswith("file:")
    for i, line in enumerate(lines):  # every field has its description just above it
        if re.match(r"^\s*[a-z_]+:", line) and not re.match(r"^\s*- ", line):
            above = lines[i - 1].strip()
            assert above.startswith("#") or re.match(r"^- [a-z_]+:", above) or re.match(r"^[a-z_]+:", above), line
    assert "# 提供データの名称（例: 外観検査画像データ）\n  title: 販売実績データ" in text

    answers = load_answers(target)
    assert answers.model == model
    section = {"data_provision": "course", "hackathon": "hackathon", "paid_consulting": "consulting",
               "joint_research": "research"}[model]
    assert all((getattr(answers.deal, s) is not None) == (s == section)
               for s in ("course", "hackathon", "consulting", "research"))
    assert validator.is_valid(json.loads(json.dumps(yaml.safe_load(text), default=str)))

    validated = CliRunner().invoke(main, ["validate", str(target)])
    assert validated.exit_code == 0, validated.output
    generated = CliRunner().invoke(main, ["generate", str(target), "--out", str(tmp_path / "out")])
    assert generated.exit_code == 0, generated.output
    assert list((tmp_path / "out").glob("*.docx"))


def test_what_earlier_answers_make_irrelevant_is_not_asked(tmp_path):
    paths = {m: set(expected(s)) for m, s in SCRIPTS.items()}
    # no personal-information details without personal information
    assert "data.sensitive" not in paths["data_provision"] and "data.sensitive" in paths["hackathon"]
    assert "data.anonymized_publication" in paths["hackathon"] and "data.anonymized_publication" not in paths["paid_consulting"]
    # prizes only for hackathons, students only for joint research, only the chosen model's section
    for model, asked_paths in paths.items():
        sections = {p.split(".")[1] for p in asked_paths if p.startswith("deal.") and p.split(".")[1] in
                    ("hackathon", "consulting", "research", "course")}
        assert len(sections) == 1, (model, sections)
        assert any("prizes" in p for p in asked_paths) == (model == "hackathon")
        assert any("students" in p for p in asked_paths) == (model == "joint_research")
        assert not any(p.startswith(("deal.goals", "deal.constraints", "deal.choices", "schema_version")) for p in asked_paths)
    # no fee amount for a free deal; no cap amount unless the cap is a fixed sum; no role names with 甲乙
    assert "deal.fee.amount_yen" not in paths["joint_research"] and "deal.fee.due" not in paths["joint_research"]
    assert not any("liability_cap.amount_yen" in p or "role_name" in p for p in set().union(*paths.values()))


def test_individual_has_no_representative_and_roles_ask_for_role_names(tmp_path):
    script = [
        ("stance", ""),
        ("parties.provider.name", "株式会社テスト商事"), ("parties.provider.address", "東京都千代田区丸の内一丁目1番1号"),
        ("parties.provider.kind", "corporation"),
        ("parties.provider.representative.title", "代表取締役"), ("parties.provider.representative.name", "山田太郎"),
        ("parties.naming", "roles"), ("parties.provider.role_name", "提供者"), ("parties.provider.sme", ""),
        ("parties.recipient.name", "山本五郎"), ("parties.recipient.address", "神奈川県横浜市中区本町一丁目1番"),
        ("parties.recipient.kind", "individual"),
        ("parties.recipient.role_name", ""), ("parties.recipient.sme", "y"),
        ("parties.recipient.acts_as_business", "y"),
        *data("none"), *deal(PAID),
        ("deal.course.name", "講座"), ("deal.course.audience", "受講者"),
        ("deal.course.cohorts", ""), ("deal.course.materials_publication", ""),
    ]
    result, target = run_init(tmp_path, script, "--model", "data_provision")
    assert result.exit_code == 0, result.output
    assert asked(result.output) == expected(script)
    answers = load_answers(target)
    assert answers.parties.recipient.representative is None and answers.parties.recipient.role_name is None
    assert answers.parties.provider.role_name == "提供者" and answers.parties.naming == "roles"


def test_model_auto_asks_goals_then_recommends(tmp_path):
    # Not knowing the model, the user is asked what the recommendation reads first (goals, constraints, personal
    # data, know-how), shown the recommendation with its reasons, and then asked the rest for the chosen model.
    rest_of_data = [step for step in data("none") if step[0] not in ("data.personal_info", "data.know_how")]
    script = [
        ("model", "auto"),
        ("deal.goals", "money"), ("deal.goals", "2"), ("deal.goals", ""),
        ("deal.constraints.budget_yen", ""), ("deal.constraints.max_recipients", ""),
        ("deal.constraints.need_control", ""),
        ("data.personal_info", "none"), ("data.know_how", ""),
        ("model", "data_provision"),  # the user may take the recommendation (Enter) or choose
        ("stance", ""), *COMPANY, *RECIPIENT, *rest_of_data,
        *deal(PAID),
        ("deal.course.name", "講座"), ("deal.course.audience", "受講者"),
        ("deal.course.cohorts", ""), ("deal.course.materials_publication", ""),
    ]
    result, target = run_init(tmp_path, script)
    assert result.exit_code == 0, result.output
    assert "推奨モデル" in result.output and "1. " in result.output
    assert asked(result.output) == expected(script)
    recommended = result.output.index("■ 推奨モデル")
    assert result.output.index("【stance】") > recommended > result.output.index("【data.know_how】")
    assert "         - 目的「" in result.output[recommended:result.output.index("【model】", recommended)]  # the reasons
    answers = load_answers(target)
    assert answers.model == "data_provision" and answers.deal.goals == ["money", "talent"]


def test_invalid_answers_are_explained_and_asked_again(tmp_path):
    script = list(SCRIPTS["data_provision"])
    i = script.index(("deal.term_months", ""))
    script[i:i + 1] = [("deal.term_months", "twelve"), ("deal.term_months", "0"), ("deal.term_months", "２４")]
    j = script.index(("parties.recipient.kind", "corporation"))
    script[j:j + 1] = [("parties.recipient.kind", "学校"), ("parties.recipient.kind", "99"), ("parties.recipient.kind", "1")]
    k = script.index(("data.title", "販売実績データ"))
    script[k:k + 1] = [("data.title", "   "), ("data.title", "販売実績データ")]
    result, target = run_init(tmp_path, script, "--model", "data_provision")
    assert result.exit_code == 0, result.output
    assert "「twelve」は月数として読めません。例: 24" in result.output and "1か月以上で指定してください" in result.output
    assert "'学校' は選択肢にありません" in result.output and "番号（1〜7）" in result.output
    assert "corporation（会社）" in result.output  # the choices with their labels
    assert "回答が必要です" in result.output
    answers = load_answers(target)
    assert answers.deal.term_months == 24 and answers.parties.recipient.kind == "corporation"


@pytest.mark.parametrize("stop_after", [0, 5, 40])
def test_end_of_input_leaves_no_file(tmp_path, stop_after):
    result, target = run_init(tmp_path, SCRIPTS["hackathon"][:stop_after], "--model", "hackathon", confirm=False)
    assert result.exit_code == 1
    assert "何も書き出していません" in result.stderr  # nothing was written
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "answers.yaml").write_text("keep", encoding="utf-8")
    result, target = run_init(tmp_path, SCRIPTS["data_provision"], "--model", "data_provision")
    assert result.exit_code == 2 and "--force" in result.stderr and target.read_text(encoding="utf-8") == "keep"
    result, target = run_init(tmp_path, SCRIPTS["data_provision"], "--model", "data_provision", "--force")
    assert result.exit_code == 0 and load_answers(target).model == "data_provision"


def test_from_a_partial_file_asks_only_what_is_missing(tmp_path):
    full = yaml.safe_load((ROOT / "examples" / "data_provision.yaml").read_text(encoding="utf-8"))
    partial = json.loads(json.dumps(full, default=str))
    del partial["parties"]["recipient"]
    del partial["deal"]["court"]
    partial["deal"]["term_months"] = 0  # invalid in the file: explained and asked
    partial["deal"]["hackathon"] = None
    source = tmp_path / "partial.yaml"
    source.write_text(yaml.safe_dump(partial, allow_unicode=True), encoding="utf-8")
    script = [*RECIPIENT, ("data.sample", ""), ("deal.term_months", "24"), ("deal.nda_data", ""), ("deal.court", "大阪地方裁判所"),
              ("deal.date_style", "")]
    result, target = run_init(tmp_path, script, "--from", str(source), out="done.yaml")
    assert result.exit_code == 0, result.output
    assert asked(result.output) == expected(script)
    assert "deal.term_months: ファイルの値を使えません" in result.output
    answers = load_answers(target)
    assert answers.parties.recipient.name == "株式会社サンプル教育" and answers.deal.court == "大阪地方裁判所"
    assert answers.data.title == full["data"]["title"] and answers.deal.term_months == 24


def test_from_rejects_unknown_keys(tmp_path):
    source = tmp_path / "typo.yaml"
    source.write_text("model: data_provision\nparties:\n  provder: {}\n", encoding="utf-8")
    result, target = run_init(tmp_path, [], "--from", str(source), out="x.yaml")
    assert result.exit_code == 2 and "parties.provder" in result.stderr and "Traceback" not in result.output
    assert not target.exists()


def test_english_interview(tmp_path):
    result, target = run_init(tmp_path, SCRIPTS["paid_consulting"], "--model", "paid_consulting", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "What is the full legal name?" in result.output and "quasi_mandate" in result.output
    assert "# Full legal name" in target.read_text(encoding="utf-8")
    assert load_answers(target).model == "paid_consulting"
