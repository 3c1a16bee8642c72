"""keiyaku redline: Word revisions between two versions of the answers, and the change list.

The core promise is checked twice: applying the revisions in code, and in a headless LibreOffice (Basic macro
「すべて承諾」/「すべて元に戻す」): accepting every change gives exactly the new clean draft's text, rejecting every
change the old one's.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cli.main import main
from contracts.answers import answers_from_bytes, load_answers
from contracts.generate import build_set, prepare
from contracts.redline import (
    build_redline,
    diff_documents,
    diff_text,
    new_of,
    old_of,
    pair_documents,
)
from tests.conftest import ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
V1 = ROOT / "examples" / "data_provision.yaml"
V2 = ROOT / "examples" / "negotiation" / "data_provision_v2.yaml"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def answers_with(path: Path, **changes):
    """The answers of ``path`` with dotted paths replaced (``deal__deletion__within_days=60``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        keys = dotted.split("__")
        node = data
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return answers_from_bytes(yaml.safe_dump(data, allow_unicode=True).encode("utf-8"), str(path))


@pytest.fixture(scope="module")
def v1_v2():
    old, new = load_answers(V1), load_answers(V2)
    result = build_redline(old, new)
    return old, new, result


@pytest.fixture(scope="module")
def renumbering():
    """A version that drops two articles (no personal information: 個人情報の取扱い and 再識別等の禁止 go), so every
    later article is renumbered, whose deletion period changes, and whose schedule gains a row (cross-border)."""
    old = load_answers(V1)
    new = answers_with(V1, data__personal_info="none", data__cross_border=True, deal__deletion__within_days=45,
                       deal__version={"drafter": "recipient", "number": 3})
    return old, new, build_redline(old, new)


# --------------------------------------------------------------------------- text diff


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙はのを、。第条項0123456789 　ab", max_size=60),
       st.text(alphabet="甲乙はのを、。第条項0123456789 　ab", max_size=60))
def test_diff_text_gives_back_both_texts(old, new):
    segments = diff_text(old, new)
    assert old_of(segments) == old and new_of(segments) == new
    for a, b in zip(segments, segments[1:]):
        assert a[0] != b[0]  # merged
        assert not (a[0] == "+" and b[0] == "-")  # deletion before insertion


def test_numbers_change_whole_and_renumbering_is_a_change():
    assert diff_text("遅くとも30日以内に", "遅くとも60日以内に") == [("=", "遅くとも"), ("-", "30"), ("+", "60"), ("=", "日以内に")]
    assert diff_text("第5条（秘密保持）", "第6条（秘密保持）") == [("=", "第"), ("-", "5"), ("+", "6"), ("=", "条（秘密保持）")]


def test_a_rewritten_sentence_reads_as_one_change_not_a_comb():
    old = "乙は、受講者に限り、演習に必要な範囲で提供データを自己の端末に複製させることができる。"
    new = "ただし、乙は、受講者が提供データを自己の端末その他の記録媒体に複製することができないよう措置を講じる。"
    changes = [s for s in diff_text(old, new) if s[0] != "="]
    assert len(changes) <= 8


# --------------------------------------------------------------------------- the change list


def test_articles_are_aligned_by_clause_and_renumbering_is_reported(renumbering):
    old, new, _ = renumbering
    _, old_docs, _, _ = prepare(old)
    _, new_docs, _, _ = prepare(new)
    main_old = next(d for d in old_docs if d.file_name == "02_データ提供契約書")
    main_new = next(d for d in new_docs if d.file_name == "02_データ提供契約書")
    d = diff_documents(main_old, main_new)
    by_clause = {a.clause_id: a for a in d.articles}
    assert by_clause["common_personal_info"].status == "deleted"
    assert by_clause["common_no_reidentification"].status == "deleted"
    assert by_clause["common_post_termination"].status == "changed"  # 30 → 45 days
    # an article after the dropped ones whose text did not change: only its number moved
    moved = [a for a in d.articles if a.status == "renumbered"]
    assert moved and all(a.old.number == a.new.number + 2 for a in moved if a.old.number > 16)
    assert by_clause["dp_purpose"].status == "unchanged"


def test_summary_lists_changed_articles_with_annotations(v1_v2):
    _, _, result = v1_v2
    data = json.loads(result.files["review/redline_summary.json"])
    assert data["author"] == "株式会社ひだまりマート" and data["date"] == "2027-03-15"
    main_doc = next(d for d in data["documents"] if d["title"] == "データ提供契約書")
    changed = {a["clause_id"]: a for a in main_doc["articles"]}
    post = changed["common_post_termination"]
    assert post["status"] == "changed"
    assert any("〔削除：30〕〔追加：60〕" in line["diff"] for line in post["lines"])
    assert post["annotation"]["summary"] and post["annotation"]["favours_ja"]
    gen_ai = changed["common_generative_ai"]
    assert (gen_ai["old_variant"], gen_ai["new_variant"]) == ("prohibited", "approved_only")
    assert gen_ai["old_annotation"]["favours"] != gen_ai["annotation"]["favours"]
    pledge = next(d for d in data["documents"] if d["title"] == "受講者誓約書")
    assert pledge["status"] == "deleted"
    md = result.files["review/redline_summary.md"].decode()
    assert "# 変更点一覧（第1版 → 甲案・第2版・2027年3月15日）" in md
    assert "~~30~~**60**" in md and "論点:" in md and "社内検討用" in md


