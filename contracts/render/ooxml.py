"""Word packages part by part: the one home of python-docx and docxtpl internals.

python-docx loads a package by parsing every XML part and saves it by serialising and compressing every part again;
for our drafts that is mostly the template's 361 KB styles.xml, which never changes. Here a package is its zip
members: a part is parsed only when a renderer asks for it, written back only if it was parsed, and every other
member keeps its compressed bytes (the template's are compressed once per process). The output is byte-identical
to what python-docx and docxtpl write (tests/test_ooxml.py compares with them), because

* the shipped template is in python-docx's own form (a load and save reproduces it member by member, tested), so
  an unchanged part's original bytes are what python-docx would have written;
* a changed part is parsed with python-docx's parser and serialised with its serialiser;
* members are written in the same order with the same zip attributes as ``zipfile`` at compression level 6.

docx and docxtpl are imported inside the functions that need them, so commands that never draft stay light.
"""

from __future__ import annotations

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
        """The part's root element (python-docx's element classes), parsed once; it is written back on save."""
        element = self._parsed.get(name)
        if element is None:
            from docx.oxml.parser import parse_xml

            element = self._parsed[name] = parse_xml(self._members[name].blob())
        return element

    def __contains__(self, name: str) -> bool:
        return name in self._members or name in self._parsed

    def _read(self, name: str):
        """The part's element for reading only: the edited one if parsed, else a parse that is not written back."""
        element = self._parsed.get(name)
        if element is None:
            element = self._readonly.get(name)
            if element is None:
                element = self._readonly[name] = _parse_plain(self.blob(name))
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
        def members():
            for name in self._order:
                if name in self._parsed:
                    yield Member.of(name, _serialize(self._parsed[name]))
                else:
                    yield self._members[name]

        return write_zip(members())


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


def _parse_plain(blob: bytes):
    from docx.oxml.parser import parse_xml

    return parse_xml(blob)


def _serialize(element) -> bytes:
    from docx.opc.oxml import serialize_part_xml

    return serialize_part_xml(element)


def core_properties(package: Package):
    """python-docx's CoreProperties over the package's core part (parsed, so written back)."""
    from docx.opc.coreprops import CoreProperties

    return CoreProperties(package.part(package.related("", RT_CORE)[0]))


# --------------------------------------------------------------------------- the template, once per process


@dataclass(frozen=True)
class Template:
    """A docxtpl template read and prepared once: its members deflated, its Jinja sources patched."""

    members: tuple[Member, ...]
    main: str
    body_source: str  # the document body as docxtpl hands it to Jinja
    story_sources: tuple[tuple[str, str], ...]  # (header or footer part, its Jinja source)


