"""Review copies, findings summary and `model: auto`: what a legal department reads before sending the clean copy."""

from __future__ import annotations

import json
import subprocess
import zipfile

import yaml
from docx import Document as WordDocument
from lxml import etree

from contracts.answers import validate_answers
from contracts.generate import build_set
from tests.conftest import ARTICLE_HEADING, ROOT, have, keiyaku

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def comments_of(path) -> list[dict]:
    """Each comment with its author, initials, date, text and the text of the paragraph its range starts in."""
    z = zipfile.ZipFile(path)
    if "word/comments.xml" not in z.namelist():
        return []
    comments = {}
    for c in etree.fromstring(z.read("word/comments.xml")).iter(f"{W}comment"):
        comments[c.get(f"{W}id")] = {
            "author": c.get(f"{W}author"), "initials": c.get(f"{W}initials"), "date": c.get(f"{W}date"),
            "text": "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in c.iter(f"{W}p")),
        }
    body = etree.fromstring(z.read("word/document.xml"))
    for p in body.iter(f"{W}p"):
        for start in p.iter(f"{W}commentRangeStart"):
            comments[start.get(f"{W}id")]["anchor"] = "".join(t.text or "" for t in p.iter(f"{W}t"))
    return list(comments.values())


def test_every_article_of_every_review_copy_carries_one_comment(example_sets):
    for folder in example_sets.values():
        for clean in folder.glob("*.docx"):
            review = folder / "review" / f"{clean.stem}_レビュー用.docx"
            assert review.exists(), review
            headings = [line for line in (p.text for p in WordDocument(str(clean)).paragraphs) if ARTICLE_HEADING.match(line)]
            comments = comments_of(review)
            assert [c["anchor"] for c in comments] == headings, review.name
            for c in comments:
                assert (c["author"], c["initials"], c["date"]) == ("keiyaku レビュー", "KR", "2000-01-01T00:00:00Z")
                for label in ("【概要】", "【選択した条項】", "【提供者】利点:", "【相手方】利点:", "【論点】", "【考え方】", "【参照】"):
                    assert label in c["text"], (review.name, c["anchor"], label)
            assert comments_of(clean) == [], f"{clean.name}: the clean copy must carry no comments"


def test_comments_name_the_deals_findings_on_the_clauses_they_touch(example_sets):
    summary = json.loads((example_sets["data_provision"] / "review" / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"], "the data-provision example has findings"
    finding = summary["findings"][0]
    texts = [c["text"] for p in (example_sets["data_provision"] / "review").glob("*.docx") for c in comments_of(p)]
    assert any(f"【この取引での指摘】重要度{finding['severity']}: {finding['message']}" in t for t in texts)


def test_alternatives_are_listed_where_the_library_has_them(example_sets):
    texts = [c["text"] for p in (example_sets["hackathon"] / "review").glob("*.docx") for c in comments_of(p)]
    assert any("【他の選択肢】" in t and "provider（提供者に有利）" in t for t in texts)


def test_review_comments_survive_a_libreoffice_round_trip(example_sets, tmp_path):
    assert have("soffice")
    review = next((example_sets["hackathon"] / "review").glob("02_*.docx"))
    before = comments_of(review)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "rt"), str(review)],
                   check=True, capture_output=True, timeout=180)
    after = comments_of(tmp_path / "rt" / review.name)
    assert len(after) == len(before) > 20
    assert [c["author"] for c in after] == ["keiyaku レビュー"] * len(before)
    assert [c["text"].splitlines()[0] for c in after] == [c["text"].splitlines()[0] for c in before]
    assert [c["anchor"] for c in after] == [c["anchor"] for c in before]


def test_summary_lists_documents_and_findings(example_sets):
    for model, folder in example_sets.items():
        summary = json.loads((folder / "review" / "summary.json").read_text(encoding="utf-8"))
        assert summary["model"] == model
        assert {d["file"] for d in summary["documents"]} == {p.name for p in folder.glob("*.docx")}
        markdown = (folder / "review" / "summary.md").read_text(encoding="utf-8")
        assert "取引全体の指摘事項" in markdown
        for f in summary["findings"]:
            assert f["rule"] in markdown and f["severity"] in ("高", "中", "低")


def test_model_auto_drafts_the_recommended_model_and_records_why(tmp_path):
    data = yaml.safe_load((ROOT / "examples" / "data_provision.yaml").read_text(encoding="utf-8"))
    data["model"] = "auto"
    data["deal"]["goals"] = ["money"]
    result = build_set(validate_answers(data))
    assert result.answers.model == "data_provision"
    summary = json.loads(result.files["review/summary.json"])
    assert summary["model"] == "data_provision"
    assert summary["recommendation"][0]["model"] == "data_provision"
    assert summary["recommendation"][0]["reasons"]
    assert "モデルの推奨" in result.files["review/summary.md"].decode("utf-8")

    data["deal"]["goals"] = ["research"]  # recommends joint research, whose section this file lacks
    answers = tmp_path / "auto.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = keiyaku("generate", answers, "--out", tmp_path / "o")
    assert out.exit_code == 2 and "deal.research" in out.stderr and "joint_research" in out.stderr
    assert not (tmp_path / "o").exists()


def test_risk_command_groups_by_severity_and_fails_on_request():
    ex = str(ROOT / "examples" / "data_provision.yaml")
    out = keiyaku("risk", ex)
    assert out.exit_code == 0 and "■ 重要度「中」" in out.stdout
    assert keiyaku("risk", ex, "--fail-on", "中").exit_code == 1
    assert keiyaku("risk", ex, "--fail-on", "高").exit_code == 0
    found = json.loads(keiyaku("risk", ex, "--json").stdout)
    assert {f["rule"] for f in found} == {"know_how_in_learners_hands", "trade_secret_many_recipients"}


def test_recommend_command(tmp_path):
    data = yaml.safe_load((ROOT / "examples" / "hackathon.yaml").read_text(encoding="utf-8"))
    data["deal"]["goals"] = ["talent", "pr"]
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = keiyaku("recommend", answers)
    assert out.exit_code == 0 and out.stdout.startswith("ハッカソン型を推奨します")
    assert "1. ハッカソン型（hackathon）" in out.stdout and "← 推奨" in out.stdout
    result = json.loads(keiyaku("recommend", answers, "--json").stdout)
    ranked = result["ranking"]
    assert result["verdict"]["status"] == "lead" and result["verdict"]["models"] == ["hackathon"]
    assert [r["model"] for r in ranked][0] == "hackathon" and len(ranked) == 4
    del data["deal"]["goals"]
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    missing = keiyaku("recommend", answers)
    assert missing.exit_code == 2 and "deal.goals" in missing.stderr
