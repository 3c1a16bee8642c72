"""The registry of legal sources: every citation in the library is an id that resolves, drafts and superseded
provisions are rejected, and people see titles and articles, never ids."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from cli.main import main
from contracts.answers import load_answers
from contracts.generate import build_set
from contracts.library import check, default_library, load_library
from contracts.paths import CLAUSES_DIR
from contracts.risk import check_rules, default_riskbook, findings, load_riskbook
from contracts.sources import (
    UnknownSource,
    cite,
    default_registry,
    parse_registry,
    problems,
    sources_in_force_problems,
)
from tests.conftest import ROOT
from tests.test_review import comments_of

TODAY = dt.date.today()
ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def cited_ids():
    lib, book = default_library(), default_riskbook()
    for c in lib.clauses.values():
        for v in c.variants:
            for sid in v.annotation.references:
                yield f"clause {c.id}.{v.id}", sid
    for r in book.rules:
        for sid in r.basis:
            yield f"rule {r.id}", sid


# --------------------------------------------------------------------------- the shipped library


def test_registry_is_sound():
    reg = default_registry()
    assert reg.lint() == []
    assert len(reg) >= 200


def test_every_cited_id_resolves_and_is_in_force_today():
    reg = default_registry()
    pairs = list(cited_ids())
    assert pairs
    for where, sid in pairs:
        assert sid in reg, f"{where}: {sid}"
        assert reg.problems([sid], where, TODAY) == [], f"{where}: {sid}"


def test_no_draft_or_superseded_source_is_cited():
    reg = default_registry()
    for where, sid in cited_ids():
        e = reg.get(sid)
        assert e.status == "in_force" and e.superseded_on is None, f"{where}: {sid}"


def test_the_check_reports_no_source_problem_in_the_shipped_library():
    lib = default_library()
    assert [p for p in check(lib) if ".annotation.references" in p or "sources.yaml" in p] == []
    assert [p for p in check_rules(default_riskbook(), set(lib.clauses)) if ".basis" in p] == []


def test_the_draft_ip_plan_is_registered_as_a_draft_and_cited_nowhere():
    reg = default_registry()
    drafts = [e for e in reg.entries.values() if e.status == "draft"]
    assert [e.id for e in drafts] == ["ip_plan_2026_draft"]
    assert "（案）" in drafts[0].title
    assert all(sid != "ip_plan_2026_draft" for _, sid in cited_ids())


def test_current_wordings_and_their_history():
    reg = default_registry()
    ucpa = reg.get("ucpa_2_7")
    assert (ucpa.in_force_from, ucpa.superseded_on, ucpa.status) == ("2024-04-01", None, "in_force")
    old = reg.get("ucpa_2_7_pre2024")
    assert (old.superseded_on, old.superseded_by, old.status) == ("2024-04-01", "ucpa_2_7", "repealed")
    assert reg.get("toriteki_act").in_force_from == "2026-01-01"
    assert reg.get("shitauke_act").superseded_on == "2026-01-01"
    assert reg.get("consumer_contract_8_3").in_force_from == "2023-06-01"
    assert default_riskbook().rules and "toriteki_act" in next(r for r in default_riskbook().rules if r.id == "subcontract_act").basis


def test_the_limited_provision_rule_states_the_current_ucpa():
    rule = next(r for r in default_riskbook().rules if r.id == "limited_provision_with_know_how")
    assert "秘密として管理されているもの" not in rule.message
    assert "営業秘密に当たるものだけ" in rule.message
    assert "ucpa_2_7" in rule.basis and "ucpa_2_7_pre2024" not in rule.basis


# --------------------------------------------------------------------------- cite()


def test_cite_formats_statutes_with_title_and_article_only():
    assert cite("appi_27_1") == "個人情報の保護に関する法律第27条第1項"
    assert cite("civil_code_548no2") == "民法第548条の2"
    assert cite("appi_rule_16") == "個人情報の保護に関する法律施行規則第16条"
    assert cite("toriteki_act") == "製造委託等に係る中小受託事業者に対する代金の支払の遅延等の防止に関する法律"


def test_cite_gives_guidelines_and_notices_their_issuer_and_edition():
    assert cite("meti_ai_data_guideline_data") == "経済産業省「AI・データの利用に関する契約ガイドライン（データ編）」（2019年12月版）"
    assert cite("ppc_generative_ai_notice") == "個人情報保護委員会「生成AIサービスの利用に関する注意喚起等」（2023年6月2日）"
    assert cite("oi_ai_jrd_13").endswith("共同研究開発契約書」第13条の解説（2021年3月版）")


def test_cite_marks_a_superseded_wording():
    assert cite("ucpa_2_7_pre2024") == "不正競争防止法第2条第7項（2024年4月1日改正前のもの）"


def test_cite_rejects_an_unknown_id():
    with pytest.raises(UnknownSource, match="no_such_law_1"):
        cite("no_such_law_1")


# --------------------------------------------------------------------------- problems()


def test_problems_reports_unknown_draft_and_superseded_ids():
    assert problems(["civil_code_415", "appi_27_1"], "x") == []
    assert "unknown legal source id 'civil_code_99999'" in problems(["civil_code_99999"], "x")[0]
    assert "案は根拠として引用できません" in problems(["ip_plan_2026_draft"], "x")[0]
    assert "2024-04-01に改正・廃止され" in problems(["ucpa_2_7_pre2024"], "x")[0]
    assert "cited twice" in problems(["civil_code_415", "civil_code_415"], "x")[0]


def test_problems_depend_on_the_contract_date():
    assert problems(["ucpa_2_7_pre2024"], "x", dt.date(2023, 6, 1)) == []
    assert problems(["ucpa_2_7_pre2024"], "x", dt.date(2024, 4, 1))
    assert problems(["shitauke_act"], "x", dt.date(2025, 12, 31)) == []
    assert problems(["shitauke_act"], "x", dt.date(2026, 1, 1))
    assert "まだ効力がありません" in problems(["toriteki_act"], "x", dt.date(2025, 12, 31))[0]
    assert problems(["toriteki_act"], "x", dt.date(2026, 1, 1)) == []


def test_sources_in_force_problems_reads_the_deals_articles_and_findings():
    answers = load_answers(ROOT / "examples" / "paid_consulting.yaml")
    built = build_set(answers)
    assert sources_in_force_problems(TODAY, built.documents, built.findings) == []
    # a contract dated before the 2023 消費者契約法 amendment or the 2024 freelance act cites law not yet in force
    early = sources_in_force_problems(dt.date(2020, 1, 1), built.documents, built.findings)
    assert early and all("まだ効力がありません" in p for p in early)


def entry(**kw):
    base = {"id": "x_1", "kind": "statute", "title": "民法", "article": "第1条", "in_force_from": "2020-04-01",
            "superseded_on": None, "status": "in_force", "note": "テスト"}
    base.update(kw)
    return base


def test_registry_lint_catches_duplicates_dates_and_missing_titles():
    reg = parse_registry({"sources": [
        entry(), entry(),
        entry(id="x_2", superseded_on="2019-01-01", status="repealed"),
        entry(id="x_3", title=""),
        entry(id="x_4", kind="guideline"),
        entry(id="x_5", in_force_from=None),
        entry(id="x_6", superseded_on="2021-01-01", status="repealed", superseded_by="nowhere"),
    ]}, "test.yaml")
    lint = "\n".join(reg.lint())
    assert "duplicate source id 'x_1'" in lint
    assert "'x_2': superseded_on 2019-01-01 is not after in_force_from 2020-04-01" in lint
    assert "'x_3': missing title" in lint
    assert "'x_4': a guideline needs its issuer" in lint
    assert "'x_5': in_force_from is missing" in lint
    assert "'x_6': superseded_by 'nowhere'" in lint


# --------------------------------------------------------------------------- a mutated library is rejected


@pytest.fixture()
def library_copy(tmp_path):
    target = tmp_path / "clauses"
    shutil.copytree(CLAUSES_DIR, target)
    return target


def cite_instead(folder, old: str, new: str) -> str:
    """Replace one cited id in the first annotation that cites it; returns the file name."""
    for path in sorted(folder.glob("*.yaml")):
        if path.name in ("sources.yaml", "rules.yaml"):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if "references:" in line and re.search(rf"\b{old}\b", line):
                lines[i] = re.sub(rf"\b{old}\b", new, line, count=1)
                path.write_text("\n".join(lines), encoding="utf-8")
                return path.name
    raise AssertionError(f"no flow-style references list cites {old}")


def source_problems(folder, on_date=None):
    return [p for p in check(load_library(folder), on_date) if ".annotation.references" in p]


def test_an_unknown_id_is_reported(library_copy):
    cite_instead(library_copy, "civil_code_415", "civil_code_4150")
    found = source_problems(library_copy)
    assert len(found) == 1 and "unknown legal source id 'civil_code_4150'" in found[0]


def test_a_draft_is_reported(library_copy):
    cite_instead(library_copy, "civil_code_415", "ip_plan_2026_draft")
    found = source_problems(library_copy)
    assert len(found) == 1 and "案は根拠として引用できません" in found[0]


def test_a_superseded_provision_is_reported(library_copy):
    sources = library_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + (
        "  - id: civil_code_415_old\n    kind: statute\n    title: 民法\n    article: 第415条\n"
        "    in_force_from: 2005-04-01\n    superseded_on: 2020-01-01\n    superseded_by: civil_code_415\n"
        "    status: repealed\n    note: 改正前の債務不履行責任の規定。\n"), encoding="utf-8")
    cite_instead(library_copy, "civil_code_415", "civil_code_415_old")
    found = source_problems(library_copy)
    assert len(found) == 1 and "2020-01-01に改正・廃止され" in found[0] and "civil_code_415" in found[0]
    assert not any("civil_code_415_old" in p for p in source_problems(library_copy, dt.date(2019, 12, 31)))


def test_the_library_check_lints_the_registry_file(library_copy):
    sources = library_copy / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("    in_force_from: 2024-04-01\n    superseded_on: null\n",
                                    "    in_force_from: 2024-04-01\n    superseded_on: 2020-01-01\n", 1), encoding="utf-8")
    found = [p for p in check(load_library(library_copy)) if "sources.yaml" in p]
    assert any("superseded_on 2020-01-01 is not after in_force_from 2024-04-01" in p for p in found)


def test_a_rule_citing_a_draft_is_reported(library_copy):
    rules = library_copy / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "      - meti_limited_data_guideline\n" in text
    rules.write_text(text.replace("      - meti_limited_data_guideline\n", "      - ip_plan_2026_draft\n", 1), encoding="utf-8")
    found = [p for p in check_rules(load_riskbook(library_copy), set(default_library().clauses)) if ".basis" in p]
    assert found and all("案は根拠として引用できません" in p for p in found)


def test_the_cli_check_rejects_an_unknown_id(library_copy):
    cite_instead(library_copy, "civil_code_415", "civil_code_4150")
    result = CliRunner().invoke(main, ["clauses", "check", "--dir", str(library_copy)])
    assert result.exit_code == 1
    assert "unknown legal source id 'civil_code_4150'" in result.output


# --------------------------------------------------------------------------- people see titles, not ids


def test_review_copy_and_findings_show_titles_not_ids():
    reg = default_registry()
    shown = {reg.cite(sid) for sid in reg.entries}
    answers = load_answers(ROOT / "examples" / "data_provision.yaml")
    built = build_set(answers)
    refs = []
    for name, content in built.files.items():
        if name.endswith("_レビュー用.docx"):
            for c in comments_of(io.BytesIO(content)):
                refs += [line.removeprefix("【参照】") for line in c["text"].split("\n") if line.startswith("【参照】")]
    assert refs, "the review copies carry 【参照】 lines"
    for line in refs:
        assert not ID.search(line), line
        assert all(item in shown for item in line.split("、")), line
    assert any("個人情報の保護に関する法律第" in line or "民法第" in line for line in refs)
    for f in findings(answers):
        assert f.basis and all(b in shown and not ID.search(b) for b in f.basis), f.rule
    summary = json.loads(built.files["review/summary.json"].decode("utf-8"))
    for f in summary["findings"]:
        assert not any(ID.search(b) for b in f["basis"]), f["rule"]