def test_documents_pair_by_file_name():
    _, a, _, _ = prepare(load_answers(V1))
    _, b, _, _ = prepare(load_answers(V2))
    pairs = pair_documents(a, b)
    assert [(o.file_name if o else None, n.file_name if n else None) for o, n in pairs] == [
        ("01_秘密保持契約書", "01_秘密保持契約書"), ("02_データ提供契約書", "02_データ提供契約書"),
        ("03_受講規約", "03_受講規約"), ("04_受講者誓約書", None)]


# --------------------------------------------------------------------------- the DOCX


def _xml(data: bytes, part: str = "word/document.xml"):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(part))


def test_redline_docx_carries_word_revisions_with_fixed_author_and_date(v1_v2):
    _, _, result = v1_v2
    root = _xml(result.files["02_データ提供契約書_変更履歴.docx"])
    marks = [el for el in root.iter() if el.tag in (w("ins"), w("del"), w("pPrChange"))]
    assert marks
    assert {m.get(w("author")) for m in marks} == {"株式会社ひだまりマート"}
    assert {m.get(w("date")) for m in marks} == {"2027-03-15T00:00:00Z"}
    ids = [m.get(w("id")) for m in marks]
    assert len(ids) == len(set(ids))
    # a deleted paragraph: its mark is deleted too, its text is in w:delText
    deleted_marks = root.findall(f".//{w('pPr')}/{w('rPr')}/{w('del')}")
    assert deleted_marks and root.findall(f".//{w('delText')}")
    # nothing of the tool's name reaches the counterparty
    assert b"keiyaku" not in result.files["02_データ提供契約書_変更履歴.docx"]
    settings_xml = _xml(result.files["02_データ提供契約書_変更履歴.docx"], "word/settings.xml")
    assert settings_xml.find(w("trackRevisions")) is not None


def test_renumbered_article_headings_are_tracked_changes(renumbering):
    _, _, result = renumbering
    root = _xml(result.files["02_データ提供契約書_変更履歴.docx"])
    headings = [p for p in root.iter(w("p")) if p.find(f"{w('pPr')}/{w('pStyle')}") is not None
                and p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "条見出し"]
    renumbered = [p for p in headings if p.find(w("del")) is not None and p.find(w("ins")) is not None
                  and p.find(f"{w('pPr')}/{w('rPr')}") is None]
    assert len(renumbered) >= 5
    first = renumbered[0]
    assert "".join(t.text for t in first.iter(w("delText"))).isdigit()
    # the default author when the new version names no drafter… here the recipient drafted it
    assert {m.get(w("author")) for m in root.iter(w("ins"))} == {"株式会社まなびリンク"}
    assert not any(m.get(w("date")) for m in root.iter(w("ins")))  # no deal.version.date: undated


def test_schedule_rows_and_whole_documents(renumbering, tmp_path):
    from contracts.render.revisions import render_redline

    old, _, result = renumbering
    root = _xml(result.files["02_データ提供契約書_変更履歴.docx"])
    assert root.findall(f".//{w('trPr')}/{w('ins')}")  # the cross-border row of the 別紙, inserted
    _, docs, _, _ = prepare(old)
    main_doc = next(d for d in docs if d.schedules)
    gone = render_redline(main_doc, None, "甲", None)
    assert _revised_lines(gone, "accept") == []
    assert _revised_lines(gone, "reject") == _clean_lines(build_set(old).files[f"{main_doc.file_name}.docx"], tmp_path, "o.docx")
    assert _xml(gone).findall(f".//{w('trPr')}/{w('del')}")


def test_same_answers_give_identical_bytes(v1_v2):
    old, new, result = v1_v2
    again = build_redline(old, new)
    assert again.files == result.files


def _revised_lines(data: bytes, mode: str) -> list[str]:
    """The text after accepting (mode "accept") or rejecting ("reject") every revision, applied here in code, in
    the same form as tests.conftest.docx_lines (table rows as 'a | b'), empty paragraphs left out."""
    root = _xml(data)
    drop, keep = (w("del"), w("ins")) if mode == "accept" else (w("ins"), w("del"))

    def para_text(p) -> tuple[str, bool]:
        parts = []
        for t in p.iter(w("t"), w("delText")):
            wrappers = {a.tag for a in t.iterancestors() if a.tag in (w("ins"), w("del"))}
            if drop in wrappers:
                continue
            parts.append(t.text or "")
        gone = p.find(f"{w('pPr')}/{w('rPr')}/{drop}") is not None
        return "".join(parts), gone

    out: list[str] = []
    carry = ""
    for block in root.find(w("body")):
        if block.tag == w("p"):
            text, gone = para_text(block)
            if gone:
                carry += text
                continue
            out.append(carry + text)
            carry = ""
        elif block.tag == w("tbl"):
            for tr in block.iter(w("tr")):
                trpr = tr.find(w("trPr"))
                if trpr is not None and trpr.find(drop) is not None:
                    continue
                cells = []
                for tc in tr.findall(w("tc")):
                    cells.append("".join(para_text(p)[0] for p in tc.findall(w("p"))))
                out.append(" | ".join(cells))
    if carry:
        out.append(carry)
    return [x for x in out if x.strip()]


