"""The part-by-part package writer gives exactly what docxtpl and python-docx give, and copies what it does not change.

contracts.render.ooxml renders only the parts docxtpl renders and keeps every other member as the template's (or
the clean copy's) bytes. These tests pin that down against the libraries themselves: the plain docxtpl render +
python-docx save of the same document, the python-docx edits the review copy stands for, and python-docx's own
load and save of what we wrote. If any of them differs, the drafts users receive would change. ooxml replicates the
library steps with lxml (so that drafting imports neither library): each is also compared with the library's own,
on the template and on made-up inputs that reach the branches the template does not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import io
import re
import time
import zipfile

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from contracts.answers import load_answers
from contracts.generate import prepare
from contracts.render import docxtpl_steps, ooxml
from contracts.render.docx import TEMPLATE, _set_properties, jinja_env, render_docx, render_package
from contracts.render.review import (
    AUTHOR,
    COMMENT_DATE,
    HEADING_STYLE,
    INITIALS,
    REVIEW_MARK,
    add_review_comments,
    comment_paragraphs,
    review_copy,
)
from tests.conftest import EXAMPLES, keiyaku_process

RENDERED = {"word/document.xml", "word/header1.xml", "docProps/core.xml"}  # what rendering the template changes
JST = datetime.timezone(datetime.timedelta(hours=9))
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


def test_the_review_copy_from_the_clean_copys_trees_is_the_one_from_its_bytes(documents):
    """A set starts each review copy from its clean copy's package as written (Package.reopened), not from the
    clean copy's bytes read back: the same review copy either way."""
    for doc in documents:
        notes = notes_for(doc)
        package = render_package(doc)
        clean = package.to_bytes()
        assert clean == render_docx(doc)
        assert review_copy(package.reopened(), doc, notes) == add_review_comments(clean, doc, notes), doc.file_name


@pytest.mark.parametrize("blank", ["tail", "empty"])
def test_a_tree_a_parse_would_change_is_read_from_its_bytes(documents, blank):
    """A parse drops a text of white space only and reads an empty one (<a></a>) as none (<a/>): a part holding
    either is not handed over by Package.reopened but read from its bytes, as Package.from_bytes reads it."""
    from lxml import etree

    package = render_package(documents[0])
    body = package.part(package.main).find(qn("w:body"))
    if blank == "tail":
        body[0].tail = "\n  "
    else:
        etree.SubElement(body[0], qn("w:r")).text = ""
    edited = ooxml._serialize(package.part(package.main))
    data = package.to_bytes()
    read = ooxml._serialize(ooxml.Package.from_bytes(data).part(package.main))
    assert read != edited  # the tree itself would have given other bytes
    assert ooxml._serialize(package.reopened().part(package.main)) == read


@pytest.mark.parametrize("lines", [[""], ["", "", "x"], ["\n二行目\tタブ", "\r", " 空白 "], ["a&b <c>", "\t"]])
def test_a_comment_is_written_as_python_docx_writes_it(documents, lines):
    clean = render_docx(documents[0])
    package = ooxml.Package.from_bytes(clean)
    heading_id = ooxml.style_ids(package, HEADING_STYLE)[0]
    first = ooxml.paragraphs_in_style(package, heading_id)[0]
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


# --------------------------------------------------------------------------- the replicated library steps, one by one


def test_the_shipped_template_is_stored_as_our_zip_writer_deflates_it():
    """The template's members are copied as stored (nothing is compressed again when a process starts): that is only
    what python-docx would write while each stored member is what ``Member.of`` deflates from its content."""
    stored = ooxml.read_members(TEMPLATE.read_bytes())
    assert stored == [ooxml.Member.of(name, blob) for name, blob in members(TEMPLATE.read_bytes()).items()]


