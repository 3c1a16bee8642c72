# SPDX-License-Identifier: LGPL-2.1-only
#
# Derived from docxtpl 0.20.2 (python-docx-template, https://github.com/elapouya/python-docx-template),
# copyright (c) Eric Lapouyade, distributed under the GNU Lesser General Public License version 2.1
# (LICENSES/LGPL-2.1.txt). Changed for keiyaku on 2026-11-30: the steps of docxtpl's DocxTemplate that drafting
# needs, as functions on strings and lxml trees, so that drafting imports neither docxtpl nor python-docx; the
# table-cell and rich-text tags the template does not use are refused instead of handled. This file stays under
# LGPL-2.1; the rest of keiyaku is MIT.
"""docxtpl's text steps, replicated: tests/test_ooxml.py runs the real ones on the template and on made-up inputs and
compares their output with these."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts.render.ooxml import CoreProperties


def patch_xml(src: str) -> str:
    """docxtpl's ``patch_xml``: Word's runs inside {{ }}, {% %} and {# #} removed, {%p/tr/tc/r tags widened to their
    element, {%- -%} merged. Its table-cell and rich-text tags (colspan, cellbg, {{r }}, vm, hm) are refused
    wherever they appear: the template does not use them, so what docxtpl does with them is not replicated."""
    src = re.sub(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", "", src, flags=re.DOTALL)
    src = re.sub(r"{%(?:(?!%}).)*|{#(?:(?!#}).)*|{{(?:(?!}}).)*",
                 lambda m: re.sub("</w:t>.*?(<w:t>|<w:t [^>]*>)", "", m.group(0), flags=re.DOTALL), src,
                 flags=re.DOTALL)
    _refuse(src, r"{%\s*colspan\s+|{%\s*cellbg\s+")
    src = re.sub(r"<w:t>((?:(?!<w:t>).)*)({{.*?}}|{%.*?%})", r'<w:t xml:space="preserve">\1\2', src, flags=re.DOTALL)
    _refuse(src, r"{{r\s|{%r\s")
    # the steps below change nothing unless their tag is there (each pattern needs it literally): skipped then
    if "{%-" in src:
        src = re.sub(r"</w:t>(?:(?!</w:t>).)*?{%-", "{%", src, flags=re.DOTALL)
    if "-%}" in src:
        src = re.sub(r"-%}(?:(?!<w:t[ >]|{%|{{).)*?<w:t[^>]*?>", "%}", src, flags=re.DOTALL)
    for y in ("tr", "tc", "p", "r"):
        if f"{{%{y} " in src or f"{{{{{y} " in src:
            pattern = r"<w:Y[ >](?:(?!<w:Y[ >]).)*({%|{{)Y ([^}%]*(?:%}|}})).*?</w:Y>".replace("Y", y)
            src = re.sub(pattern, r"\1 \2", src, flags=re.DOTALL)
    for y in ("tr", "tc", "p"):
        if f"{{#{y} " in src:
            pattern = r"<w:Y[ >](?:(?!<w:Y[ >]).)*({#)Y ([^}#]*(?:#})).*?</w:Y>".replace("Y", y)
            src = re.sub(pattern, r"\1 \2", src, flags=re.DOTALL)
    _refuse(src, r"{%\s*vm\s*%}|{%\s*hm\s*%}")
    return re.sub(r"(?<=\{[\{%])(.*?)(?=[\}%]})", _clean_tag, src)


def _refuse(src: str, pattern: str) -> None:
    found = re.search(pattern, src)
    if found:
        raise ValueError(f"template tag not supported by keiyaku's renderer: {found.group(0)!r}")


def _clean_tag(m: re.Match) -> str:
    """Word's typographic quotes and escaped angle brackets inside a tag, back to what Jinja reads."""
    return (m.group(0).replace("&#8216;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'"))


def jinja_source(patched: str) -> str:
    """What docxtpl's ``render_xml_part`` hands to Jinja: every paragraph on a line of its own."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def render_xml_part(source: str, context: dict, env) -> str:
    """docxtpl's ``render_xml_part`` from its Jinja source (see ``jinja_source``): rendered, lines joined again,
    the escaped {_{ }_} {_% %_} restored, tabs and line breaks in texts made Word elements."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", env.from_string(source).render(context))
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return resolve_listing(xml)


_LISTING_CHARS = ("\t", "\n", "\a", "\f")


