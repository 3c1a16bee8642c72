"""Word packages part by part, with lxml alone: the one home of what keiyaku takes from python-docx and docxtpl.

A package is its zip members: a part is parsed only when a renderer asks for it, written back only if it was
parsed, and every other member keeps its compressed bytes, so the template's 361 KB styles.xml is never parsed or
compressed for a clean copy. The output is byte-identical to what docxtpl renders and python-docx saves
(tests/test_ooxml.py compares with the libraries themselves), because

* the shipped template is in python-docx's own form and its members are stored as our zip writer deflates them
  (both tested), so an unchanged member's bytes are what python-docx would have written;
* a part is parsed with python-docx's parser settings and serialised as its ``serialize_part_xml`` does;
* docxtpl's text steps (tag patching, rendering, table fix-up, property rendering) are replicated in
  ``contracts.render.docxtpl_steps`` (derived from docxtpl, so under its licence, LGPL-2.1), and the few python-docx
  edits the review copy makes (core properties, a paragraph, comments, style lookups) here, after python-docx
  (MIT, © Steve Canny: LICENSES/python-docx.txt);
* members are written in the same order with the same zip attributes as ``zipfile`` at compression level 6.

So drafting imports neither docx nor docxtpl (tested); lxml is imported inside the functions that need it, so
commands that never draft stay light. ``save_docx`` is for documents other modules build with python-docx.
"""

from __future__ import annotations

import datetime as _dt
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from contracts import cache
from contracts.render.docxtpl_steps import (
    fix_docpr_ids,
    fix_tables,
    jinja_source,
    patch_xml,
    render_properties,
    render_xml_part,
)

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_LEVEL = 6
_DOS_DATE = (ZIP_EPOCH[0] - 1980) << 9 | ZIP_EPOCH[1] << 5 | ZIP_EPOCH[2]
_DOS_TIME = ZIP_EPOCH[3] << 11 | ZIP_EPOCH[4] << 5 | ZIP_EPOCH[5] // 2
_CREATE_SYSTEM = zipfile.ZipInfo("x").create_system  # what zipfile writes on this platform
_EXTERNAL_ATTR = 0o600 << 16
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")

RT_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
RT_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CONTENT_TYPES = "[Content_Types].xml"
_NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_NS_W}}}{tag}"


# --------------------------------------------------------------------------- zip members


@dataclass(frozen=True)
class Member:
    """One zip member, already deflated: written as it is, never compressed twice."""

    name: str
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def of(cls, name: str, blob: bytes) -> Member:
        compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)  # what zipfile uses for ZIP_DEFLATED
        return cls(name, zlib.crc32(blob), len(blob), compressor.compress(blob) + compressor.flush())

    def blob(self) -> bytes:
        return zlib.decompress(self.deflated, -15)


