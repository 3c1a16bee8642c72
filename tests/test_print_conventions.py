"""Drafts as Japanese offices print them (issue 13, item 3).

A Mincho face in LibreOffice too (the fontconfig rule in fonts/, proven with pdffonts after a real conversion),
outline levels on the title and article headings, 和暦 dates (`deal.date_style: wareki`), （以下余白） after the
last article, and on paper only: the 収入印紙 space on drafts that are taxable documents and the 契印 note.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document as WordDocument
from lxml import etree

from cli.main import main
from contracts import consistency, stamp
from contracts.answers import validate_answers
from contracts.assembly import BLANK_DATE_WAREKI, END_MARK, assemble_set, date_ja
from contracts.library import default_library
from tests.conftest import ROOT, docx_lines, docx_styles

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FONT_RULE = ROOT / "fonts" / "35-keiyaku-mincho.conf"


def example(model: str, **deal) -> dict:
    data = yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["deal"].update(deal)
    return data


def generate(tmp_path: Path, data: dict, name: str = "set") -> Path:
    """Write ``data`` as an answers file and run `keiyaku generate` on it (through click, not PATH)."""
    source = tmp_path / f"{name}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True, default_flow_style=False), encoding="utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(main, ["generate", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def fontconfig_with_rule(tmp_path: Path) -> Path:
    """A fontconfig file: the system configuration plus keiyaku's Mincho rule (whether or not `make` installed it)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{FONT_RULE}</include>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


# --------------------------------------------------------------------------- Mincho in LibreOffice


def test_the_font_rule_maps_the_word_fonts_to_a_mincho_face(tmp_path):
    fc_match = shutil.which("fc-match")
    assert fc_match, "fontconfig's fc-match is needed (Debian: fontconfig)"
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_with_rule(tmp_path))}
    for family in ("游明朝", "Yu Mincho", "ＭＳ 明朝", "Century"):
        got = subprocess.run([fc_match, "-f", "%{family[0]}", family], capture_output=True, text=True, env=env,
                             check=True).stdout
        assert got == "Noto Serif CJK JP", (family, got)


def test_libreoffice_prints_the_draft_in_mincho(tmp_path):
    """A real conversion: every font LibreOffice embeds is Noto Serif CJK JP (no Gothic, no DejaVu fallback)."""
    soffice, pdffonts = shutil.which("soffice"), shutil.which("pdffonts")
    assert soffice and pdffonts, "LibreOffice and poppler-utils must be installed: run `make test`"
    folder = generate(tmp_path, example("paid_consulting", execution="paper", date_style="wareki"))
    drafts = sorted(folder.glob("0[12]_*.docx"))
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_with_rule(tmp_path))}
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, drafts)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    for docx in drafts:
        pdf = tmp_path / "pdf" / f"{docx.stem}.pdf"
        listing = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts = {line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:] if line.strip()}
        assert fonts, listing
        assert all(f.startswith("NotoSerifCJKjp") for f in fonts), (docx.name, fonts)
        assert any("Bold" in f for f in fonts) and any("Regular" in f for f in fonts), fonts  # headings are bold
        text = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                              capture_output=True, text=True).stdout
        text = "".join(text.split())  # LibreOffice's PDF spaces out digits: 「令和 9 年」
        assert "（以下余白）" in text and re.search(r"令和\d+年\d+月\d+日", text), docx.name


def test_an_installed_font_rule_is_the_one_in_the_repository():
    installed = Path("/etc/fonts/conf.d") / FONT_RULE.name
    if not installed.exists():
        pytest.skip("`make` installs the rule; this machine has not run it")
    assert installed.read_bytes() == FONT_RULE.read_bytes()


