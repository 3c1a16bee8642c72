"""Generated Word drafts, read back as a user would read them."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest
import yaml
from docx import Document as WordDocument
from lxml import etree

from contracts.answers import load_answers, validate_answers
from contracts.generate import build_set
from tests.conftest import ARTICLE_HEADING, EXAMPLES, FIXTURES, ROOT, docx_lines, docx_styles, keiyaku, keiyaku_process

EXPECTED_SETS = {
    "data_provision": ["01_秘密保持契約書.docx", "02_データ提供契約書.docx", "03_受講規約.docx", "04_受講者誓約書.docx"],
    "hackathon": ["01_秘密保持契約書.docx", "02_ハッカソンデータ提供契約書.docx", "03_参加規約.docx"],
    "paid_consulting": ["01_秘密保持契約書.docx", "02_業務委託契約書.docx", "03_参加規約.docx"],
    "joint_research": ["01_秘密保持契約書.docx", "02_共同研究契約書.docx"],
}
LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}|〇〇|○○|TODO|None|undefined|\bTrue\b|\bFalse\b")


def example_answers(stem: str):
    return validate_answers(yaml.safe_load((ROOT / "examples" / f"{stem}.yaml").read_text(encoding="utf-8")))


def test_every_model_has_an_example():
    assert sorted(p.stem for p in EXAMPLES) == sorted(EXPECTED_SETS)


@pytest.mark.parametrize("model", sorted(EXPECTED_SETS))
def test_example_produces_the_models_document_set(example_sets, model):
    names = sorted(p.name for p in example_sets[model].glob("*.docx"))
    for expected in EXPECTED_SETS[model]:
        assert expected in names
    if model == "joint_research":
        assert any(n.startswith("03_学生誓約書") for n in names)


def test_articles_are_numbered_consecutively_and_references_resolve(example_docx):
    for path in example_docx:
        lines = docx_lines(path)
        numbers = [int(m.group(1)) for m in map(ARTICLE_HEADING.match, lines) if m]
        if not numbers:  # pledges without articles are allowed to be a list of promises
            continue
        assert numbers == list(range(1, len(numbers) + 1)), path.name
        body = "\n".join(line for line in lines if not ARTICLE_HEADING.match(line))
        # Every 第N条 that is not a statute citation points to an article that exists.
        for m in re.finditer(r"(?<![法令則])第(\d+)条", body):
            before = body[max(0, m.start() - 30):m.start()]
            if re.search(r"(法律|(?<!方)法|令|規則)[^。]*$", before):
                continue
            assert int(m.group(1)) <= len(numbers), f"{path.name}: {body[max(0, m.start()-20):m.end()+10]}"


def test_paragraph_and_item_numbering(example_docx):
    for path in example_docx:
        styles = docx_styles(path)
        for style, text in styles:
            if style == "項":
                assert re.match(r"^[２-９][０-９]*　", text) or re.match(r"^[１-９][０-９]+　", text), (path.name, text)
            if style == "号":
                assert re.match(r"^（\d+）　", text), (path.name, text)


def test_no_leftover_template_text(example_docx):
    for path in example_docx:
        text = "\n".join(docx_lines(path))
        m = LEFTOVER.search(text)
        assert m is None, f"{path.name}: {text[max(0, m.start() - 30):m.end() + 30]}"


def test_parties_appear_in_preamble_and_signatures(example_sets):
    for model, folder in example_sets.items():
        answers = example_answers(model)
        provider, recipient = answers.parties.provider.name, answers.parties.recipient.name
        for path in folder.glob("*.docx"):
            styles = docx_styles(path)
            text = "\n".join(t for _, t in styles)
            preamble = [t for s, t in styles if s == "前文"]
            signatures = [t for s, t in styles if s == "署名"]
            if preamble and any(st == "末文" for st, _ in styles):  # a contract signed by both parties
                assert provider in preamble[0] and recipient in preamble[0], path.name
                assert provider in signatures and recipient in signatures, path.name
            assert recipient in text, path.name


def test_clean_copy_carries_a_version_label_and_no_tool_notice(example_docx):
    for path in example_docx:
        if "review" in path.parts:
            continue
        doc = WordDocument(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        header = "".join(p.text for p in doc.sections[0].header.paragraphs)
        assert "keiyaku" not in text and "専門家による確認" not in text and "専門家" not in header, path.name
        assert header == f"{doc.paragraphs[0].text}（第1版）", header
        props = doc.core_properties
        assert props.title == doc.paragraphs[0].text
        assert props.author == "" and "keiyaku" not in (props.comments + props.keywords + props.category)
        assert props.comments == "第1版" and "・" in props.subject


def test_review_copy_says_it_is_internal_and_must_be_reviewed(tmp_path):
    from contracts.generate import build_set

    result = build_set(load_answers(ROOT / "examples" / "hackathon.yaml"))
    for name, blob in result.files.items():
        if not name.startswith("review/") or not name.endswith(".docx"):
            continue
        path = tmp_path / "r.docx"
        path.write_bytes(blob)
        doc = WordDocument(str(path))
        assert "専門家による確認" in doc.paragraphs[1].text, name
        header = "".join(p.text for p in doc.sections[0].header.paragraphs)
        assert "社外秘" in header and "要専門家確認" in header
        assert "要専門家確認" in doc.core_properties.category


def test_version_label_from_the_answers(tmp_path):
    from contracts.generate import build_set

    data = yaml.safe_load((ROOT / "examples" / "data_provision.yaml").read_text(encoding="utf-8"))
    data["deal"]["version"] = {"drafter": "provider", "number": 2, "date": "2027-03-01"}
    result = build_set(validate_answers(data))
    path = tmp_path / "c.docx"
    path.write_bytes(result.files["02_データ提供契約書.docx"])
    doc = WordDocument(str(path))
    header = "".join(p.text for p in doc.sections[0].header.paragraphs)
    assert header == "データ提供契約書（甲案・第2版・2027年3月1日）"
    assert doc.core_properties.comments == "甲案・第2版・2027年3月1日"


def test_page_is_a4_with_page_numbers_and_japanese_fonts(example_docx):
    path = example_docx[0]
    doc = WordDocument(str(path))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="游明朝"' in styles and 'w:ascii="Century"' in styles and 'w:eastAsia="ja-JP"' in styles


def test_real_styles_are_used(example_docx):
    used = {s for path in example_docx for s, _ in docx_styles(path)}
    assert {"契約書タイトル", "条見出し", "条本文", "項", "号", "末文", "署名"} <= used


def test_every_xml_part_parses_strictly_and_relationships_resolve(example_docx):
    for path in example_docx:
        z = zipfile.ZipFile(path)
        names = set(z.namelist())
        parser = etree.XMLParser(recover=False)
        for name in names:
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(z.read(name), parser)
        for rels in (n for n in names if n.endswith(".rels")):
            base = rels.replace("_rels/", "").removesuffix(".rels")
            folder = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
            for rel in etree.fromstring(z.read(rels)):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                resolved = target.lstrip("/") if target.startswith("/") else _norm(folder + target)
                assert resolved in names, f"{path.name}: {rels} -> {target}"


def _norm(p: str) -> str:
    parts = []
    for seg in p.split("/"):
        if seg == "..":
            parts.pop()
        elif seg and seg != ".":
            parts.append(seg)
    return "/".join(parts)


def test_same_answers_give_byte_identical_docx(tmp_path):
    """Once in this process and once in another one, whose string hashes (and so set orders) differ."""
    ex = EXAMPLES[0]
    assert keiyaku("generate", ex, "--out", tmp_path / "a").exit_code == 0
    assert keiyaku_process("generate", ex, "--out", tmp_path / "b", env={"PYTHONHASHSEED": "random"}).returncode == 0
    digests = [{p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / run).glob("*.docx")}
               for run in ("a", "b")]
    assert digests[0] == digests[1] and digests[0]


def test_markup_in_user_text_stays_literal_and_no_paragraph_is_lost(tmp_path):
    data = yaml.safe_load((FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8"))
    nasty = "A&B <研究所> {{ 7*7 }} {% raw %}'\"</w:t> {_{ x }_}"
    data["parties"]["recipient"]["name"] = nasty
    data["data"]["title"] = "{_% if %_} & <データ>"
    result = build_set(validate_answers(data))
    for doc in result.documents:
        path = tmp_path / f"{doc.file_name}.docx"
        path.write_bytes(result.files[f"{doc.file_name}.docx"])
        lines = [line for line in docx_lines(path) if line]
        assert any(nasty in line for line in lines), doc.file_name
        assert len(lines) == len(doc.text_lines()), doc.file_name  # the clean copy carries no notice
        if doc.schedules:
            assert any("{_% if %_} & <データ>" in line for line in lines)