def read_members(data: bytes) -> list[Member]:
    """A zip's members in order, each with its compressed bytes as stored (re-deflated if stored otherwise)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
                members.append(Member.of(info.filename, z.read(info)))
                continue
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            members.append(Member(info.filename, info.CRC, info.file_size, data[start:start + info.compress_size]))
    return members


def write_zip(members: Iterable[Member]) -> bytes:
    """The zip ``zipfile`` writes for these members with ZIP_EPOCH times and 0600 attributes (tests compare)."""
    out = bytearray()
    central = bytearray()
    count = 0
    for m in members:
        name, flags = _encode_name(m.name)
        offset = len(out)
        out += _LOCAL.pack(b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, m.crc,
                           len(m.deflated), m.size, len(name), 0)
        out += name
        out += m.deflated
        central += _CENTRAL.pack(b"PK\x01\x02", 20, _CREATE_SYSTEM, 20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME,
                                 _DOS_DATE, m.crc, len(m.deflated), m.size, len(name), 0, 0, 0, 0, _EXTERNAL_ATTR,
                                 offset)
        central += name
        count += 1
    start = len(out)
    out += central
    out += _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    if len(out) >= 0xFFFFFFFF or count >= 0xFFFF:
        raise ValueError("package too large for a plain zip")
    return bytes(out)


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


# --------------------------------------------------------------------------- a package, part by part


class Package:
    """A Word package as its members; parts are parsed on demand and re-serialised only if parsed."""

    def __init__(self, members: Iterable[Member]):
        self._members: dict[str, Member] = {m.name: m for m in members}
        self._order: list[str] = list(self._members)
        self._parsed: dict[str, Any] = {}
        self._readonly: dict[str, Any] = {}
        self._saved: list[Member] = []  # the members as to_bytes last wrote them

    @classmethod
    def from_bytes(cls, data: bytes) -> Package:
        return cls(read_members(data))

    def member(self, name: str) -> Member:
        return self._members[name]

    def blob(self, name: str) -> bytes:
        if name in self._parsed:
            return _serialize(self._parsed[name])
        return self._members[name].blob()

    def part(self, name: str):
        """The part's root element, parsed once (or taken over from ``_read``); it is written back on save."""
        element = self._parsed.get(name)
        if element is None:
            element = self._readonly.pop(name, None)
            if element is None:
                element = parse_xml(self._members[name].blob())
            self._parsed[name] = element
        return element

    def __contains__(self, name: str) -> bool:
        return name in self._members or name in self._parsed

    def _read(self, name: str):
        """The part's element for reading only: the edited one if parsed, else a parse that is not written back."""
        element = self._parsed.get(name)
        if element is None:
            element = self._readonly.get(name)
            if element is None:
                element = self._readonly[name] = parse_xml(self.blob(name))
        return element

    def set_part(self, name: str, element) -> None:
        """Replace (or add, at the end) a part by this element."""
        if name not in self:
            self._order.append(name)
        self._parsed[name] = element

    def related(self, source: str, reltype: str) -> list[str]:
        """The member names ``source`` ("" for the package) relates to with ``reltype``, in document order."""
        rels_name = _rels_name(source)
        if rels_name not in self:
            return []
        base = source.rpartition("/")[0]
        return [_resolve(base, r.get("Target")) for r in self._read(rels_name)
                if r.get("Type") == reltype and r.get("TargetMode") != "External"]

    @property
    def main(self) -> str:
        return self.related("", RT_OFFICE_DOCUMENT)[0]

    def add_part(self, source: str, reltype: str, name: str, content_type: str, element) -> None:
        """A new part related from ``source``: python-docx's next free rId, its content-type override in order."""
        from lxml import etree

        rels = self.part(_rels_name(source))
        taken = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        target = posixpath.relpath("/" + name, "/" + source.rpartition("/")[0])  # python-docx's relative_ref
        etree.SubElement(rels, f"{{{_NS_RELS}}}Relationship", {"Id": rid, "Type": reltype, "Target": target})
        types = self.part(_CONTENT_TYPES)
        partname = "/" + name
        override = etree.Element(f"{{{_NS_TYPES}}}Override", {"PartName": partname, "ContentType": content_type})
        later = [o for o in types.iterchildren(f"{{{_NS_TYPES}}}Override") if o.get("PartName") > partname]
        if later:
            later[0].addprevious(override)
        else:
            types.append(override)
        self.set_part(name, element)

    def to_bytes(self) -> bytes:
        self._saved = [Member.of(name, _serialize(self._parsed[name])) if name in self._parsed else self._members[name]
                       for name in self._order]
        return write_zip(self._saved)

    def reopened(self) -> Package:
        """What ``Package.from_bytes(self.to_bytes())`` reads, without reading it: the members as saved, and each
        part this package parsed handed over as its tree instead of parsed again from those bytes (the review copy
        starts from the clean copy this way). Only after ``to_bytes``; this package is not to be used afterwards.

        A tree is handed over only when parsing its bytes would give it back unchanged: python-docx's parser drops
        whitespace-only text (and an empty text is written as <a></a> but read back as <a/>), so a tree holding such
        a text is left to be parsed from its bytes."""
        package = Package(self._saved)
        package._readonly = {name: tree for name, tree in self._readonly.items() if name not in self._parsed}
        package._readonly.update((name, tree) for name, tree in self._parsed.items() if not _has_blank_text(tree))
        return package