def _clean_lines(data: bytes, tmp_path: Path, name: str) -> list[str]:
    from tests.conftest import docx_lines

    path = tmp_path / name
    path.write_bytes(data)
    return [x for x in docx_lines(path) if x.strip()]


def assert_round_trip(old, new, result, tmp_path) -> int:
    """Accepting every revision gives the new clean drafts, rejecting them the old; returns how many documents changed."""
    old_files, new_files = build_set(old).files, build_set(new).files
    changed = 0
    for name in result.names.values():
        clean = name.replace("_変更履歴", "")
        expected_new = _clean_lines(new_files[clean], tmp_path, "n.docx") if clean in new_files else []
        expected_old = _clean_lines(old_files[clean], tmp_path, "o.docx") if clean in old_files else []
        assert _revised_lines(result.files[name], "accept") == expected_new, name
        assert _revised_lines(result.files[name], "reject") == expected_old, name
        changed += expected_new != expected_old
    return changed


@pytest.mark.parametrize("case", ["v1_v2", "renumbering"])
def test_accepting_in_code_gives_new_and_rejecting_gives_old(case, request, tmp_path):
    old, new, result = request.getfixturevalue(case)
    assert_round_trip(old, new, result, tmp_path)


def test_libreoffice_accept_all_gives_new_and_reject_all_gives_old(v1_v2, renumbering, tmp_path):
    """LibreOffice opens every redline; its 「すべて承諾」 gives the new draft, 「すべて元に戻す」 the old one."""
    from tests.conftest import docx_lines
    from tests.lo_basic import accept_reject, soffice

    assert soffice(), "LibreOffice (soffice) must be installed: run `make test`, which installs it"
    cases = []
    for label, (old, new, result) in (("a", v1_v2), ("b", renumbering)):
        old_files, new_files = build_set(old).files, build_set(new).files
        for name in result.names.values():
            path = tmp_path / f"{label}_{name}"
            path.write_bytes(result.files[name])
            clean = name.replace("_変更履歴", "")
            cases.append((path, new_files.get(clean), old_files.get(clean)))
    done = accept_reject([c[0] for c in cases], tmp_path / "lo")
    for path, new_bytes, old_bytes in cases:
        accepted, rejected = done[path]
        got_new = [x for x in docx_lines(accepted) if x.strip()]
        got_old = [x for x in docx_lines(rejected) if x.strip()]
        assert got_new == (_clean_lines(new_bytes, tmp_path, "n.docx") if new_bytes else []), path.name
        assert got_old == (_clean_lines(old_bytes, tmp_path, "o.docx") if old_bytes else []), path.name


# --------------------------------------------------------------------------- the command


def test_cli_writes_the_redlines_and_the_summary(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["redline", str(V1), str(V2), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert "02_データ提供契約書_変更履歴.docx" in names
    assert "review/redline_summary.md" in names and "review/redline_summary.json" in names
    assert "データ提供契約書: 変更" in result.output
    again = CliRunner().invoke(main, ["redline", str(V1), str(V2), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = CliRunner().invoke(main, ["redline", str(V1), str(V2), "--out", str(out), "--force",
                                       "--author", "甲 法務部"])
    assert forced.exit_code == 0, forced.output
    root = _xml((out / "02_データ提供契約書_変更履歴.docx").read_bytes())
    assert {m.get(w("author")) for m in root.iter(w("ins"))} == {"甲 法務部"}


def test_cli_bad_answers_exit_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: nonsense\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["redline", str(V1), str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
    assert not (tmp_path / "o").exists()
    both = CliRunner().invoke(main, ["redline", "-", "-", "--out", str(tmp_path / "o")])
    assert both.exit_code == 2


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_model_round_trips_a_change_of_stance(example, tmp_path):
    """Every example against itself drafted for the other side: the revisions give back both drafts."""
    old = load_answers(example)
    flipped = "recipient" if old.stance != "recipient" else "provider"
    new = answers_with(example, stance=flipped, deal__version={"drafter": "provider", "number": 2})
    assert assert_round_trip(old, new, build_redline(old, new), tmp_path)


def test_paper_drafts_round_trip_with_the_stamp_space_and_the_seal_note(tmp_path):
    """On paper the drafts carry a 収入印紙 space and a 契印 note after the signatures: the redline keeps both."""
    example = ROOT / "examples" / "paid_consulting.yaml"
    old = answers_with(example, deal__execution="paper")
    new = answers_with(example, deal__execution="paper", stance="provider",
                       deal__version={"drafter": "provider", "number": 2})
    assert_round_trip(old, new, build_redline(old, new), tmp_path)
