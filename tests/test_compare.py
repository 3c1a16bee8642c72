"""keiyaku compare: a returned file read article by article against what was sent.

The fixtures in tests/fixtures/returned/ are made by scripts/make_returned_fixtures.py (python-docx with Word's
markup, and a headless LibreOffice); the tests read the committed files, except the library-variant tests, which
build their returned file from a freshly generated draft so that they follow the clause library.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import zipfile

import pytest
from click.testing import CliRunner
from lxml import etree

from cli.main import main
from contracts.answers import InputError, load_answers
from contracts.compare import (
    VariantLibrary,
    compare,
    format_number,
    heading_of,
    kanji_number,
    read_docx,
    report_dict,
    report_markdown,
    review_docx,
)
from contracts.generate import build_set
from contracts.redline import inline_diff
from tests.conftest import FIXTURES, ROOT
from tests.lo_basic import soffice

RETURNED = FIXTURES / "returned"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def fixture_editor():
    """scripts/make_returned_fixtures.py, loaded by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_returned_fixtures", ROOT / "scripts" / "make_returned_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(sent: str, returned: str, library=None):
    s = read_docx((RETURNED / sent).read_bytes(), sent)
    r = read_docx((RETURNED / returned).read_bytes(), returned)
    return compare(s, r, library)


def by_title(report):
    return {(r.returned or r.sent).title or (r.returned or r.sent).label: r for r in report.results}


# --------------------------------------------------------------------------- reading


def test_headings_typed_or_numbered():
    assert heading_of("第5条（秘密保持）") == (5, "秘密保持", "")
    assert heading_of("第１２条 （解除）") == (12, "解除", "")
    assert heading_of("第十二条　解除") == (12, "解除", "")
    assert heading_of("第3条　甲は、乙に対し、提供データを提供する。") == (3, "", "甲は、乙に対し、提供データを提供する。")
    assert heading_of("２　甲は…") is None
    assert heading_of("第14条の規定にかかわらず、甲は、…") is None
    assert heading_of("第7条に定める誓約書を提出した受講者に限る。") is None
    assert kanji_number(24) == "二十四" and kanji_number(110) == "百十"
    assert format_number(3, "decimalFullWidth") == "３" and format_number(2, "aiueoFullWidth") == "イ"


def test_the_sent_draft_reads_as_its_articles():
    report = run("sent.docx", "sent.docx")
    articles = [r for r in report.results if r.kind == "article"]
    assert len(articles) == 28
    assert all(r.status == "unchanged" for r in report.results)
    assert not report.silent and report.ours == 0 and report.theirs == 0


# --------------------------------------------------------------------------- classification


def test_tracked_edits_from_word_with_comments_footnotes_fields_and_a_table():
    report = run("sent.docx", "returned_word.docx")
    res = by_title(report)
    assert not report.silent
    assert res["提供データの提供"].status == "tracked"  # a paragraph deleted with tracking
    assert res["利用終了後の措置"].status == "tracked"
    assert "〔削除：30〕〔追加：60〕" in "".join(inline_diff(c.segments) for c in res["利用終了後の措置"].tracked_changes)
    added = res["データの品質に関する協議"]
    assert added.status == "added" and added.tracked and added.returned.number == 19
    # the articles after it were renumbered with tracked changes: the same text, a new number
    term = res["有効期間"]
    assert term.status == "unchanged" and term.renumbered and (term.sent.number, term.returned.number) == (19, 20)
    assert [c.text for c in res["秘密保持"].comments] == ["秘密保持期間は5年を希望します。"]
    assert res["目的"].footnotes == ["本契約の締結に先立ち、当社社内の承認を得ています。"]
    back = next(r for r in report.results if r.kind == "back")
    assert back.status == "tracked"  # the 別紙 table cell
    assert report.footnotes == 1


