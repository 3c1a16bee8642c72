"""Build templates/contract.docx: the docxtpl template every contract is rendered through.

Run `make template` after changing it. The template carries real named styles (title, article heading,
paragraphs, items, signature, schedule, comments) so that legal staff can restyle a whole draft in one step,
A4 with the margins of published Japanese model contracts, 游明朝/Century with ja-JP, and page numbers.

The title is outline level 1 and the article and schedule headings level 2 (Word's navigation pane and PDF
bookmarks show the draft's table of contents). The font table describes 游明朝 and Century the way Word writes
them (a Mincho face, Shift-JIS charset, roman family). LibreOffice 7.4 ignores those hints and ``w:altName`` for
substitution (measured: 游明朝 still became Noto Sans CJK JP), so Mincho in LibreOffice comes from the fontconfig
rule in fonts/ that ``make`` installs.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "contract.docx"
EAST_ASIAN = "游明朝"
LATIN = "Century"
BODY_PT = 10.5
CH = Pt(BODY_PT)  # one full-width character


def set_fonts(rpr_parent, east_asian=EAST_ASIAN, latin=LATIN):
    if hasattr(rpr_parent, "get_or_add_rPr"):
        rpr = rpr_parent.get_or_add_rPr()
    else:  # w:rPrDefault: a plain element
        rpr = rpr_parent.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attr), None)  # a theme font would override the named fonts
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")


def paragraph_style(doc, name, *, size=BODY_PT, bold=False, align=None, left=0, first=0, before=0, after=0,
                    keep_next=False, color=None, page_break_before=False, base="Normal", outline=None):
    st = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        st.base_style = doc.styles[base]
        st.quick_style = True
    st.font.size = Pt(size)
    st.font.bold = bold
    if color:
        st.font.color.rgb = RGBColor.from_string(color)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.left_indent = left
    pf.first_line_indent = first
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.keep_with_next = keep_next
    pf.page_break_before = page_break_before
    pf.widow_control = True
    set_fonts(st.element)
    if outline is not None:
        set_outline_level(st.element, outline)
    return st


def set_outline_level(style_el, level: int) -> None:
    """w:outlineLvl (0 = level 1) in the style's paragraph properties, at its place in the schema's sequence."""
    ppr = style_el.get_or_add_pPr()
    for old in ppr.findall(qn("w:outlineLvl")):
        ppr.remove(old)
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    before = {qn(t) for t in _PPR_BEFORE_OUTLINE}
    anchor = None
    for child in ppr:
        if child.tag in before:
            anchor = child
    if anchor is None:
        ppr.insert(0, el)
    else:
        anchor.addnext(el)


# CT_PPrBase children that precede w:outlineLvl, in schema order.
_PPR_BEFORE_OUTLINE = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
)


def add_field(paragraph, instr):
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._r.append(el)
        elif kind == "text":
            run = paragraph.add_run("1")
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run = paragraph.add_run()
            run._r.append(el)


def build() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin, section.right_margin = Mm(25), Mm(25)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)

    # Document defaults: Japanese fonts and language everywhere, including runs with no style.
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    set_fonts(rpr_default)
    rpr_default.find(qn("w:rPr")).find(qn("w:sz")).set(qn("w:val"), str(int(BODY_PT * 2)))
    rpr_default.find(qn("w:rPr")).find(qn("w:szCs")).set(qn("w:val"), str(int(BODY_PT * 2)))
    spacing = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    normal = paragraph_style(doc, "Normal", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    normal.paragraph_format.line_spacing = 1.15

    paragraph_style(doc, "契約書タイトル", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=12,
                    outline=0)
    paragraph_style(doc, "草案表示", size=8.5, color="C00000", after=10)
    paragraph_style(doc, "宛先", after=12)
    paragraph_style(doc, "前文", first=CH, after=8)
    paragraph_style(doc, "条見出し", bold=True, before=8, keep_next=True, outline=1)
    paragraph_style(doc, "条本文", left=0, first=CH)
    paragraph_style(doc, "項", left=CH, first=-CH)
    paragraph_style(doc, "号", left=CH * 4, first=-CH * 3)
    paragraph_style(doc, "細目", left=CH * 5, first=-CH)
    paragraph_style(doc, "附則", before=10, keep_next=True)
    paragraph_style(doc, "以下余白", align=WD_ALIGN_PARAGRAPH.RIGHT, before=6)
    paragraph_style(doc, "印紙欄", size=8, align=WD_ALIGN_PARAGRAPH.CENTER, color="7F7F7F")
    paragraph_style(doc, "印紙注記", size=8, color="595959")
    paragraph_style(doc, "注記", size=8.5, before=12)
    paragraph_style(doc, "末文", first=CH, before=14, after=10, keep_next=True)  # with the date and signatures
    paragraph_style(doc, "日付", after=10, keep_next=True)
    paragraph_style(doc, "署名当事者", left=CH * 18, before=10, keep_next=True)
    paragraph_style(doc, "署名", left=CH * 20, keep_next=True)
    paragraph_style(doc, "別紙見出し", size=12, bold=True, page_break_before=True, after=10, outline=1)
    paragraph_style(doc, "別紙本文", size=10)
    paragraph_style(doc, "Header", size=8, color="595959")
    paragraph_style(doc, "Footer", size=9, align=WD_ALIGN_PARAGRAPH.CENTER)
    # Comment styles for the review copy: Word looks these up by name.
    paragraph_style(doc, "annotation text", size=9)
    doc.styles["annotation text"].element.set(qn("w:styleId"), "CommentText")
    ref = doc.styles.add_style("annotation reference", WD_STYLE_TYPE.CHARACTER)
    ref.element.set(qn("w:styleId"), "CommentReference")
    ref.font.size = Pt(8)

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.add_run("{{ d.header_line }}")
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run("－ ")
    add_field(footer, "PAGE")
    footer.add_run(" / ")
    add_field(footer, "NUMPAGES")
    footer.add_run(" －")

    first = doc.paragraphs[0] if doc.paragraphs else None
    # The 収入印紙 space (paper drafts that are taxable documents): a box at the top left of the first page.
    doc.add_paragraph("{%p if d.stamp_box %}")
    stamp_table(doc)
    doc.add_paragraph("{%p endif %}")

    body = [
        ("契約書タイトル", "{{ d.title }}"),
        (None, "{%p if d.addressee %}"),
        ("宛先", "{{ d.addressee }}"),
        (None, "{%p endif %}"),
        (None, "{%p if d.preamble %}"),
        ("前文", "{{ d.preamble }}"),
        (None, "{%p endif %}"),
        (None, "{%p for a in d.articles %}"),
        ("条見出し", "{{ a.heading_line }}"),
        (None, "{%p for p in a.paragraphs %}"),
        (None, "{%p if p.number %}"),
        ("項", "{{ p.number }}　{{ p.text }}"),
        (None, "{%p else %}"),
        ("条本文", "{{ p.text }}"),
        (None, "{%p endif %}"),
        (None, "{%p for it in p['items'] %}"),
        ("号", "{{ it.label }}　{{ it.text }}"),
        (None, "{%p for s in it.subitems %}"),
        ("細目", "{{ s.label }}　{{ s.text }}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        (None, "{%p for line in d.supplementary %}"),
        ("附則", "{{ line }}"),
        (None, "{%p endfor %}"),
        (None, "{%p if d.end_mark %}"),
        ("以下余白", "{{ d.end_mark }}"),
        (None, "{%p endif %}"),
        (None, "{%p if d.closing %}"),
        ("末文", "{{ d.closing }}"),
        (None, "{%p endif %}"),
        (None, "{%p if d.date_line %}"),
        ("日付", "{{ d.date_line }}"),
        (None, "{%p endif %}"),
        (None, "{%p for s in d.signatures %}"),
        ("署名当事者", "{{ s.short_name }}"),
        (None, "{%p for line in s.lines %}"),
        ("署名", "{{ line }}{% if loop.last and s.seal %}　　{{ s.seal }}{% endif %}"),
        (None, "{%p endfor %}"),
        (None, "{%p endfor %}"),
        (None, "{%p if d.seal_note %}"),
        ("注記", "{{ d.seal_note }}"),
        (None, "{%p endif %}"),
        (None, "{%p for sch in d.schedules %}"),
        ("別紙見出し", "{{ sch.label }}　{{ sch.title }}"),
    ]
    for style, text in body:
        doc.add_paragraph(text, style=style or "Normal")
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        ("{%tr for r in sch.rows %}", ""),
        ("{{ r.label }}", "{{ r.value }}"),
        ("{%tr endfor %}", ""),
    ]
    for row, (a, b) in zip(table.rows, cells):
        row.cells[0].width, row.cells[1].width = Mm(45), Mm(115)
        for cell, text in ((row.cells[0], a), (row.cells[1], b)):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = doc.styles["別紙本文"]
    doc.add_paragraph("{%p endfor %}")
    if first is not None and not first.text:
        first._p.getparent().remove(first._p)

    buf = io.BytesIO()
    doc.save(buf)
    return _clean_package(buf.getvalue())


def stamp_table(doc) -> None:
    """One row: a dashed 24 x 30 mm box labelled 収入印紙, and beside it the tax and the copies that carry it."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    box, note = table.rows[0].cells
    box.width, note.width = Mm(24), Mm(80)
    row = table.rows[0]
    row.height = Mm(30)
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE

    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    note.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    box.paragraphs[0].text = "収入印紙"
    box.paragraphs[0].style = doc.styles["印紙欄"]
    note.paragraphs[0].text = "{{ d.stamp_box.note }}"
    note.paragraphs[0].style = doc.styles["印紙注記"]
    for cell, kind in ((box, "dashed"), (note, "nil")):
        tcpr = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        for side in ("top", "left", "bottom", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), kind)
            if kind != "nil":
                el.set(qn("w:sz"), "6")
                el.set(qn("w:space"), "0")
                el.set(qn("w:color"), "7F7F7F")
            borders.append(el)
        # CT_TcPr order: w:tcW, w:gridSpan, w:vMerge, w:tcBorders, w:shd, …, w:vAlign
        width = tcpr.find(qn("w:tcW"))
        if width is not None:
            width.addnext(borders)
        else:
            tcpr.insert(0, borders)
    # Fixed layout on a 24 + 80 mm grid (python-docx spreads the grid over the page width otherwise).
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), (Mm(24), Mm(80))):
        col.set(qn("w:w"), str(int(width.twips)))
    # No table-level borders: only the box is drawn. (CT_TblPr order: … w:jc, w:tblCellSpacing, w:tblInd,
    # w:tblBorders, w:shd, w:tblLayout …; autofit=False above wrote w:tblLayout fixed.)
    tblpr = table._tbl.tblPr
    tbl_borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        tbl_borders.append(el)
    tblpr.find(qn("w:tblLayout")).addprevious(tbl_borders)