def resolve_listing(xml: str) -> str:
    """docxtpl's ``resolve_listing``: a tab, a line break, \\a (new paragraph) or \\f (page break) in a text becomes
    the Word elements for it, with the run's and paragraph's properties. Skipped when there are none (most texts)."""
    if not any(ch in xml for ch in _LISTING_CHARS):
        return xml

    def resolve_text(run_properties: str, paragraph_properties: str, m: re.Match) -> str:
        text = m.group(0).replace(
            "\t", f'</w:t></w:r><w:r>{run_properties}<w:tab/></w:r><w:r>{run_properties}<w:t xml:space="preserve">')
        text = text.replace("\a", f'</w:t></w:r></w:p><w:p>{paragraph_properties}<w:r>{run_properties}'
                                  '<w:t xml:space="preserve">')
        text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
        return text.replace("\f", '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
                                  f'<w:p>{paragraph_properties}<w:r>{run_properties}<w:t xml:space="preserve">')

    def resolve_run(paragraph_properties: str, m: re.Match) -> str:
        found = re.search(r"<w:rPr>.*?</w:rPr>", m.group(0))
        run_properties = found.group(0) if found else ""
        return re.sub(r"<w:t(?: [^>]*)?>.*?</w:t>", lambda t: resolve_text(run_properties, paragraph_properties, t),
                      m.group(0), flags=re.DOTALL)

    def resolve_paragraph(m: re.Match) -> str:
        found = re.search(r"<w:pPr>.*?</w:pPr>", m.group(0))
        paragraph_properties = found.group(0) if found else ""
        return re.sub(r"<w:r(?: [^>]*)?>.*?</w:r>", lambda r: resolve_run(paragraph_properties, r), m.group(0),
                      flags=re.DOTALL)

    return re.sub(r"<w:p(?: [^>]*)?>.*?</w:p>", resolve_paragraph, xml, flags=re.DOTALL)


@lru_cache(maxsize=1)
def _recovering_parser():
    from lxml import etree

    return etree.XMLParser(recover=True)


def fix_tables(xml: str):
    """docxtpl's ``fix_tables``: the rendered body parsed (leniently, as docxtpl does), and each table's grid
    widened to its widest row (a {%tc loop) or narrowed to it (say a {%tr loop that gave no rows), keeping the
    table's width."""
    from lxml import etree

    tree = etree.fromstring(xml, parser=_recovering_parser())
    ns = "{" + tree.nsmap["w"] + "}"
    for table in tree.iter(ns + "tbl"):
        grid = table.find(ns + "tblGrid")
        columns = grid.findall(ns + "gridCol")
        to_add = 0
        for row in table.iter(ns + "tr"):
            cells = row.findall(ns + "tc")
            if len(columns) + to_add < len(cells):
                to_add = len(cells) - len(columns)
        if to_add > 0:
            width = sum(float(c.get(ns + "w")) for c in columns if c.get(ns + "w") is not None)
            if width > 0:
                old_average = width / len(columns)
                new_average = width / (len(columns) + to_add)
                for c in columns:
                    c.set(ns + "w", str(int(float(c.get(ns + "w")) * new_average / old_average)))
                for _ in range(to_add):
                    etree.SubElement(grid, ns + "gridCol", {ns + "w": str(int(new_average))})
        columns = grid.findall(ns + "gridCol")
        widest = max((sum(_grid_span(cell, ns) for cell in row.findall(ns + "tc")) for row in table.iter(ns + "tr")),
                     default=0)
        to_remove = len(columns) - widest
        if to_remove > 0:
            removed_width = 0.0
            for c in columns[-to_remove:]:
                removed_width += float(c.get(ns + "w"))
                grid.remove(c)
            left = grid.findall(ns + "gridCol")
            extra_space = int(removed_width / len(left)) if left else 0
            for c in left:
                c.set(ns + "w", str(int(float(c.get(ns + "w")) + extra_space)))
    return tree


def _grid_span(cell, ns: str) -> int:
    properties = cell.find(ns + "tcPr")
    span = None if properties is None else properties.find(ns + "gridSpan")
    return 1 if span is None else int(span.get(ns + "val"))


_NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def fix_docpr_ids(tree, start: int = 1000) -> None:
    """docxtpl's ``fix_docpr_ids``: drawings numbered from 1001 in document order (render_init starts at 1000)."""
    for number, element in enumerate(tree.iter(f"{{{_NS_WP}}}docPr"), start + 1):
        element.attrib["id"] = str(number)


_RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def render_properties(props: CoreProperties, context: dict, env) -> None:
    """docxtpl's ``render_properties``: these text properties are Jinja templates too (each set, even when empty)."""
    for name in _RENDERED_PROPERTIES:
        setattr(props, name, env.from_string(getattr(props, name)).render(context))