def test_silent_edits_are_flagged_high():
    report = run("sent.docx", "returned_silent.docx")
    res = by_title(report)
    assert {r.label for r in report.silent} == {"第18条（損害賠償）", "第27条（準拠法及び合意管轄）"}
    court = res["準拠法及び合意管轄"]
    assert court.status == "silent" and court.severity == "高"
    assert "〔削除：静岡〕〔追加：東京〕" in "".join(inline_diff(c.segments) for c in court.silent_changes)
    assert res["利用終了後の措置"].status == "tracked" and res["利用終了後の措置"].severity == "中"
    data = report_dict(report)
    assert data["silent_edits"] == 2
    assert data["counts"]["silent"] == 2 and data["counts"]["tracked"] == 1


def test_a_file_edited_in_libreoffice():
    report = run("sent.docx", "returned_libreoffice.docx")
    res = by_title(report)
    assert res["利用終了後の措置"].status == "tracked"  # 30 → 45 with LibreOffice's change tracking
    assert res["提供データの提供"].status == "silent"  # 14 → 7 with tracking off
    assert res["目的"].footnotes == ["当社規程に基づく確認済み。"]
    back = next(r for r in report.results if r.kind == "back")
    assert back.silent  # the 別紙 row carries the same silent 14 → 7
    assert report.theirs >= 1


def test_word_automatic_numbering_and_an_inserted_article():
    report = run("sent.docx", "returned_autonumber.docx")
    assert report.numbered
    res = by_title(report)
    added = res["データの品質に関する協議"]
    assert added.status == "added" and added.tracked and added.returned.number == 16
    moved = [r for r in report.results if r.kind == "article" and r.renumbered]
    assert len(moved) == 13 and all(r.status == "unchanged" for r in moved)
    assert not report.silent


def test_our_redline_partly_accepted_and_partly_rejected():
    report = run("sent_redline.docx", "returned_accept_some.docx")
    res = by_title(report)
    assert report.ours > 0
    assert not report.silent  # accepting our changes is not a silent edit
    assert res["利用終了後の措置"].status == "unchanged"  # our 30 → 60 accepted
    assert res["契約終了後の講座及び教材の取扱い"].status == "rejected"  # our 30 → 60 rejected
    assert res["秘密保持"].status == "tracked"  # their own 3 → 5 years


def _edit(sent: bytes, edit) -> bytes:
    mod = fixture_editor()
    e = mod.Editor(sent)
    edit(e, mod)
    return e.save()


def test_untracked_deletion_and_addition_of_articles_are_silent():
    sent = (RETURNED / "sent.docx").read_bytes()

    def edit(e, mod):
        heading = e.find("（協議事項）")
        body = heading.getnext()
        heading.getparent().remove(body)
        heading.getparent().remove(heading)
        e.insert_after(mod._last_paragraph_of(e, "（目的）"),
                       [("条見出し", "第2条（通知）"), ("条本文", "本契約に基づく通知は、書面により行う。")], tracked=False)

    report = compare(read_docx(sent, "sent"), read_docx(_edit(sent, edit), "returned"))
    kinds = {(r.status, r.tracked) for r in report.silent}
    assert ("deleted", False) in kinds and ("added", False) in kinds


# --------------------------------------------------------------------------- the library's variants


@pytest.fixture(scope="module")
def fresh():
    answers = load_answers(ROOT / "examples" / "data_provision.yaml")
    sent = build_set(answers).files["02_データ提供契約書.docx"]
    return answers, sent, VariantLibrary(answers)


def _replace_article(sent: bytes, old_lines, new_lines, tracked: bool) -> bytes:
    def edit(e, mod):
        heading = e.find(old_lines[0])
        paras, nxt = [], heading.getnext()
        for _ in old_lines[1:]:
            paras.append(nxt)
            nxt = nxt.getnext()
        e.insert_after(paras[-1], [("条本文", t) for t in new_lines[1:]], tracked=tracked)
        for p in paras:
            e.delete_paragraph(p, tracked=tracked)

    return _edit(sent, edit)


