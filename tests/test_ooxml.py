"""The part-by-part package writer gives exactly what docxtpl and python-docx give, and copies what it does not change.

contracts.render.ooxml renders only the parts docxtpl renders and keeps every other member as the template's (or
the clean copy's) bytes. These tests pin that down against the libraries themselves: the plain docxtpl render +
python-docx save of the same document, the python-docx edits the review copy stands for, and python-docx's own
load and save of what we wrote. If any of them differs, the drafts users receive would change.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from contracts.answers import load_answers
from contracts.generate import prepare
from contracts.render import ooxml
from contracts.render.docx import TEMPLATE, _set_properties, jinja_env, render_docx
from contracts.render.review import (
    AUTHOR,
    COMMENT_DATE,
    HEADING_STYLE,
    INITIALS,
    REVIEW_MARK,
    add_review_comments,
    comment_paragraphs,
)
from tests.conftest import EXAMPLES

RENDERED = {"word/document.xml", "word/header1.xml", "docProps/core.xml"}  # what rendering the template changes
REVIEWED = RENDERED | {"word/comments.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"}


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(data: bytes) -> bytes:
    """``data`` rewritten by zipfile with the fixed attributes keiyaku promises (member order kept)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in members(data).items():
            info = zipfile.ZipInfo(name, date_time=ooxml.ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, blob, compresslevel=6)
    return out.getvalue()


def saved(word) -> bytes:
    buf = io.BytesIO()
    word.save(buf)
    return rezip(buf.getvalue())


def reference_clean(doc) -> bytes:
    """The clean copy as plain docxtpl renders it and python-docx saves it."""
    tpl = DocxTemplate(TEMPLATE)
    tpl.render({"d": doc}, jinja_env=jinja_env(), autoescape=True)
    _set_properties(tpl.docx.core_properties, doc)
    return saved(tpl.docx)


def reference_review(clean: bytes, doc, notes: dict[str, list[str]]) -> bytes:
    """The review copy as python-docx's own API writes it: a comment per article, the notice, the marks."""
    word = WordDocument(io.BytesIO(clean))
    heading_id = word.styles[HEADING_STYLE].style_id
    headings = [p for p in word.paragraphs if p.style.style_id == heading_id]
    for paragraph, article in zip(headings, doc.articles):
        first, *rest = comment_paragraphs(article, notes.get(article.clause_id, []))
        comment = word.add_comment(paragraph.runs, text=first, author=AUTHOR, initials=INITIALS)
        for line in rest:
            comment.add_paragraph(line)
        ooxml.set_comment_date(comment, COMMENT_DATE)
    title = word.paragraphs[0]
    notice = title.insert_paragraph_before(doc.notice, style="草案表示")
    title._p.addnext(notice._p)
    for section in word.sections:
        texts = list(section.header._element.iter(qn("w:t")))
        texts[-1].text += f"　{REVIEW_MARK}"
    props = word.core_properties
    props.title = f"{doc.title}（レビュー用・社外秘）"
    props.comments = doc.notice
    props.category = "社内検討用・要専門家確認"
    props.keywords = "草案; 要専門家確認; 社外秘"
    return saved(word)


@pytest.fixture(scope="module")
def documents():
    docs = prepare(load_answers(EXAMPLES[0]))[1]
    first = docs[0].articles[0]
    hostile = "A&B <x> \"q\" 'a' {{ y }} {_{ z }_}\n改行と\tタブ　"
    para = dataclasses.replace(first.paragraphs[0], text=hostile)
    article = dataclasses.replace(first, paragraphs=(para,) + first.paragraphs[1:])
    return [*docs, dataclasses.replace(docs[0], articles=(article,) + docs[0].articles[1:])]


NOTES = {"x": ["unused"]}


def notes_for(doc) -> dict[str, list[str]]:
    """Notes on the first article, one with a tab and a line break (python-docx writes those as elements)."""
    return {doc.articles[0].clause_id: ["重要度高: 注意\tタブ\n改行", " 前後に空白 "]}


def test_the_clean_copy_is_what_docxtpl_and_python_docx_write(documents):
    for doc in documents:
        assert render_docx(doc) == reference_clean(doc), doc.file_name