def test_the_font_table_keeps_word_fonts_and_describes_yu_mincho(tmp_path):
    """Word users keep 游明朝/Century; no Noto or IPA name is written into the document."""
    folder = generate(tmp_path, example("hackathon"))
    for path in folder.glob("*.docx"):
        z = zipfile.ZipFile(path)
        table = etree.fromstring(z.read("word/fontTable.xml"))
        fonts = {f.get(W + "name"): f for f in table.iter(W + "font")}
        mincho = fonts["游明朝"]
        assert mincho.find(W + "altName").get(W + "val") == "Yu Mincho"
        assert mincho.find(W + "family").get(W + "val") == "roman" and mincho.find(W + "charset").get(W + "val") == "80"
        assert "Century" in fonts
        for part in ("word/styles.xml", "word/document.xml", "word/fontTable.xml"):
            xml = z.read(part).decode("utf-8")
            assert "Noto" not in xml and "IPA" not in xml, (path.name, part)


# --------------------------------------------------------------------------- outline levels


def test_title_and_article_headings_carry_outline_levels(tmp_path):
    folder = generate(tmp_path, example("joint_research"))
    for path in folder.glob("*.docx"):
        styles = etree.fromstring(zipfile.ZipFile(path).read("word/styles.xml"))
        levels = {}
        for style in styles.iter(W + "style"):
            name = style.find(W + "name").get(W + "val")
            lvl = style.find(f"{W}pPr/{W}outlineLvl")
            if lvl is not None:
                levels[name] = lvl.get(W + "val")
        assert levels.get("契約書タイトル") == "0", (path.name, levels)
        assert levels.get("条見出し") == "1", (path.name, levels)
        assert levels.get("別紙見出し") == "1", (path.name, levels)
        used = [s for s, _ in docx_styles(path)]
        assert used.count("契約書タイトル") == 1 and "条見出し" in used, path.name


# --------------------------------------------------------------------------- 和暦


@pytest.mark.parametrize("day, text", [
    (dt.date(2027, 4, 1), "令和9年4月1日"),
    (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2019, 4, 30), "平成31年4月30日"),
    (dt.date(1989, 1, 8), "平成元年1月8日"),
    (dt.date(1989, 1, 7), "昭和64年1月7日"),
    (dt.date(2020, 1, 1), "令和2年1月1日"),
])
def test_wareki_dates(day, text):
    assert date_ja(day, "wareki") == text
    assert date_ja(day) == f"{day.year}年{day.month}月{day.day}日"


def test_an_open_date_stays_blank_in_both_calendars():
    assert date_ja(None, "wareki") == BLANK_DATE_WAREKI == "令和　　年　　月　　日"
    assert date_ja(None) == "　　　　年　　月　　日"


def test_wareki_drafts_write_every_date_in_the_era_and_still_check_clean():
    lib = default_library()
    answers = validate_answers(example("data_provision", date_style="wareki", version={"number": 2, "date": "2027-03-01"}))
    docs = assemble_set(answers, lib)
    assert not consistency.check_set(answers, docs, lib)
    by_kind = {d.kind: d for d in docs}
    assert by_kind["nda"].date_line == "令和9年2月22日"
    assert by_kind["data_provision_agreement"].date_line == "令和9年4月1日"
    main_text = "\n".join(by_kind["data_provision_agreement"].text_lines())
    assert "令和9年2月22日付けで締結した「秘密保持契約書」" in main_text
    assert by_kind["data_provision_agreement"].version_label == "第2版・令和9年3月1日"
    pledge = next(d for d in docs if d.kind == "learner_pledge")
    assert pledge.date_line == BLANK_DATE_WAREKI
    terms = next(d for d in docs if d.kind == "learner_terms")
    assert terms.supplementary[-1] == "本規約は、令和9年4月1日から施行する。"
    for d in docs:
        for line in (d.date_line, *d.supplementary, d.version_label):
            assert not re.search(r"20\d\d年", line), (d.title, line)