def _rels_name(source: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = base.split("/") if base else []
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


@lru_cache(maxsize=1)
def _parser():
    """python-docx's parser settings (blank text dropped, entities not resolved) without its element classes, which
    only add methods: the tree and its serialisation are the same."""
    from lxml import etree

    return etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def parse_xml(blob: bytes | str):
    """A part's root element as python-docx parses it (``docx.oxml.parser.parse_xml``), as a plain lxml element."""
    from lxml import etree

    return etree.fromstring(blob, _parser())


def _has_blank_text(element) -> bool:
    """Whether the tree has a text (or tail) of nothing but XML white space, or an empty one."""
    return _blank_text_query()(element)


@lru_cache(maxsize=1)
def _blank_text_query():
    from lxml import etree

    return etree.XPath("boolean(//text()[not(normalize-space())])")


def _serialize(element) -> bytes:
    """python-docx's ``serialize_part_xml``."""
    from lxml import etree

    return etree.tostring(element, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- core properties

_NS_CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
_NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _text_property(tag: str) -> property:
    return property(lambda self: self._text(tag), lambda self, value: self._set_text(tag, value))


def _datetime_property(tag: str) -> property:
    return property(None, lambda self, value: self._set_datetime(tag, value))


class CoreProperties:
    """python-docx's ``CoreProperties`` (docx.opc.coreprops over docx.oxml.coreprops) on a core part's element: a
    missing element reads as "" and is appended when set, a text holds at most 255 characters, created and modified
    carry xsi:type. Only the properties docxtpl renders and keiyaku sets are here (dates and revision write-only)."""

    def __init__(self, element):
        self._element = element

    author = _text_property("dc:creator")
    category = _text_property("cp:category")
    comments = _text_property("dc:description")
    identifier = _text_property("dc:identifier")
    keywords = _text_property("cp:keywords")
    language = _text_property("dc:language")
    last_modified_by = _text_property("cp:lastModifiedBy")
    subject = _text_property("dc:subject")
    title = _text_property("dc:title")
    created = _datetime_property("dcterms:created")
    modified = _datetime_property("dcterms:modified")

    def _set_revision(self, value: int) -> None:
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"revision property requires positive int, got '{value}'")
        self._child("cp:revision").text = str(value)

    revision = property(None, _set_revision)

    def _find(self, tag: str):
        prefix, _, local = tag.partition(":")
        return self._element.find(f"{{{_NS_CORE[prefix]}}}{local}")

    def _child(self, tag: str):
        """The element, appended when missing: python-docx's ``get_or_add_*`` (every successor list is empty)."""
        child = self._find(tag)
        if child is None:
            from lxml import etree

            prefix, _, local = tag.partition(":")
            child = etree.Element(f"{{{_NS_CORE[prefix]}}}{local}", nsmap={prefix: _NS_CORE[prefix]})
            self._element.append(child)
        return child

    def _text(self, tag: str) -> str:
        child = self._find(tag)
        return "" if child is None or child.text is None else child.text

    def _set_text(self, tag: str, value) -> None:
        value = value if isinstance(value, str) else str(value)
        if len(value) > 255:
            raise ValueError(f"exceeded 255 char limit for property, got:\n\n'{value}'")
        self._child(tag).text = value

    def _set_datetime(self, tag: str, value: _dt.datetime) -> None:
        if not isinstance(value, _dt.datetime):
            raise ValueError(f"property requires <type 'datetime.datetime'> object, got {type(value)}")
        child = self._child(tag)
        child.text = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        # python-docx declares xsi on the root (a passing attribute) before using it on the child
        self._element.set(f"{{{_NS_XSI}}}foo", "bar")
        child.set(f"{{{_NS_XSI}}}type", "dcterms:W3CDTF")
        del self._element.attrib[f"{{{_NS_XSI}}}foo"]


def core_properties(package: Package) -> CoreProperties:
    """The package's core properties (the part is parsed, so written back)."""
    return CoreProperties(package.part(package.related("", RT_CORE)[0]))


# --------------------------------------------------------------------------- the template, once per process


@dataclass(frozen=True)
class Template:
    """A docxtpl template read and prepared once: its members as stored, its Jinja sources patched."""

    members: tuple[Member, ...]
    main: str
    body_source: str  # the document body as docxtpl hands it to Jinja
    story_sources: tuple[tuple[str, str], ...]  # (header or footer part, its Jinja source)


def template(path: Path) -> Template:
    """The template at ``path``, prepared once per process (again if the file changes on disk)."""
    stat = path.stat()
    return _prepared(str(path), stat.st_mtime_ns, stat.st_size)


_STORE = cache.PlainStore("docx-prepared")  # the template's prepared sources and style ids, across processes


@lru_cache(maxsize=2)
def _prepared(path: str, mtime_ns: int, size: int) -> Template:
    """The members keep their stored bytes: the shipped template's are what our zip writer deflates (tested), so
    nothing is compressed again; the body, headers and footers become docxtpl's Jinja sources."""
    from lxml import etree

    data = Path(path).read_bytes()
    members = tuple(read_members(data))
    package = Package(members)
    main = package.main
    key = f"template:{zlib.crc32(data):08x}:{len(data)}"  # the prepared sources, kept across processes by content
    stored = _STORE.get(key)
    if _is_prepared(stored):
        return Template(members, main, stored[0], tuple(tuple(s) for s in stored[1]))
    if any(o.get("ContentType") == CT_FOOTNOTES for o in package._read(_CONTENT_TYPES)):
        raise ValueError(f"{path}: footnotes in the template are not rendered")  # docxtpl would render them
    body = package._read(main).find(_w("body"))
    body_source = jinja_source(patch_xml(etree.tostring(body, encoding="unicode")))
    stories = []
    for reltype in (RT_HEADER, RT_FOOTER):
        for name in package.related(main, reltype):
            blob = package.blob(name)
            if blob:  # docxtpl renders the headers and footers that have content
                source = patch_xml(etree.tostring(parse_xml(blob), encoding="unicode"))
                stories.append((name, jinja_source(source)))
    _STORE.put(key, (body_source, tuple(stories)))
    return Template(members, main, body_source, tuple(stories))


def _is_prepared(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], tuple) and all(isinstance(s, tuple) and len(s) == 2
                                                   and all(isinstance(x, str) for x in s) for s in value[1]))