def test_a_returned_article_recognised_as_a_library_variant(fresh):
    from contracts.redline import article_lines

    answers, sent, library = fresh
    doc = next(d for d in library.documents if d.file_name == "02_データ提供契約書")
    art = next(a for a in doc.articles if a.clause_id == "common_liability")
    recipient = next(v for v in library.variants(doc, "common_liability") if v.variant_id == "recipient")
    returned = _replace_article(sent, article_lines(art), recipient.lines, tracked=True)
    report = compare(read_docx(sent, "sent"), read_docx(returned, "returned"), library)
    res = by_title(report)["損害賠償"]
    assert res.status == "tracked"
    assert res.variant.matched == "recipient" and res.variant.favours == "recipient"
    assert res.variant.sent_variant == art.variant_id
    assert "相手方に有利" in res.variant.line() and recipient.summary in res.variant.line()
    assert any(a.get("library", {}).get("matched_variant") == "recipient" for a in report_dict(report)["articles"])


def test_new_wording_is_shown_as_a_diff_with_the_nearest_variant(fresh):
    answers, sent, library = fresh
    mod = fixture_editor()
    e = mod.Editor(sent)
    e.replace("累計で金600,000円", "累計で金100,000円", tracked=False)
    report = compare(read_docx(sent, "sent"), read_docx(e.save(), "returned"), library)
    res = by_title(report)["損害賠償"]
    assert res.status == "silent"
    assert res.variant.matched is None and res.variant.nearest == "balanced"
    assert "新しい文言" in res.variant.line()
    assert any("〔削除：600,000〕〔追加：100,000〕" in inline_diff(c.segments) or "〔削除：600〕〔追加：100〕" in inline_diff(c.segments)
               for c in res.silent_changes)


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("name, words", [
    ("corrupt.docx", "破損"),
    ("encrypted.docx", "パスワード"),
])
def test_unreadable_fixtures_exit_2_naming_the_file(name, words):
    result = CliRunner().invoke(main, ["compare", str(RETURNED / "sent.docx"), str(RETURNED / name)])
    assert result.exit_code == 2, result.output
    assert name in result.output and words in result.output
    assert "Traceback" not in result.output


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"not a word file at all", "DOCX ファイルとして読めません"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Word 97-2003"),
    (_zip({"hello.txt": b"hi"}), "word/document.xml"),
    (_zip({"word/document.xml": b"<w:document xmlns:w='" + W.encode() + b"'><w:body><w:p>"}), "XML が不正"),
    (_zip({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">'
                                b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                                b"<w:document xmlns:w='" + W.encode() + b"'><w:body/></w:document>"}), "DTD"),
])
def test_bad_inputs_are_refused(data, words):
    with pytest.raises(InputError) as err:
        read_docx(data, "returned.docx")
    assert "returned.docx" in str(err.value) and words in str(err.value)


# --------------------------------------------------------------------------- the command and its outputs