def template(path: Path) -> Template:
    """The template at ``path``, prepared once per process (again if the file changes on disk)."""
    stat = path.stat()
    return _prepared(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _prepared(path: str, mtime_ns: int, size: int) -> Template:
    from docx.opc.oxml import parse_xml as parse_plain
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        members = tuple(Member.of(i.filename, z.read(i)) for i in z.infolist())
    package = Package(members)
    types = _parse_plain(package.blob(_CONTENT_TYPES))
    if any(o.get("ContentType") == CT_FOOTNOTES for o in types):
        raise ValueError(f"{path}: footnotes in the template are not rendered")  # docxtpl would render them
    renderer = _renderer()
    main = package.main
    body = package.part(main).find(_w("body"))
    body_source = renderer.patch_xml(etree.tostring(body, encoding="unicode", pretty_print=False))
    stories = []
    for reltype in (RT_HEADER, RT_FOOTER):
        for name in package.related(main, reltype):
            blob = package.blob(name)
            if blob:  # docxtpl renders the headers and footers that have content
                stories.append((name, renderer.patch_xml(etree.tostring(parse_plain(blob), encoding="unicode"))))
    return Template(members, main, body_source, tuple(stories))


def _renderer():
    """A docxtpl DocxTemplate used only for its text steps (tag clean-up, Jinja rendering, table fix-up); it never
    loads a document. ``resolve_listing`` is skipped when the XML holds none of the characters it rewrites."""
    return _renderer_class()(io.BytesIO())


_LISTING_CHARS = ("\t", "\n", "\a", "\f")


@lru_cache(maxsize=1)
def _renderer_class():
    from docxtpl import DocxTemplate

    class _Renderer(DocxTemplate):
        def resolve_listing(self, xml):
            if not any(ch in xml for ch in _LISTING_CHARS):
                return xml
            return super().resolve_listing(xml)

    return _Renderer


def render(tpl: Template, context: dict, env) -> Package:
    """The package ``DocxTemplate.render`` leaves, rendering only the parts docxtpl renders (body, headers, footers,
    core properties); every other member stays the template's. Not yet written: the caller sets properties."""
    from docx.oxml.parser import parse_xml

    renderer = _renderer()
    renderer.docx_ids_index = 1000  # what docxtpl's render_init sets
    package = Package(tpl.members)
    body = renderer.fix_tables(renderer.render_xml_part(tpl.body_source, None, context, env))
    renderer.fix_docpr_ids(body)
    root = package.part(tpl.main)
    root.replace(root.find(_w("body")), body)
    for name, source in tpl.story_sources:
        package.set_part(name, parse_xml(renderer.render_xml_part(source, None, context, env).encode("utf-8")))
    renderer.docx = _PropertiesHolder(core_properties(package))
    renderer.render_properties(context, env)
    return package


@dataclass
class _PropertiesHolder:
    """What docxtpl's ``render_properties`` reads from its document."""

    core_properties: Any


# --------------------------------------------------------------------------- edits the review copies make


def body_paragraphs(package: Package) -> list:
    """The body's top-level paragraphs (python-docx's ``Document.paragraphs``), as elements."""
    return list(package.part(package.main).find(_w("body")).iterchildren(_w("p")))


def paragraph_style(p) -> str | None:
    """The paragraph's style id (w:pPr/w:pStyle/@w:val), None when it has none."""
    ppr = next(p.iterchildren(_w("pPr")), None)
    style = None if ppr is None else next(ppr.iterchildren(_w("pStyle")), None)
    return None if style is None else style.get(_w("val"))


def style_ids(package: Package, name: str) -> tuple[str, str | None]:
    """(the style's id, the id python-docx writes when a paragraph is given that style: None for the default style)."""
    return _style_ids(package.member(package.related(package.main, RT_STYLES)[0]), name)


@lru_cache(maxsize=16)
def _style_ids(styles: Member, name: str) -> tuple[str, str | None]:
    """Looked up once per process for the same styles part (the 361 KB part every draft shares)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.parser import parse_xml
    from docx.styles.styles import Styles

    found = Styles(parse_xml(styles.blob()))
    return found[name].style_id, found.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)


def insert_paragraph_after(p, text: str, style_id: str | None):
    """A paragraph with ``text`` in ``style_id`` right after ``p`` (python-docx's insert_paragraph_before, moved)."""
    from docx.text.paragraph import Paragraph

    new = Paragraph(p, None).insert_paragraph_before(text)._p
    new.style = style_id
    p.addnext(new)
    return new


def append_to_headers(package: Package, suffix: str) -> None:
    """``suffix`` after the last text of every header."""
    for name in package.related(package.main, RT_HEADER):
        texts = list(package.part(name).iter(_w("t")))
        if texts:
            texts[-1].text = (texts[-1].text or "") + suffix


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
            from docx.oxml.parser import parse_xml
            from docx.parts.comments import CommentsPart

            package, main = self._package, self._package.main
            existing = package.related(main, RT_COMMENTS)
            if existing:
                self._element = package.part(existing[0])
            else:
                self._element = parse_xml(CommentsPart._default_comments_xml())
                base = main.rpartition("/")[0]
                package.add_part(main, RT_COMMENTS, f"{base}/comments.xml" if base else "comments.xml",
                                 CT_COMMENTS, self._element)
        return self._element

    def add(self, p, lines: list[str], author: str, initials: str, date) -> None:
        """A comment of ``lines`` (one paragraph each) on the runs of paragraph ``p``."""
        from docx.oxml.simpletypes import ST_DateTime
        from lxml import etree

        comments = self._part()
        if self._next_id is None:
            self._next_id = comments._next_available_comment_id()
        cid = str(self._next_id)
        self._next_id += 1
        xml = [f'<w:comment xmlns:w="{_NS_W}" w:id="{cid}" w:author={_attr(author)} w:initials={_attr(initials)} '
               f'w:date={_attr(ST_DateTime.convert_to_xml(date))}>']
        first, *rest = lines
        head, *more = first.split("\n") if first else ("",)  # python-docx splits the first text at newlines
        xml.append(_COMMENT_P + '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
                   + (_run(head, always=True) if first else "") + "</w:p>")
        rest = more + rest
        xml.extend(_COMMENT_P + _run(line) + "</w:p>" for line in rest)
        xml.append("</w:comment>")
        comments.append(etree.fromstring("".join(xml)))
        # The range python-docx's Run.mark_comment_range marks: from the paragraph's first run to its last.
        runs = p.findall(_w("r"))
        runs[0].addprevious(etree.Element(_w("commentRangeStart"), {_w("id"): cid}))
        reference = etree.Element(_w("r"))
        etree.SubElement(etree.SubElement(reference, _w("rPr")), _w("rStyle"), {_w("val"): "CommentReference"})
        etree.SubElement(reference, _w("commentReference"), {_w("id"): cid})
        runs[-1].addnext(reference)
        runs[-1].addnext(etree.Element(_w("commentRangeEnd"), {_w("id"): cid}))


_COMMENT_P = '<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'


def _run(text: str, always: bool = False) -> str:
    """python-docx's ``paragraph.add_run(text)`` (``always``) or ``add_paragraph(text)``'s run, as XML: a tab
    becomes <w:tab/>, a line break <w:br/>, the rest <w:t> (space-preserving when it has outer white space)."""
    if not text and not always:
        return ""
    out = ["<w:r>"]
    for piece in re.split(r"([\t\r\n])", text):
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