def render(tpl: Template, context: dict, env) -> Package:
    """The package ``DocxTemplate.render`` leaves, rendering only the parts docxtpl renders (body, headers, footers,
    core properties); every other member stays the template's. Not yet written: the caller sets properties."""
    package = Package(tpl.members)
    body = fix_tables(render_xml_part(tpl.body_source, context, env))
    fix_docpr_ids(body)
    root = package.part(tpl.main)
    root.replace(root.find(_w("body")), body)
    for name, source in tpl.story_sources:
        package.set_part(name, parse_xml(render_xml_part(source, context, env).encode("utf-8")))
    render_properties(core_properties(package), context, env)
    return package


# --------------------------------------------------------------------------- edits the review copies make


def body_paragraphs(package: Package) -> list:
    """The body's top-level paragraphs (python-docx's ``Document.paragraphs``), as elements."""
    return list(package.part(package.main).find(_w("body")).iterchildren(_w("p")))


def paragraphs_in_style(package: Package, style_id: str) -> list:
    """The body's top-level paragraphs whose style id (their first w:pPr's first w:pStyle's w:val, as python-docx
    reads it) is ``style_id``: one XPath query, not a Python loop over every paragraph."""
    return _in_style()(package.part(package.main), v=style_id)


@lru_cache(maxsize=1)
def _in_style():
    from lxml import etree

    return etree.XPath("w:body/w:p[w:pPr[1]/w:pStyle[1]/@w:val = $v]", namespaces={"w": _NS_W})


def style_ids(package: Package, name: str) -> tuple[str, str | None]:
    """(the style's id, the id python-docx writes when a paragraph is given that style: None for the default style).

    Kept across processes by the styles part's checksum and the name: parsing the 361 KB part costs ≈9 ms."""
    member = package.member(package.related(package.main, RT_STYLES)[0])
    key = f"style:{member.crc:08x}:{member.size}:{name}"
    stored = _STORE.get(key)
    if (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], str)
            and (stored[1] is None or isinstance(stored[1], str))):
        return stored
    found = _styles(member).ids(name)
    _STORE.put(key, found)
    return found