FONT_TABLE_ENTRIES = (
    # As Word writes them: 游明朝 is a Mincho (roman) face in the Shift-JIS charset, Century a roman Latin face.
    '<w:font w:name="游明朝"><w:altName w:val="Yu Mincho"/><w:panose1 w:val="02020400000000000000"/>'
    '<w:charset w:val="80"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    '<w:font w:name="Century"><w:panose1 w:val="02040604050505020304"/><w:charset w:val="00"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
)


def _clean_package(data: bytes) -> bytes:
    """Drop the default template's Mac-era leftovers (thumbnail, stylesWithEffects) and leave compatibility mode."""
    drop = {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info.filename)
            if info.filename in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
                text = content.decode("utf-8")
                text = re.sub(r"<Override[^>]*(thumbnail|stylesWithEffects)[^>]*/>", "", text)
                text = re.sub(r"<Default Extension=\"jpeg\"[^>]*/>", "", text)
                text = re.sub(r"<Relationship[^>]*(thumbnail|stylesWithEffects)[^>]*/>", "", text)
                content = text.encode("utf-8")
            if info.filename == "word/settings.xml":
                text = content.decode("utf-8")
                text = re.sub(r'(w:name="compatibilityMode" w:uri="[^"]*" w:val=")\d+(")', r"\g<1>15\2", text)
                content = text.encode("utf-8")
            if info.filename == "word/fontTable.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<w:fonts\b[^>]*>)", lambda m: m.group(1) + FONT_TABLE_ENTRIES, text, count=1)
                content = text.encode("utf-8")
            if info.filename == "docProps/app.xml":
                content = re.sub(rb"<Application>[^<]*</Application>", b"<Application>keiyaku</Application>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, content)
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    target.write_bytes(build())
    print(f"wrote {target}")
