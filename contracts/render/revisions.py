"""Two versions of a document tree -> one .docx whose differences are real Word revisions (変更履歴).

Both versions are rendered by the ordinary clean-copy renderer, so every paragraph keeps its style (条見出し, 条本文,
項, 号 …) and the package (styles, header with the new version label, footer, page setup) is the new version's.
The bodies are then merged block by block:

* articles are paired by clause id (``contracts.redline.article_pairs``), the title and preamble with each other,
  the closing, signatures and schedules with each other; inside each, paragraphs are paired by similarity;
* a paired paragraph whose text differs gets ``w:del``/``w:ins`` runs from ``contracts.redline.diff_text`` (so a
  renumbered 「第5条」→「第6条」 shows as a change of its number) and ``w:pPrChange`` if its style changed;
* an inserted paragraph carries ``w:ins`` on its runs and on its paragraph mark, a deleted one ``w:del`` and
  ``w:delText``; table rows of a schedule carry ``w:trPr/w:ins`` or ``w:del``.

Accepting every revision therefore gives exactly the new clean copy's text and rejecting every revision the old
one's. Author and date are parameters (fixed by the caller), ids count from 1, and the zip is written with the
clean copy's fixed timestamps: the same two trees always give the same bytes. The settings turn tracking on
(``w:trackRevisions``), so that the counterparty's own edits are tracked too.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import zipfile

from lxml import etree

from contracts.document import Document
from contracts.redline import align, article_pairs, diff_text, normalize, similarity

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HEADING_STYLE = "条見出し"
ARTICLE_BODY_STYLES = ("条本文", "項", "号", "細目")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def render_redline(
    old: Document | None,
    new: Document | None,
    author: str,
    date: _dt.datetime | None,
) -> bytes:
    """The redline of ``old`` → ``new`` (either may be None: a document added or dropped from the set).
    ``date`` None leaves the revisions undated (w:date is optional); otherwise every revision carries it."""
    from contracts.render.docx import render_docx

    if old is None and new is None:
        raise ValueError("render_redline needs at least one document")
    old_bytes = render_docx(old) if old is not None else None
    new_bytes = render_docx(new) if new is not None else None
    base = new_bytes if new_bytes is not None else old_bytes
    old_blocks = _Sections.of(old_bytes, old) if old is not None else _Sections.empty()
    new_blocks = _Sections.of(new_bytes, new) if new is not None else _Sections.empty()

    builder = _Builder(author, date)
    body: list = []
    body += builder.blocks(old_blocks.front, new_blocks.front)
    olds = old.articles if old else ()
    news = new.articles if new else ()
    for i, j in article_pairs(olds, news):
        body += builder.blocks(old_blocks.articles[i] if i is not None else [],
                               new_blocks.articles[j] if j is not None else [])
    body += builder.blocks(old_blocks.back, new_blocks.back)

    with zipfile.ZipFile(io.BytesIO(base)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        settings = etree.fromstring(z.read("word/settings.xml"))
        core = z.read("docProps/core.xml")
        names = [i.filename for i in z.infolist()]
        members = {n: z.read(n) for n in names}
    xml_body = root.find(w("body"))
    sect = xml_body.find(w("sectPr"))
    for child in list(xml_body):
        xml_body.remove(child)
    for block in body:
        xml_body.append(block)
    if sect is not None:
        xml_body.append(sect)
    _track_revisions(settings)
    label = f"{old.version_label}→{new.version_label}" if old and new else (new or old).version_label
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    members["word/settings.xml"] = etree.tostring(settings, xml_declaration=True, encoding="UTF-8", standalone=True)
    members["docProps/core.xml"] = _core_comment(core, f"変更履歴（{label}）")
    return _zip(names, members)


# --------------------------------------------------------------------------- reading the rendered bodies


class _Sections:
    """A rendered body cut along the document tree: front (title, preamble), one block list per article, back."""

    def __init__(self, front, articles, back):
        self.front, self.articles, self.back = front, articles, back

    @classmethod
    def empty(cls) -> _Sections:
        return cls([], [], [])

    @classmethod
    def of(cls, data: bytes, doc: Document) -> _Sections:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        blocks = [b for b in root.find(w("body")) if b.tag in (w("p"), w("tbl"))]
        starts = [k for k, b in enumerate(blocks) if _style(b) == HEADING_STYLE]
        if len(starts) != len(doc.articles):
            raise ValueError(f"{doc.file_name}: {len(starts)} article headings rendered for {len(doc.articles)} articles")
        if not starts:
            return cls(blocks, [], [])
        articles = []
        for n, k in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else None
            if end is None:
                end = k + 1
                while end < len(blocks) and _style(blocks[end]) in ARTICLE_BODY_STYLES:
                    end += 1
            articles.append(blocks[k:end])
        last = len(blocks) if not articles else starts[-1] + len(articles[-1])
        return cls(blocks[: starts[0]], articles, blocks[last:])


def _style(block) -> str:
    if block.tag != w("p"):
        return ""
    ps = block.find(f"{w('pPr')}/{w('pStyle')}")
    return ps.get(w("val")) if ps is not None else ""


def _text(block) -> str:
    if block.tag == w("tbl"):
        return "|".join(_text(p) for p in block.iter(w("p")))
    return "".join(t.text or "" for t in block.iter(w("t")))


# --------------------------------------------------------------------------- building the merged body


class _Builder:
    def __init__(self, author: str, date: _dt.datetime | None):
        self.author = author
        if date is None:
            self.date = None
        elif date.tzinfo:
            self.date = date.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            self.date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = 1

    def mark(self, tag: str):
        el = etree.Element(w(tag))
        el.set(w("id"), str(self.next_id))
        el.set(w("author"), self.author)
        if self.date:
            el.set(w("date"), self.date)
        self.next_id += 1
        return el

    # -- block lists

    def blocks(self, olds: list, news: list) -> list:
        def score(a, b):
            if a.tag != b.tag:
                return 0.0
            if a.tag == w("tbl"):
                return max(0.6, similarity(normalize(_text(a)), normalize(_text(b))))
            return similarity(normalize(_text(a)), normalize(_text(b)))

        out = []
        for i, j in align(olds, news, lambda b: b.tag + normalize(_text(b)), lambda b: b.tag + normalize(_text(b)),
                          score=score, threshold=0.45):
            a = olds[i] if i is not None else None
            b = news[j] if j is not None else None
            if a is not None and b is not None:
                out.append(self.table(a, b) if b.tag == w("tbl") else self.paragraph(a, b))
            elif a is not None:
                out.append(self.whole_table(a, "del") if a.tag == w("tbl") else self.whole_paragraph(a, "del"))
            else:
                out.append(self.whole_table(b, "ins") if b.tag == w("tbl") else self.whole_paragraph(b, "ins"))
        return out

    # -- paragraphs

    def paragraph(self, old, new):
        old_text, new_text = _text(old), _text(new)
        if old_text == new_text and _style(old) == _style(new):
            return copy.deepcopy(new)
        p = etree.Element(w("p"))
        ppr = _ppr_copy(new)
        if _style(old) != _style(new):
            change = self.mark("pPrChange")
            change.append(_ppr_copy(old, bare=True))
            ppr.append(change)
        p.append(ppr)
        rpr = _run_props(new)
        for op, text in diff_text(old_text, new_text):
            p.append(self.run(op, text, rpr))
        return p

    def whole_paragraph(self, source, kind: str):
        """Every run and the paragraph mark inserted (kind "ins") or deleted ("del")."""
        p = etree.Element(w("p"))
        ppr = _ppr_copy(source)
        mark_rpr = ppr.find(w("rPr"))
        if mark_rpr is None:
            mark_rpr = etree.Element(w("rPr"))
            change = ppr.find(w("pPrChange"))
            if change is not None:
                change.addprevious(mark_rpr)
            else:
                ppr.append(mark_rpr)
        mark_rpr.insert(0, self.mark(kind))
        p.append(ppr)
        text = _text(source)
        if text:
            p.append(self.run("+" if kind == "ins" else "-", text, _run_props(source)))
        return p

    def run(self, op: str, text: str, rpr):
        r = etree.Element(w("r"))
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        t = etree.SubElement(r, w("delText" if op == "-" else "t"))
        t.text = text
        t.set(XML_SPACE, "preserve")
        if op == "=":
            return r
        wrapper = self.mark("del" if op == "-" else "ins")
        wrapper.append(r)
        return wrapper

    # -- tables (the schedules)

    def table(self, old, new):
        tbl = etree.Element(w("tbl"))
        for child in new:
            if child.tag != w("tr"):
                tbl.append(copy.deepcopy(child))
        old_rows = old.findall(w("tr"))
        new_rows = new.findall(w("tr"))

        def first_cell(row):
            cell = row.find(w("tc"))
            return normalize(_text(cell)) if cell is not None else ""

        def score(a, b):
            head = 1.0 if first_cell(a) == first_cell(b) else 0.0
            return 0.6 * head + 0.4 * similarity(normalize(_text(a)), normalize(_text(b)))

        for i, j in align(old_rows, new_rows, lambda r: normalize(_text(r)), lambda r: normalize(_text(r)),
                          score=score, threshold=0.5):
            a = old_rows[i] if i is not None else None
            b = new_rows[j] if j is not None else None
            if a is not None and b is not None and len(a.findall(w("tc"))) == len(b.findall(w("tc"))):
                tbl.append(self.row(a, b))
            else:
                if a is not None:
                    tbl.append(self.whole_row(a, "del"))
                if b is not None:
                    tbl.append(self.whole_row(b, "ins"))
        return tbl

    def row(self, old, new):
        tr = etree.Element(w("tr"))
        old_cells = old.findall(w("tc"))
        cells = iter(old_cells)
        for child in new:
            if child.tag != w("tc"):
                tr.append(copy.deepcopy(child))
                continue
            old_cell = next(cells)
            tc = etree.SubElement(tr, w("tc"))
            for c in child:
                if c.tag not in (w("p"), w("tbl")):
                    tc.append(copy.deepcopy(c))
            blocks = self.blocks([b for b in old_cell if b.tag in (w("p"), w("tbl"))],
                                 [b for b in child if b.tag in (w("p"), w("tbl"))])
            for b in blocks:
                tc.append(b)
            if not blocks or blocks[-1].tag != w("p"):
                etree.SubElement(tc, w("p"))  # a cell ends with a paragraph
        return tr

    def whole_row(self, source, kind: str):
        tr = etree.Element(w("tr"))
        trpr = None
        for child in source:
            if child.tag == w("tc"):
                tc = etree.SubElement(tr, w("tc"))
                for c in child:
                    if c.tag == w("p"):
                        tc.append(self.whole_paragraph(c, kind))
                    elif c.tag == w("tbl"):
                        tc.append(self.whole_table(c, kind))
                    else:
                        tc.append(copy.deepcopy(c))
            else:
                copied = copy.deepcopy(child)
                if child.tag == w("trPr"):
                    trpr = copied
                tr.append(copied)
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            first = tr[0] if len(tr) else None
            if first is not None and first.tag == w("tblPrEx"):
                first.addnext(trpr)
            else:
                tr.insert(0, trpr)
        trpr.append(self.mark(kind))
        return tr

    def whole_table(self, source, kind: str):
        tbl = etree.Element(w("tbl"))
        for child in source:
            tbl.append(self.whole_row(child, kind) if child.tag == w("tr") else copy.deepcopy(child))
        return tbl


def _ppr_copy(p, bare: bool = False):
    """A copy of the paragraph's properties; ``bare``: without mark run properties and changes (for pPrChange)."""
    ppr = p.find(w("pPr"))
    ppr = copy.deepcopy(ppr) if ppr is not None else etree.Element(w("pPr"))
    for tag in ("pPrChange",) + (("rPr", "sectPr") if bare else ()):
        for el in ppr.findall(w(tag)):
            ppr.remove(el)
    return ppr


def _run_props(p):
    r = p.find(w("r"))
    return r.find(w("rPr")) if r is not None else None


# --------------------------------------------------------------------------- package parts

# w:settings children that come before w:trackRevisions in the schema (CT_Settings is a sequence)
_BEFORE_TRACK = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                 "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                 "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                 "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                 "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                 "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                 "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                 "revisionView")


def _track_revisions(settings) -> None:
    if settings.find(w("trackRevisions")) is not None:
        return
    before = {w(t) for t in _BEFORE_TRACK}
    index = 0
    for k, child in enumerate(settings):
        if child.tag in before:
            index = k + 1
    settings.insert(index, etree.Element(w("trackRevisions")))


def _core_comment(core: bytes, text: str) -> bytes:
    root = etree.fromstring(core)
    desc = root.find("{http://purl.org/dc/elements/1.1/}description")
    if desc is None:
        desc = etree.SubElement(root, "{http://purl.org/dc/elements/1.1/}description")
    desc.text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _zip(names: list[str], members: dict[str, bytes]) -> bytes:
    """The package as every other DOCX of keiyaku is written (contracts.render.ooxml.write_zip)."""
    from contracts.render.ooxml import Member, write_zip

    return write_zip(Member.of(name, members[name]) for name in names)