@lru_cache(maxsize=4)
def _styles(member: Member) -> _Styles:
    """Parsed once per process for the same styles part (the 361 KB part every draft shares)."""
    return _Styles(parse_xml(member.blob()))


_UI_STYLE_NAMES = {"Caption": "caption", "Footer": "footer", "Header": "header",
                   **{f"Heading {n}": f"heading {n}" for n in range(1, 10)}}  # python-docx's BabelFish


class _Styles:
    """python-docx's ``Styles`` lookups: ``styles[name]`` (by name, then by id) and ``get_style_id`` for paragraphs;
    each name looked up once."""

    def __init__(self, root):
        self._root = root
        defaults = [s for s in root.iterchildren(_w("style"))  # python-docx takes the last default in document order
                    if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in ("1", "true", "on")]
        self._default = defaults[-1] if defaults else None
        self._ids: dict[str, tuple[str, str | None]] = {}

    def ids(self, name: str) -> tuple[str, str | None]:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = self._lookup(name)
        return found

    def _lookup(self, name: str) -> tuple[str, str | None]:
        style = self._find("w:style[w:name/@w:val=$v]", _UI_STYLE_NAMES.get(name, name))
        if style is None:
            style = self._find("w:style[@w:styleId=$v]", name)  # python-docx warns: lookup by id is deprecated
        if style is None:
            raise KeyError(f"no style with name '{name}'")
        if (style.get(_w("type")) or "paragraph") != "paragraph":
            raise ValueError(f"style {name!r} is not a paragraph style")
        style_id = style.get(_w("styleId"))
        return style_id, None if style is self._default else style_id

    def _find(self, xpath: str, value: str):
        return next(iter(self._root.xpath(xpath, namespaces={"w": _NS_W}, v=value)), None)


def insert_paragraph_after(p, text: str, style_id: str | None):
    """A paragraph with ``text`` in ``style_id`` right after ``p``: python-docx's ``insert_paragraph_before(text)``
    given that style (an empty <w:pPr/> for the default style) and moved after ``p``."""
    from lxml import etree

    properties = "<w:pPr/>" if style_id is None else f"<w:pPr><w:pStyle w:val={_attr(style_id)}/></w:pPr>"
    new = etree.fromstring(f'<w:p xmlns:w="{_NS_W}">{properties}{_run(text)}</w:p>')
    p.addnext(new)
    return new


def append_to_headers(package: Package, suffix: str) -> None:
    """``suffix`` after the last text of every header."""
    for name in package.related(package.main, RT_HEADER):
        texts = list(package.part(name).iter(_w("t")))
        if texts:
            texts[-1].text = (texts[-1].text or "") + suffix


# python-docx's default comments part (docx/templates/default-comments.xml), as its parser leaves it
_DEFAULT_COMMENTS = (
    '<w:comments xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    f' xmlns:w="{_NS_W}"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:a14="http://schemas.microsoft.com/office/drawing/2010/main"'
    ' xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
    ' xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas"/>'
)