def test_the_review_copy_is_what_python_docx_writes(documents):
    for doc in documents:
        clean = render_docx(doc)
        notes = notes_for(doc)
        assert add_review_comments(clean, doc, notes) == reference_review(clean, doc, notes), doc.file_name


@pytest.mark.parametrize("lines", [[""], ["", "", "x"], ["\n二行目\tタブ", "\r", " 空白 "], ["a&b <c>", "\t"]])
def test_a_comment_is_written_as_python_docx_writes_it(documents, lines):
    clean = render_docx(documents[0])
    package = ooxml.Package.from_bytes(clean)
    heading_id = ooxml.style_ids(package, HEADING_STYLE)[0]
    first = next(p for p in ooxml.body_paragraphs(package) if ooxml.paragraph_style(p) == heading_id)
    ooxml.Comments(package).add(first, lines, AUTHOR, INITIALS, COMMENT_DATE)
    word = WordDocument(io.BytesIO(clean))
    paragraph = next(p for p in word.paragraphs if p.style.style_id == heading_id)
    comment = word.add_comment(paragraph.runs, text=lines[0], author=AUTHOR, initials=INITIALS)
    for line in lines[1:]:
        comment.add_paragraph(line)
    ooxml.set_comment_date(comment, COMMENT_DATE)
    ours, theirs = members(package.to_bytes()), members(saved(word))
    assert [n for n in ours if ours[n] != theirs[n]] == ["docProps/core.xml"]  # untouched here: <x></x> kept
    assert list(ours) == list(theirs)


def test_python_docx_loads_and_saves_both_copies_unchanged(documents):
    """Every part we wrote is in python-docx's form; only the clean copy's empty properties differ in spelling
    (docxtpl leaves them as <dc:creator></dc:creator>, a parse gives <dc:creator/>), not in value."""
    doc = documents[-1]
    clean = render_docx(doc)
    review = add_review_comments(clean, doc, notes_for(doc))
    assert saved(WordDocument(io.BytesIO(review))) == review
    resaved = members(saved(WordDocument(io.BytesIO(clean))))
    ours = members(clean)
    assert list(resaved) == list(ours)
    assert [n for n in ours if resaved[n] != ours[n]] == ["docProps/core.xml"]
    assert resaved["docProps/core.xml"] == re.sub(rb"<([\w:]+)></\1>", rb"<\1/>", ours["docProps/core.xml"])
    text = [p.text for p in WordDocument(io.BytesIO(review)).paragraphs]
    assert text[1] == doc.notice and "{_{ z }_}" in "".join(text)


def test_parts_rendering_does_not_change_are_the_templates_bytes(documents):
    template = members(TEMPLATE.read_bytes())
    doc = documents[0]
    clean = members(render_docx(doc))
    review = members(add_review_comments(render_docx(doc), doc, NOTES))
    assert list(clean) == list(template)
    assert list(review) == list(template) + ["word/comments.xml"]
    for name, blob in template.items():
        if name not in RENDERED:
            assert clean[name] == blob, name
        if name not in REVIEWED:
            assert review[name] == blob, name
    assert len(template["word/styles.xml"]) > 100_000  # the big part this saves re-serialising


def test_the_shipped_template_is_in_python_docx_form():
    """Copying a member's bytes equals re-serialising it only while python-docx would write the template as it is."""
    data = TEMPLATE.read_bytes()
    assert members(saved(WordDocument(io.BytesIO(data)))) == members(data)
    assert list(members(saved(WordDocument(io.BytesIO(data))))) == list(members(data))


def test_write_zip_is_byte_identical_to_zipfile():
    blobs = {"[Content_Types].xml": b"<Types/>", "word/empty.xml": b"", "word/日本語.xml": "本文".encode() * 500,
             "big.bin": bytes(range(256)) * 400}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in blobs.items():
            info = zipfile.ZipInfo(name, date_time=ooxml.ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, blob, compresslevel=6)
    ours = ooxml.write_zip(ooxml.Member.of(name, blob) for name, blob in blobs.items())
    assert ours == out.getvalue()
    assert ooxml.write_zip(ooxml.read_members(ours)) == ours  # members copied compressed, as they are