def test_cli_exit_1_on_a_silent_edit_and_writes_the_review_copy(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(RETURNED / "sent.docx"), str(RETURNED / "returned_silent.docx"),
                                       "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "サイレント修正" in result.output and "第27条（準拠法及び合意管轄）" in result.output
    assert (out / "compare.md").read_text(encoding="utf-8").startswith("# 返送版の照合結果: データ提供契約書")
    data = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert data["silent_edits"] == 2
    review = out / "returned_silent_照合.docx"
    with zipfile.ZipFile(review) as z:
        comments = etree.fromstring(z.read("word/comments.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
    texts = ["".join(t.text or "" for t in c.iter(f"{{{W}}}t")) for c in comments.iter(f"{{{W}}}comment")]
    assert len(texts) == 1 + 3  # the summary, two silent edits, one tracked change
    assert any("準拠法及び合意管轄" in t and "重要度 高" in t for t in texts)
    assert {c.get(f"{{{W}}}author") for c in comments.iter(f"{{{W}}}comment")} == {"keiyaku 照合"}
    starts = {e.get(f"{{{W}}}id") for e in body.iter(f"{{{W}}}commentRangeStart")}
    refs = {e.get(f"{{{W}}}id") for e in body.iter(f"{{{W}}}commentReference")}
    assert starts == refs and len(starts) == 4
    # the counterparty's tracked change is still in the review copy
    assert body.find(f".//{{{W}}}ins") is not None


def test_cli_clean_return_exits_0_and_prints_json(tmp_path):
    result = CliRunner().invoke(main, ["compare", str(RETURNED / "sent.docx"), str(RETURNED / "returned_word.docx"),
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["silent_edits"] == 0 and data["counts"]["added"] == 1
    assert data["answers_used"] is False


def test_cli_with_answers_matches_variants(tmp_path, fresh):
    answers, sent, library = fresh
    (tmp_path / "sent.docx").write_bytes(sent)
    mod = fixture_editor()
    e = mod.Editor(sent)
    e.replace("静岡地方裁判所", "東京地方裁判所")
    (tmp_path / "back.docx").write_bytes(e.save())
    result = CliRunner().invoke(main, ["compare", str(tmp_path / "sent.docx"), str(tmp_path / "back.docx"),
                                       "--answers", str(ROOT / "examples" / "data_provision.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    court = next(a for a in data["articles"] if a["sent"] and "準拠法" in a["sent"])
    assert court["library"]["matched_variant"] is None and "新しい文言" in court["library"]["text"]
    bad = CliRunner().invoke(main, ["compare", str(tmp_path / "sent.docx"), str(tmp_path / "back.docx"),
                                    "--answers", str(tmp_path / "missing.yaml")])
    assert bad.exit_code == 2 and "missing.yaml" in bad.output


def test_libreoffice_opens_the_review_copies(tmp_path):
    exe = soffice()
    assert exe, "LibreOffice (soffice) must be installed: run `make test`, which installs it"
    made = []
    for name in ("returned_word.docx", "returned_libreoffice.docx", "returned_autonumber.docx", "returned_silent.docx"):
        s = read_docx((RETURNED / "sent.docx").read_bytes(), "sent.docx")
        data = (RETURNED / name).read_bytes()
        r = read_docx(data, name)
        path = tmp_path / f"review_{name}"
        path.write_bytes(review_docx(data, compare(s, r), r))
        made.append(path)
    profile = tmp_path / "profile"
    result = subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path / "pdf"), *map(str, made)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for path in made:
        pdf = tmp_path / "pdf" / (path.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 5000, path.name
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "データ提供契約書" in "".join(text.split()), path.name


def test_markdown_report_lists_every_article():
    md = report_markdown(run("sent.docx", "returned_autonumber.docx"))
    assert "| 第16条（データの品質に関する協議） | 追加（変更履歴あり） | 中 |" in md
    assert "Word の自動番号付け: あり" in md
    assert "第16条→第17条（再識別等の禁止）" in md


def test_titles_above_articles_and_untyped_headings():
    """The other Japanese layout: 「（目的）」 on its own line above 「第1条　本契約は…」."""
    from docx import Document as WordDocument

    word = WordDocument()
    for text in ("業務委託契約書", "（目的）", "第1条　本契約は、業務の委託について定める。", "（委託料）",
                 "第2条　甲は、乙に委託料を支払う。", "２　支払期日は翌月末日とする。", "以上"):
        word.add_paragraph(text)
    buf = io.BytesIO()
    word.save(buf)
    from contracts.compare import sections

    front, articles, back = sections(read_docx(buf.getvalue(), "x.docx"))
    assert [(a.number, a.title) for a in articles] == [(1, "目的"), (2, "委託料")]
    assert [len(a.paras) for a in articles] == [2, 3]
    assert [p.text("accept") for p in back.paras] == ["以上"]


def test_a_table_added_inside_an_article_stays_in_that_article():
    sent = (RETURNED / "sent.docx").read_bytes()

    def edit(e, mod):
        anchor = e.find(mod._last_paragraph_of(e, "（目的）"))
        tbl = etree.Element(f"{{{W}}}tbl")
        for cells in (("区分", "金額"), ("基本料", "100,000円")):
            tr = etree.SubElement(tbl, f"{{{W}}}tr")
            for text in cells:
                p = etree.SubElement(etree.SubElement(tr, f"{{{W}}}tc"), f"{{{W}}}p")
                p.append(e.run(text))
        anchor.addnext(tbl)

    report = compare(read_docx(sent, "sent"), read_docx(_edit(sent, edit), "returned"))
    res = by_title(report)
    assert res["目的"].status == "silent"
    assert all(r.status == "unchanged" for r in report.results if r.kind == "article" and r.sent.title != "目的")
    assert next(r for r in report.results if r.kind == "back").status == "unchanged"