def test_the_prepared_template_is_what_docxtpl_hands_to_jinja():
    """docxtpl's own patch_xml of the body, header and footer, as render_xml_part passes them on. Preparing the
    template also checks that it has none of the docxtpl tags docxtpl_steps.patch_xml refuses instead of replicating."""
    reference = DocxTemplate(TEMPLATE)
    reference.init_docx()
    prepared = ooxml.template(TEMPLATE)

    def handed_to_jinja(xml: str) -> str:
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", reference.patch_xml(xml))

    assert prepared.body_source == handed_to_jinja(reference.get_xml())
    stories = [(part.partname.lstrip("/"), handed_to_jinja(reference.get_part_xml(part)))
               for uri in (reference.HEADER_URI, reference.FOOTER_URI)
               for _, part in reference.get_headers_footers(uri)]
    assert list(prepared.story_sources) == stories and len(stories) == 2
    assert "{%tr " in reference.get_xml() and "{%p " in reference.get_xml()  # the tags these sources come from


def _p(*texts: str, ppr: str = "") -> str:
    runs = "".join(f"<w:r><w:rPr><w:b/></w:rPr><w:t>{t}</w:t></w:r>" for t in texts)
    return f"<w:p>{ppr}{runs}</w:p>"


PATCH_CASES = [
    _p("{{ a }}", ppr='<w:pPr><w:pStyle w:val="x"/></w:pPr>'),
    _p("{", "{ split.", "name }", "}") + _p("{%p if x %}") + _p(" text ") + _p("{%p endif %}"),
    "<w:tbl><w:tr><w:tc>" + _p("{%tr for r in rows %}") + "</w:tc></w:tr><w:tr><w:tc>" + _p("{{ r }}")
    + "</w:tc></w:tr><w:tr><w:tc>" + _p("{%tr endfor %}") + "</w:tc></w:tr></w:tbl>",
    "<w:tbl><w:tr><w:tc>" + _p("{%tc for c in cols %}") + "</w:tc><w:tc>" + _p("{{ c }}") + "</w:tc></w:tr></w:tbl>",
    _p("before") + _p("{%- if x -%}") + _p("after") + _p("a {%- if x %}", "b", "{% endif -%} c") + _p("{%r if y %}".replace("%r", "%"), "z{% endif %}"),
    _p("{{ “quoted” &lt; ‘q’ &#8216; }}") + _p("{#p a comment #}") + _p("{#  plain comment #}"),
    _p("{{ a }} and {{ b }}", "no tag", "{%r if c %}".replace("{%r", "{%"), "{% endif %}"),
]


@pytest.mark.parametrize("xml", PATCH_CASES)
def test_patch_xml_is_docxtpls(xml):
    assert docxtpl_steps.patch_xml(xml) == DocxTemplate(io.BytesIO()).patch_xml(xml)


@pytest.mark.parametrize("tag", ["{% colspan n %}", "{% cellbg c %}", "{{r rich }}", "{%r if x %}", "{% vm %}",
                                 "{% hm %}", "{%p vm %}"])
def test_patch_xml_refuses_the_docxtpl_tags_it_does_not_replicate(tag):
    """docxtpl rewrites these cells and runs; the template does not use them, so a template that did is refused."""
    xml = "<w:tbl><w:tr><w:tc><w:tcPr><w:tcW/></w:tcPr>" + _p(tag) + "</w:tc></w:tr></w:tbl>"
    assert DocxTemplate(io.BytesIO()).patch_xml(xml) != xml.replace("<w:t>", '<w:t xml:space="preserve">')
    with pytest.raises(ValueError, match="not supported"):
        docxtpl_steps.patch_xml(xml)


LISTING_CASES = [
    _p("no listing characters"),
    _p("tab\there", "line\nbreak", ppr='<w:pPr><w:pStyle w:val="x"/></w:pPr>') + _p("x\ay\fz"),
    '<w:p><w:r><w:t xml:space="preserve">\t\n</w:t></w:r><w:r><w:tab/></w:r></w:p>',
]