def test_wareki_with_no_contract_date_leaves_the_era_line_blank(tmp_path):
    data = example("hackathon", date_style="wareki")
    data["deal"].pop("contract_date")
    data["deal"].pop("nda_date", None)
    folder = generate(tmp_path, data)
    lines = docx_lines(next(folder.glob("02_*.docx")))
    assert BLANK_DATE_WAREKI in lines


def test_date_style_is_read_by_the_engine_not_reported_as_ignored():
    from contracts import crosscheck

    answers = validate_answers(example("hackathon", date_style="wareki"))
    assert "deal.date_style" not in crosscheck.ignored_answers(answers, default_library())


# --------------------------------------------------------------------------- （以下余白）


def test_end_mark_follows_the_last_article_in_every_draft(tmp_path):
    folder = generate(tmp_path, example("data_provision"))
    for path in folder.glob("*.docx"):
        styles = docx_styles(path)
        marks = [i for i, (s, t) in enumerate(styles) if t == END_MARK]
        assert len(marks) == 1 and styles[marks[0]][0] == "以下余白", path.name
        last_heading = max(i for i, (s, _) in enumerate(styles) if s == "条見出し")
        body_styles = {"条本文", "項", "号", "細目", "附則"}
        between = [s for s, _ in styles[last_heading + 1:marks[0]]]
        assert between and set(between) <= body_styles, (path.name, between)
        after = [s for s, t in styles[marks[0] + 1:] if t]
        assert not any(s in body_styles | {"条見出し"} for s in after), (path.name, after)


# --------------------------------------------------------------------------- 収入印紙 and 契印 on paper


def stamp_tables(path: Path) -> list[str]:
    """The text of every table that holds the 収入印紙 box."""
    body = WordDocument(str(path)).element.body
    out = []
    for tbl in body.iter(W + "tbl"):
        text = "".join(t.text or "" for t in tbl.iter(W + "t"))
        if "収入印紙" in text:
            out.append(text)
    return out


@pytest.mark.parametrize("model", ["paid_consulting", "joint_research", "hackathon", "data_provision"])
@pytest.mark.parametrize("execution", ["paper", "electronic"])
def test_stamp_space_only_on_paper_drafts_that_are_taxable(tmp_path, model, execution):
    data = example(model, execution=execution)
    answers = validate_answers(data)
    docs = assemble_set(answers, default_library())
    assessed = {s.file_name: s for s in stamp.assess(answers, docs)}
    folder = generate(tmp_path, data)
    taxable_seen = 0
    for d in docs:
        path = folder / f"{d.file_name}.docx"
        tables = stamp_tables(path)
        s = assessed[d.file_name]
        if execution == "paper" and s.taxable:
            taxable_seen += 1
            assert len(tables) == 1 and f"印紙税額　{s.tax_yen:,}円" in tables[0] and s.copies in tables[0], d.file_name
            # the box sits above the title, at the top of the first page
            body = WordDocument(str(path)).element.body
            first = next(iter(body.iterchildren()))
            assert first.tag == W + "tbl", d.file_name
        else:
            assert not tables, (d.file_name, execution, s.reason)
        review = folder / "review" / f"{d.file_name}_レビュー用.docx"
        assert len(stamp_tables(review)) == len(tables)
        lines = docx_lines(path)
        seal_note = [line for line in lines if "契印" in line]
        if execution == "paper" and d.signatures:
            assert len(seal_note) == 1 and seal_note[0].startswith("（注）"), d.file_name
        else:
            assert not seal_note, d.file_name
    if execution == "paper" and model in ("paid_consulting", "joint_research"):
        assert taxable_seen, f"{model}: the example on paper has a taxable draft (see contracts/stamp.py)"


def test_same_answers_give_byte_identical_paper_wareki_drafts(tmp_path):
    data = example("paid_consulting", execution="paper", date_style="wareki")
    digests = []
    for run in ("a", "b"):
        folder = generate(tmp_path, data, name=run)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.docx")})
    assert digests[0] == digests[1] and len(digests[0]) == 6