class Comments:
    """The package's comments part, created as python-docx creates it, and comments anchored on paragraphs.

    A comment is written with lxml directly: the XML of python-docx's ``Document.add_comment(paragraph.runs,
    text=...)`` followed by ``comment.add_paragraph(line)`` (tests/test_ooxml.py compares), without its
    per-character run writer and per-element schema lookups, which took most of the review copy's time.
    """

    def __init__(self, package: Package):
        self._package = package
        self._element = None
        self._next_id: int | None = None  # python-docx's max() + 1, asked once (its XPath per comment was quadratic)

    def _part(self):
        if self._element is None:
            package, main = self._package, self._package.main
            existing = package.related(main, RT_COMMENTS)
            if existing:
                self._element = package.part(existing[0])
            else:
                self._element = parse_xml(_DEFAULT_COMMENTS)
                base = main.rpartition("/")[0]
                package.add_part(main, RT_COMMENTS, f"{base}/comments.xml" if base else "comments.xml",
                                 CT_COMMENTS, self._element)
        return self._element

    def add(self, p, lines: list[str], author: str, initials: str, date: _dt.datetime) -> None:
        """A comment of ``lines`` (one paragraph each) on the runs of paragraph ``p``."""
        self.add_all([(p, lines)], author, initials, date)

    def add_all(self, anchored: Iterable[tuple[Any, list[str]]], author: str, initials: str,
                date: _dt.datetime) -> None:
        """For each (paragraph, lines) in order, a comment of the lines on the paragraph's runs: their XML is
        parsed in one go (a parse per comment was most of the time)."""
        from lxml import etree

        comments = self._part()
        if self._next_id is None:
            self._next_id = _next_comment_id(comments)
        signed = f' w:author={_attr(author)} w:initials={_attr(initials)} w:date={_attr(_xsd_datetime(date))}>'
        xml = [f'<w:comments xmlns:w="{_NS_W}">']  # the comments, then each one's three anchor elements
        anchors = []
        for p, lines in anchored:
            cid = str(self._next_id)
            self._next_id += 1
            anchors.append((p, cid))
            xml.append(f'<w:comment w:id="{cid}"{signed}')
            first, *rest = lines
            head, *more = first.split("\n") if first else ("",)  # python-docx splits the first text at newlines
            xml.append(_COMMENT_P + '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
                       + (_run(head, always=True) if first else "") + "</w:p>")
            xml.extend(_COMMENT_P + _run(line) + "</w:p>" for line in more + rest)
            xml.append("</w:comment>")
        # The range python-docx's Run.mark_comment_range marks: from the paragraph's first run to its last.
        xml.extend(f'<w:commentRangeStart w:id="{cid}"/><w:commentRangeEnd w:id="{cid}"/><w:r><w:rPr>'
                   f'<w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="{cid}"/></w:r>'
                   for _, cid in anchors)
        xml.append("</w:comments>")
        parsed = list(etree.fromstring("".join(xml).encode()))
        comments.extend(parsed[:len(anchors)])
        for k, (p, _) in enumerate(anchors):
            start, end, reference = parsed[len(anchors) + 3 * k:len(anchors) + 3 * k + 3]
            runs = p.findall(_w("r"))
            runs[0].addprevious(start)
            runs[-1].addnext(reference)
            runs[-1].addnext(end)


def _next_comment_id(comments) -> int:
    """python-docx's ``_next_available_comment_id``: max() + 1, else the first unused id when that overflows."""
    used = [int(x) for x in comments.xpath("./w:comment/@w:id", namespaces={"w": _NS_W})]
    next_id = max(used, default=-1) + 1
    if next_id <= 2**31 - 1:
        return next_id
    for expected, actual in enumerate(sorted(used)):
        if expected != actual:
            return expected
    return len(used)


def _xsd_datetime(value: _dt.datetime) -> str:
    """python-docx's ``ST_DateTime.convert_to_xml``: in UTC, a naive time taken as local."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_COMMENT_P = '<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'


def _run(text: str, always: bool = False) -> str:
    """python-docx's ``paragraph.add_run(text)`` (``always``) or ``add_paragraph(text)``'s run, as XML: a tab
    becomes <w:tab/>, a line break <w:br/>, the rest <w:t> (space-preserving when it has outer white space)."""
    if not text and not always:
        return ""
    out = ["<w:r>"]
    pieces = re.split(r"([\t\r\n])", text) if "\t" in text or "\r" in text or "\n" in text else (text,)
    for piece in pieces:  # most lines are one <w:t>: split only when there is a tab or a line break
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{_text(piece)}</w:t>")
    out.append("</w:r>")
    return "".join(out)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    escaped = _text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    return f'"{escaped}"'


# --------------------------------------------------------------------------- a whole python-docx document


def save_docx(word) -> bytes:
    """A python-docx Document serialised straight into the same normalized zip (for files we did not render)."""
    from docx.opc.pkgwriter import PackageWriter

    package = word.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _MemberWriter()
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    return write_zip(writer.members)


class _MemberWriter:
    """python-docx's physical package writer, collecting members for ``write_zip``."""

    def __init__(self):
        self.members: list[Member] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.members.append(Member.of(pack_uri.membername, blob))


def set_comment_date(comment, date) -> None:
    """python-docx stamps a new comment with the current time; a fixed date keeps the output reproducible."""
    comment._comment_elm.date = date