@pytest.mark.parametrize("xml", LISTING_CASES)
def test_resolve_listing_is_docxtpls(xml):
    assert docxtpl_steps.resolve_listing(xml) == DocxTemplate(io.BytesIO()).resolve_listing(xml)


def _table(widths: list[str | None], rows: list[list[int]]) -> str:
    grid = "".join("<w:gridCol/>" if w is None else f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = "".join("<w:tr>" + "".join("<w:tc><w:p/></w:tc>" if span == 1 else
                                      f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p/></w:tc>'
                                      for span in row) + "</w:tr>" for row in rows)
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


@pytest.mark.parametrize("tables", [
    [_table(["1361", "4535"], [[1, 1], [1, 1]])],  # the template's schedules
    [_table(["1361", "4535"], [])],  # a {%tr loop that gave no rows
    [_table(["1000", "2000"], [[1, 1, 1, 1]]), _table(["3000", "1001", "7"], [[2], [1]])],
    [_table([None, "900"], [[1, 1]]), _table(["100", "200", "300"], [[1, 2]]), _table(["1", "2", "3", "4"], [[1, 2]])],
])
def test_fix_tables_is_docxtpls(tables):
    from lxml import etree

    xml = f'<w:body xmlns:w="{ooxml._NS_W}">' + "<w:p/>".join(tables) + "</w:body>"
    ours = etree.tostring(docxtpl_steps.fix_tables(xml))
    assert ours == etree.tostring(DocxTemplate(io.BytesIO()).fix_tables(xml))


def test_fix_docpr_ids_is_docxtpls():
    from lxml import etree

    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    xml = f'<w:body xmlns:w="{ooxml._NS_W}" xmlns:wp="{wp}"><w:p><wp:docPr id="1"/></w:p><wp:docPr id="1"/></w:body>'
    ours, theirs = etree.fromstring(xml), etree.fromstring(xml)
    docxtpl_steps.fix_docpr_ids(ours)
    reference = DocxTemplate(io.BytesIO())
    reference.docx_ids_index = 1000
    reference.fix_docpr_ids(theirs)
    assert etree.tostring(ours) == etree.tostring(theirs) and b'id="1002"' in etree.tostring(ours)


CORE_WITHOUT_XSI = (b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
                    b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{{ d.title }}</dc:title></cp:coreProperties>')


@pytest.mark.parametrize("core", [members(TEMPLATE.read_bytes())["docProps/core.xml"], CORE_WITHOUT_XSI])
def test_core_properties_are_set_and_rendered_as_docxtpl_and_python_docx_do(documents, core):
    """Missing elements are appended in the order they are set, the xsi namespace is declared on the root."""
    from docx.opc.coreprops import CoreProperties
    from docx.oxml.parser import parse_xml

    doc = documents[-1]
    ours, theirs = ooxml.CoreProperties(ooxml.parse_xml(core)), CoreProperties(parse_xml(core))
    docxtpl_steps.render_properties(ours, {"d": doc}, jinja_env())
    reference = DocxTemplate(io.BytesIO())
    reference.docx = type("Holder", (), {"core_properties": theirs})
    reference.render_properties({"d": doc}, jinja_env())
    for props in (ours, theirs):
        _set_properties(props, doc)
        props.language = 42  # not a string: written as its text
    assert ooxml._serialize(ours._element) == ooxml._serialize(theirs._element)
    for props in (ours, theirs):
        with pytest.raises(ValueError):
            props.title = "長" * 256
        with pytest.raises(ValueError):
            props.revision = 0
        with pytest.raises(ValueError):
            props.created = "2000-01-01"


@pytest.mark.parametrize("name", [HEADING_STYLE, "草案表示", "Normal", "Heading 1", "Header", "Title", "BodyText",
                                  "Header Char", "no such style"])
def test_style_ids_are_python_docxs(name):
    from docx.enum.style import WD_STYLE_TYPE

    styles = WordDocument(TEMPLATE).styles
    package = ooxml.Package.from_bytes(TEMPLATE.read_bytes())
    try:
        with pytest.warns(UserWarning) if name == "BodyText" else contextlib.nullcontext():  # looked up by id
            expected = styles[name].style_id, styles.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    except (KeyError, ValueError) as error:
        with pytest.raises(type(error)):
            ooxml.style_ids(package, name)
        return
    assert ooxml.style_ids(package, name) == expected


@pytest.mark.parametrize("text", ["", "注記", " 前後 ", "a\tb\nc\rd", "A&B <x>"])
@pytest.mark.parametrize("style", ["草案表示", "Normal"])
def test_a_paragraph_is_inserted_as_python_docx_inserts_it(text, style):
    from docx.enum.style import WD_STYLE_TYPE

    word = WordDocument(TEMPLATE)
    title = word.paragraphs[0]
    title._p.addnext(title.insert_paragraph_before(text, style=style)._p)
    package = ooxml.Package.from_bytes(TEMPLATE.read_bytes())
    style_id = word.styles.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
    assert ooxml.style_ids(package, style)[1] == style_id
    ooxml.insert_paragraph_after(ooxml.body_paragraphs(package)[0], text, style_id)
    assert ooxml._serialize(package.part(package.main)) == ooxml._serialize(word.element)


def test_parts_are_parsed_and_serialised_as_python_docx_does():
    """Blank text between elements is dropped and entities are not resolved, as python-docx's parser does."""
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml

    xml = (f'<!DOCTYPE w:document [<!ENTITY e "実体">]>\n<w:document xmlns:w="{ooxml._NS_W}">\n  <w:body>\n'
           '    <w:p><w:r><w:t xml:space="preserve">  &e; &amp; </w:t></w:r></w:p>\n  </w:body>\n</w:document>')
    assert ooxml._serialize(ooxml.parse_xml(xml)) == serialize_part_xml(parse_xml(xml))
    assert b"\n  <w:body>" not in ooxml._serialize(ooxml.parse_xml(xml))


def test_comment_ids_and_dates_are_python_docxs(monkeypatch):
    from docx.oxml.parser import parse_xml
    from docx.oxml.simpletypes import ST_DateTime
    from docx.parts.comments import CommentsPart

    assert ooxml._serialize(ooxml.parse_xml(ooxml._DEFAULT_COMMENTS)) == ooxml._serialize(
        parse_xml(CommentsPart._default_comments_xml()))
    for ids in ([], [3, 1], [0, 1, 2**31 - 1], [0, 2, 2**31 - 1]):
        xml = f'<w:comments xmlns:w="{ooxml._NS_W}">' + "".join(f'<w:comment w:id="{i}"/>' for i in ids) + "</w:comments>"
        assert ooxml._next_comment_id(ooxml.parse_xml(xml)) == parse_xml(xml)._next_available_comment_id()
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # a naive time is taken as local time
    time.tzset()
    try:
        for date in (COMMENT_DATE, datetime.datetime(2000, 1, 1, 9), datetime.datetime(2000, 1, 1, 9, tzinfo=JST)):
            assert ooxml._xsd_datetime(date) == ST_DateTime.convert_to_xml(date)
        assert ooxml._xsd_datetime(datetime.datetime(2000, 1, 1, 9)) == "2000-01-01T00:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_generating_a_word_set_imports_neither_python_docx_nor_docxtpl(tmp_path):
    """The clean and review copies are written with lxml alone (python-docx is for comparisons and redlines)."""
    result = keiyaku_process("generate", EXAMPLES[0], "--out", tmp_path, flags=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "lxml.etree" in imported and not imported & {"docx", "docxtpl"}
    assert len(list(tmp_path.glob("*.docx"))) >= 2 and len(list(tmp_path.glob("review/*.docx"))) >= 2
