"""A file the counterparty sent back, compared article by article with the one we sent.

Pure functions on bytes and data (the command line reads and writes the files):

* ``read_docx(data, source)`` reads any Word file — ours, or one edited in Word or LibreOffice with tracked changes,
  fields, footnotes, comments, tables or Word automatic numbering — into paragraphs whose pieces know whether they
  are tracked insertions or deletions and by whom. A corrupt, encrypted (password-protected) or old binary (.doc)
  file raises ``InputError`` with a Japanese reason.
* ``compare(sent, returned, library=None)`` cuts both into articles (「第N条（見出し）」 typed or numbered by Word),
  aligns them by heading and content (tolerant of renumbering), and classifies each: unchanged, changed with
  tracking, changed **without** tracking (a silent edit, severity 高), our own tracked changes rejected, added or
  deleted. With a ``VariantLibrary`` (from the answers), a changed article is also matched against every variant
  of its clause: the returned text is one of the library's variants (which side it favours, its annotation) or
  new text (shown as a diff).
* ``report_dict`` / ``report_markdown`` give the summary; ``review_docx`` writes a Word comment on each changed
  article into a copy of the returned file.

Revisions that were already in the sent file (our redline) are "ours": the returned file is judged against the sent
text with each of our revisions either accepted or rejected, so a counterparty accepting some of our changes is not
a silent edit, while their own untracked edits are.
"""

from __future__ import annotations

import datetime as _dt
import io
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from contracts.answers import InputError
from contracts.document import FAVOURS_JA
from contracts.redline import (
    LineChange,
    align,
    diff_lines,
    excerpt,
    inline_diff,
    markdown_diff,
    normalize,
    similarity,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

MAX_DOCX_BYTES = 50 * 1024 * 1024  # the file itself
MAX_PART_BYTES = 100 * 1024 * 1024  # one part, uncompressed
MAX_MEMBERS = 5000

REVIEW_AUTHOR = "keiyaku 照合"
REVIEW_INITIALS = "KC"
REVIEW_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


Rev = tuple[str, str]  # (author, date) of a tracked change


# --------------------------------------------------------------------------- reading a .docx


@dataclass
class Piece:
    kind: str  # "=" plain, "+" tracked insertion, "-" tracked deletion
    text: str
    rev: Rev | None = None
    rid: str = ""  # w:id of the revision element


@dataclass
class Para:
    index: int  # position in reading order (body, then table cells)
    pieces: list[Piece]
    mark: str = "="  # the paragraph mark: "=", "+" inserted, "-" deleted
    mark_rev: Rev | None = None
    mark_rid: str = ""
    style: str = ""  # style name (w:name), else its id
    num: tuple[str, int] | None = None  # (numId, ilvl) of Word automatic numbering
    in_table: bool = False
    comments: list[str] = field(default_factory=list)  # comment ids anchored here
    footnotes: list[str] = field(default_factory=list)  # footnote texts referenced here
    labels: dict[str, str] = field(default_factory=dict)  # view -> automatic number label (「第1条」)

    def text(self, view: str, ours: frozenset = frozenset()) -> str:
        return "".join(p.text for p in self.pieces if _visible(p.kind, p.rev, view, ours))

    def present(self, view: str, ours: frozenset = frozenset()) -> bool:
        return _visible(self.mark, self.mark_rev, view, ours) or bool(self.text(view, ours))

    def shown(self, view: str, ours: frozenset = frozenset()) -> str:
        """The text as a reader sees it in ``view``: Word's automatic number, then the typed text."""
        label = self.labels.get(view, "")
        text = self.text(view, ours)
        return f"{label}　{text}" if label and text else (label or text)

    def revisions(self) -> set[Rev]:
        revs = {p.rev for p in self.pieces if p.kind != "=" and p.rev}
        if self.mark != "=" and self.mark_rev:
            revs.add(self.mark_rev)
        return revs

    def revision_ids(self) -> set[tuple[str, Rev | None]]:
        """One entry per revision element (w:ins, w:del …), with its author and date."""
        ids = {(p.rid, p.rev) for p in self.pieces if p.kind != "="}
        if self.mark != "=":
            ids.add((self.mark_rid, self.mark_rev))
        return ids


def _visible(kind: str, rev: Rev | None, view: str, ours: frozenset) -> bool:
    """accept: every change accepted; reject: every change rejected; base: ours accepted, theirs rejected."""
    if kind == "=":
        return True
    if view == "accept":
        return kind == "+"
    if view == "reject":
        return kind == "-"
    mine = rev in ours
    return (kind == "+") == mine


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str


@dataclass
class Reading:
    source: str
    paragraphs: list[Para]
    comments: dict[str, Comment]
    footnote_count: int
    numbered: bool  # some paragraph takes its number from Word automatic numbering

    def revisions(self) -> set[Rev]:
        out: set[Rev] = set()
        for p in self.paragraphs:
            out |= p.revisions()
        return out

    def revision_count(self, exclude: frozenset = frozenset()) -> int:
        ids: set = set()
        for p in self.paragraphs:
            ids |= {x for x in p.revision_ids() if x[1] not in exclude}
        return len(ids)


def read_docx(data: bytes, source: str) -> Reading:
    """Read a Word file (bytes) into paragraphs with their tracked changes; InputError names ``source`` otherwise."""
    if len(data) > MAX_DOCX_BYTES:
        raise InputError(source, f"ファイルが大きすぎます（{MAX_DOCX_BYTES // (1024 * 1024)} MiB まで）。(file is too large)")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError(source, "パスワードで保護（暗号化）されています。Word 又は LibreOffice でパスワードを解除して"
                                     "保存し直したファイルを指定してください。(the file is password-protected)")
        raise InputError(source, "Word 97-2003 形式（.doc）など DOCX 以外のファイルです。DOCX 形式で保存し直してください。"
                                 "(not a DOCX file)")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(source, "DOCX ファイルとして読めません（破損しているか、Word の文書ではありません）。(not a readable DOCX file)") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(source, "DOCX ファイルの構成要素が多すぎます。(too many parts)")
        sizes = {i.filename: i.file_size for i in infos}

        def part(name: str | None) -> bytes | None:
            if not name or name not in sizes:
                return None
            if sizes[name] > MAX_PART_BYTES:
                raise InputError(source, f"{name} が大きすぎます。(part too large)")
            try:
                return z.read(name)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, NotImplementedError) as exc:
                raise InputError(source, f"DOCX ファイルが破損しています（{name} を読めません: {exc}）。(corrupt DOCX)") from None

        main = _main_part(part, source)
        rels = _relationships(part, main, source)
        document = _xml(part(main), main, source)
        styles = _xml(part(rels.get("styles")), "styles", source, optional=True)
        numbering = _xml(part(rels.get("numbering")), "numbering", source, optional=True)
        comments_xml = _xml(part(rels.get("comments")), "comments", source, optional=True)
        footnotes_xml = _xml(part(rels.get("footnotes")), "footnotes", source, optional=True)
    if document.tag == f"{{{STRICT_W}}}document":
        raise InputError(source, "Strict Open XML 形式の DOCX には対応していません。通常の Word 文書（.docx）として保存し直してください。"
                                 "(Strict Open XML is not supported)")
    body = document.find(w("body"))
    if document.tag != w("document") or body is None:
        raise InputError(source, "Word の本文（word/document.xml の w:body）がありません。(no document body)")
    style_names, style_nums = _styles(styles)
    footnotes = _footnotes(footnotes_xml)
    paragraphs = []
    for k, (p, in_table, row_kind, row_rev) in enumerate(iter_paragraphs(body)):
        paragraphs.append(_read_paragraph(p, k, in_table, row_kind, row_rev, style_names, style_nums, footnotes))
    numbered = _number(paragraphs, _Numbering(numbering))
    return Reading(source, paragraphs, _comments(comments_xml), len(footnotes), numbered)


def _main_part(part, source: str) -> str:
    rels = part("_rels/.rels")
    if rels is not None:
        root = _xml(rels, "_rels/.rels", source)
        for rel in root.iter(f"{{{REL_NS}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if part(target) is not None:
                    return target
    if part("word/document.xml") is not None:
        return "word/document.xml"
    raise InputError(source, "Word の本文（word/document.xml）がありません。DOCX ファイルではないか、破損しています。(no main document part)")


def _relationships(part, main: str, source: str) -> dict[str, str]:
    folder, name = posixpath.split(main)
    data = part(posixpath.join(folder, "_rels", name + ".rels"))
    out: dict[str, str] = {}
    if data is None:
        return out
    for rel in _xml(data, "relationships", source).iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.setdefault(kind, path)
    return out


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


def _xml(data: bytes | None, name: str, source: str, optional: bool = False):
    if data is None:
        if optional:
            return None
        raise InputError(source, f"{name} がありません。DOCX ファイルが破損しています。(missing part)")
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise InputError(source, f"{name} に DTD が含まれています。Word の文書として不正です。(DTD in an OOXML part)")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(source, f"DOCX ファイルが破損しています（{name} の XML が不正: {exc}）。(corrupt XML)") from None


def iter_paragraphs(body) -> Iterable[tuple]:
    """Every paragraph of the body in reading order, table cells included: (w:p, in_table, row kind, row revision).

    Content controls (w:sdt), custom XML and nested tables are entered; text boxes are not (they float beside the
    text). The review copy finds its anchors with the same walk, so indices agree.
    """
    def walk(parent, in_table, row_kind, row_rev):
        for child in parent:
            tag = child.tag
            if tag == w("p"):
                yield child, in_table, row_kind, row_rev
            elif tag == w("tbl"):
                for tr in child.iter(w("tr")):
                    if tr.getparent() is not child and tr.getparent().tag != w("sdtContent"):
                        continue
                    kind, rev = "=", None
                    trpr = tr.find(w("trPr"))
                    if trpr is not None:
                        for mark, k in (("ins", "+"), ("del", "-")):
                            m = trpr.find(w(mark))
                            if m is not None:
                                kind, rev = k, _rev(m)
                    for tc in tr:
                        if tc.tag == w("tc"):
                            yield from walk(tc, True, kind if kind != "=" else row_kind, rev or row_rev)
                        elif tc.tag == w("sdt"):
                            content = tc.find(w("sdtContent"))
                            for cell in (content if content is not None else []):
                                if cell.tag == w("tc"):
                                    yield from walk(cell, True, kind if kind != "=" else row_kind, rev or row_rev)
            elif tag in (w("sdt"),):
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from walk(content, in_table, row_kind, row_rev)
            elif tag in (w("customXml"), w("ins"), w("moveTo"), w("del"), w("moveFrom")):
                yield from walk(child, in_table, row_kind, row_rev)

    yield from walk(body, False, "=", None)


def _rev(el) -> Rev:
    return (el.get(w("author"), ""), el.get(w("date"), ""))


_SKIP = {w(t) for t in ("pPr", "rPr", "instrText", "delInstrText", "txbxContent", "drawing", "pict", "object",
                        "commentReference", "annotationRef", "fldData")} | {f"{{{MC}}}AlternateContent"}
_KINDS = {w("ins"): "+", w("moveTo"): "+", w("del"): "-", w("moveFrom"): "-"}


def _read_paragraph(p, index, in_table, row_kind, row_rev, style_names, style_nums, footnotes) -> Para:
    para = Para(index=index, pieces=[], in_table=in_table)
    ppr = p.find(w("pPr"))
    style_id = ""
    if ppr is not None:
        ps = ppr.find(w("pStyle"))
        if ps is not None:
            style_id = ps.get(w("val"), "")
        rpr = ppr.find(w("rPr"))
        if rpr is not None:
            for tag, k in (("ins", "+"), ("del", "-"), ("moveTo", "+"), ("moveFrom", "-")):
                m = rpr.find(w(tag))
                if m is not None:
                    para.mark, para.mark_rev, para.mark_rid = k, _rev(m), m.get(w("id"), "")
        numpr = ppr.find(w("numPr"))
        if numpr is not None:
            num_id = numpr.find(w("numId"))
            ilvl = numpr.find(w("ilvl"))
            if num_id is not None:
                para.num = (num_id.get(w("val"), "0"), int(ilvl.get(w("val"), "0")) if ilvl is not None else 0)
    para.style = style_names.get(style_id, style_id)
    if para.num is None and style_id in style_nums:
        para.num = style_nums[style_id]
    if para.num is not None and para.num[0] == "0":
        para.num = None

    def walk(el, kind, rev, rid):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in _KINDS:
                walk(child, _KINDS[tag], _rev(child), child.get(w("id"), ""))
            elif tag in (w("t"), w("delText")):
                para.pieces.append(Piece(kind, child.text or "", rev, rid))
            elif tag in (w("tab"), w("ptab")):
                para.pieces.append(Piece(kind, "\t", rev, rid))
            elif tag in (w("noBreakHyphen"),):
                para.pieces.append(Piece(kind, "-", rev, rid))
            elif tag == w("footnoteReference"):
                note = footnotes.get(child.get(w("id"), ""))
                if note is not None:
                    para.footnotes.append(note)
            elif tag == w("commentRangeStart"):
                para.comments.append(child.get(w("id"), ""))
            elif tag == w("p"):
                continue  # a paragraph nested in a run (text box fallback): not this paragraph's text
            else:
                walk(child, kind, rev, rid)

    walk(p, "=", None, "")
    for ref in p.iter(w("commentReference")):
        cid = ref.get(w("id"), "")
        if cid not in para.comments:
            para.comments.append(cid)
    if row_kind != "=":
        # a tracked row insertion or deletion applies to everything in the row
        para.pieces = [pc if pc.kind != "=" else Piece(row_kind, pc.text, row_rev, f"row:{row_rev}")
                       for pc in para.pieces]
        if para.mark == "=":
            para.mark, para.mark_rev, para.mark_rid = row_kind, row_rev, f"row:{row_rev}"
    return para


def _styles(styles) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """Style id -> name, and style id -> (numId, ilvl) for styles that number their paragraphs (with basedOn)."""
    names: dict[str, str] = {}
    nums: dict[str, tuple[str, int]] = {}
    based: dict[str, str] = {}
    if styles is None:
        return names, nums
    for st in styles.iter(w("style")):
        sid = st.get(w("styleId"), "")
        name = st.find(w("name"))
        names[sid] = name.get(w("val"), sid) if name is not None else sid
        b = st.find(w("basedOn"))
        if b is not None:
            based[sid] = b.get(w("val"), "")
        numpr = st.find(f"{w('pPr')}/{w('numPr')}")
        if numpr is not None:
            num_id = numpr.find(w("numId"))
            ilvl = numpr.find(w("ilvl"))
            if num_id is not None:
                nums[sid] = (num_id.get(w("val"), "0"), int(ilvl.get(w("val"), "0")) if ilvl is not None else 0)
    for sid in list(names):
        seen = set()
        cur = sid
        while cur not in nums and cur in based and cur not in seen:
            seen.add(cur)
            cur = based[cur]
        if cur in nums and sid not in nums:
            nums[sid] = nums[cur]
    return names, nums


def _footnotes(root) -> dict[str, str]:
    out: dict[str, str] = {}
    if root is None:
        return out
    for fn in root.iter(w("footnote")):
        if fn.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = "".join(t.text or "" for t in fn.iter(w("t"))).strip()
        out[fn.get(w("id"), "")] = text
    return out


def _comments(root) -> dict[str, Comment]:
    out: dict[str, Comment] = {}
    if root is None:
        return out
    for c in root.iter(w("comment")):
        cid = c.get(w("id"), "")
        paras = ["".join(t.text or "" for t in p.iter(w("t"))) for p in c.iter(w("p"))]
        out[cid] = Comment(cid, c.get(w("author"), ""), c.get(w("date"), ""), "\n".join(x for x in paras if x))
    return out


# --------------------------------------------------------------------------- Word automatic numbering

_KANJI = "〇一二三四五六七八九"
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"


def kanji_number(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _KANJI[n]
    out = ""
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, value)
        if q:
            out += ("" if q == 1 else _KANJI[q]) + name
    return out + (_KANJI[n] if n else "")


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("japaneseCounting", "japaneseLegal", "ideographTraditional", "chineseCounting", "japaneseDigitalTenThousand"):
        return kanji_number(n)
    if fmt in ("ideographDigital",):
        return "".join(_KANJI[int(d)] for d in str(n))
    if fmt in ("aiueoFullWidth", "aiueo"):
        return _AIUEO[(n - 1) % len(_AIUEO)]
    if fmt in ("irohaFullWidth", "iroha"):
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """numbering.xml: numId -> abstract list, each level's start, format and text (「第%1条」)."""

    def __init__(self, root):
        self.abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        if root is None:
            return
        for an in root.iter(w("abstractNum")):
            levels = {}
            for lvl in an.iter(w("lvl")):
                ilvl = int(lvl.get(w("ilvl"), "0"))
                start = lvl.find(w("start"))
                fmt = lvl.find(w("numFmt"))
                text = lvl.find(w("lvlText"))
                levels[ilvl] = (int(start.get(w("val"), "1")) if start is not None else 1,
                                fmt.get(w("val"), "decimal") if fmt is not None else "decimal",
                                text.get(w("val"), "") if text is not None else "")
            self.abstract[an.get(w("abstractNumId"), "")] = levels
        for num in root.iter(w("num")):
            aid = num.find(w("abstractNumId"))
            overrides = {}
            for ov in num.iter(w("lvlOverride")):
                so = ov.find(w("startOverride"))
                if so is not None:
                    overrides[int(ov.get(w("ilvl"), "0"))] = int(so.get(w("val"), "1"))
            if aid is not None:
                self.nums[num.get(w("numId"), "")] = (aid.get(w("val"), ""), overrides)

    def labels(self, paragraphs: list[Para], view: str) -> dict[int, str]:
        counters: dict[str, dict[int, int]] = {}
        started: set[str] = set()
        out: dict[int, str] = {}
        for p in paragraphs:
            if p.num is None or not p.present(view):
                continue
            num_id, ilvl = p.num
            if num_id not in self.nums:
                continue
            aid, overrides = self.nums[num_id]
            levels = self.abstract.get(aid, {})
            if ilvl not in levels:
                continue
            c = counters.setdefault(aid, {})
            if num_id not in started and overrides:
                for lv, value in overrides.items():
                    c[lv] = value - 1
            started.add(num_id)
            start = levels[ilvl][0]
            c[ilvl] = c.get(ilvl, start - 1) + 1
            for deeper in [k for k in c if k > ilvl]:
                del c[deeper]
            text = levels[ilvl][2]

            def sub(m, levels=levels, c=c):  # used at once, in this pass of the loop
                lv = int(m.group(1)) - 1
                lv_start, lv_fmt, _ = levels.get(lv, (1, "decimal", ""))
                return format_number(c.get(lv, lv_start), lv_fmt)

            label = re.sub(r"%([1-9])", sub, text) if levels[ilvl][1] != "bullet" else ""
            out[p.index] = label
        return out


def _number(paragraphs: list[Para], numbering: _Numbering) -> bool:
    numbered = False
    for view in ("accept", "reject", "base"):
        for index, label in numbering.labels(paragraphs, view).items():
            if label:
                paragraphs[index].labels[view] = label
                numbered = True
    return numbered


# --------------------------------------------------------------------------- articles

_ARTICLE = re.compile(r"^第\s*([0-9０-９]+|[一二三四五六七八九十百千]+)\s*条(?:の\s*[0-9０-９一二三四五六七八九十]+)?")
_PAREN_TITLE = re.compile(r"^[（(]([^（）()]{1,40})[）)]$")
_TAIL_STYLES = {"末文", "日付", "署名当事者", "署名", "別紙見出し", "別紙本文", "附則", "以下余白"}
_TAIL_TEXT = re.compile(
    r"^(?:以上|（以下余白）|\(以下余白\)|以下余白|本契約の(?:成立|締結)を証する|本書[0-9０-９一二三四五]+通|上記(?:の)?契約の成立|"
    r"この契約の成立|別紙|附\s*則|(?:令和|平成)?\s*[0-9０-９元]*\s*年\s*[0-9０-９]*\s*月\s*[0-9０-９]*\s*日$)")


def _to_int(digits: str) -> int | None:
    digits = unicodedata.normalize("NFKC", digits)
    if digits.isdigit():
        return int(digits)
    total, current = 0, 0
    for ch in digits:
        if ch in _KANJI:
            current = _KANJI.index(ch)
        elif ch in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
        else:
            return None
    return total + current


def heading_of(text: str) -> tuple[int | None, str, str] | None:
    """「第5条（秘密保持）」 → (5, "秘密保持", ""); 「第5条　甲は…」 → (5, "", "甲は…"); anything else → None."""
    text = text.strip()
    m = _ARTICLE.match(text)
    if not m:
        return None
    number = _to_int(m.group(1))
    after = text[m.end():]
    rest = after.strip(" 　\t")
    if not rest:
        return number, "", ""
    t = _PAREN_TITLE.match(rest)
    if t:
        return number, t.group(1).strip(), ""
    if after[:1] not in (" ", "　", "\t"):
        return None  # 「第14条の規定にかかわらず…」: a sentence citing an article, not a heading
    if len(rest) <= 20 and "。" not in rest and "、" not in rest:
        return number, rest, ""
    return number, "", rest


@dataclass
class Section:
    """One article (or the front matter / the closing part) of a reading: its paragraphs and its heading."""

    kind: str  # front | article | back
    paras: list[Para]
    number: int | None = None
    title: str = ""
    heading: Para | None = None

    def lines(self, view: str, ours: frozenset = frozenset()) -> list[str]:
        return [p.shown(view, ours) for p in self.paras if p.present(view, ours) and p.shown(view, ours).strip()]

    def key(self, view: str, ours: frozenset = frozenset()) -> str:
        return "".join(normalize(x) for x in self.lines(view, ours))

    @property
    def label(self) -> str:
        if self.kind == "front":
            return "前文等"
        if self.kind == "back":
            return "末文・署名欄・別紙"
        num = f"第{self.number}条" if self.number is not None else "（番号なし）"
        return f"{num}（{self.title}）" if self.title else num

    def revisions(self) -> set[Rev]:
        out: set[Rev] = set()
        for p in self.paras:
            out |= p.revisions()
        return out


def sections(reading: Reading) -> tuple[Section, list[Section], Section]:
    """The reading cut into front matter, articles (「第N条」 headings, typed or numbered by Word) and the rest."""
    paras = reading.paragraphs
    front = Section("front", [])
    articles: list[Section] = []
    current: Section | None = None
    back = Section("back", [])
    in_back = False
    pending_title: Para | None = None

    def shown_of(p: Para) -> str:
        return p.shown("accept" if p.present("accept") else "reject").strip()

    heads = [k for k, p in enumerate(paras) if not p.in_table and heading_of(shown_of(p)) is not None]
    last_head = heads[-1] if heads else -1
    for k, p in enumerate(paras):
        view = "accept" if p.present("accept") else "reject"
        shown = shown_of(p)
        head = None if p.in_table else heading_of(shown)
        if in_back:
            back.paras.append(p)
            continue
        if head is not None:
            number, title, _ = head
            sec = Section("article", [], number, title, p)
            if pending_title is not None and not title:
                # the title on its own line above the article: 「（目的）」 then 「第1条　本契約は…」
                sec.title = _PAREN_TITLE.match(pending_title.shown(view).strip()).group(1)
                target = current.paras if current is not None else front.paras
                if target and target[-1] is pending_title:
                    target.pop()
                sec.paras.append(pending_title)
            pending_title = None
            sec.paras.append(p)
            articles.append(sec)
            current = sec
            continue
        # the closing part starts after the last article: a table or a closing line inside an earlier article
        # (a table the counterparty added to 第5条) stays in its article
        if current is not None and k > last_head and (
                p.in_table or p.style in _TAIL_STYLES or (shown and _TAIL_TEXT.match(shown))):
            in_back = True
            back.paras.append(p)
            continue
        pending_title = p if shown and _PAREN_TITLE.match(shown) else None
        (current.paras if current is not None else front.paras).append(p)
    return front, articles, back


# --------------------------------------------------------------------------- the library's variants (with --answers)


@dataclass(frozen=True)
class VariantText:
    clause_id: str
    variant_id: str
    key: str  # normalised text, article and paragraph references as 第#条
    favours: str
    summary: str
    lines: tuple[str, ...]


class VariantLibrary:
    """Every variant of every clause of one document, rendered with the deal's answers (``deal.choices`` forcing
    each variant in turn), to recognise a returned article as one of the library's texts."""

    def __init__(self, answers, lib=None):
        from contracts.generate import prepare
        from contracts.library import default_library

        self.lib = lib or default_library()
        self.answers, self.documents, _, _ = prepare(answers, self.lib)
        self._cache: dict[tuple[str, str, str], VariantText | None] = {}

    def document_for(self, reading: Reading):
        """The assembled document the sent file is a copy of: the one whose article headings it shares most."""
        _, arts, _ = sections(reading)
        titles = [normalize(a.title, strip_number=False) for a in arts]
        best, best_score = None, 0.0
        for d in self.documents:
            theirs = [normalize(a.heading, strip_number=False) for a in d.articles]
            common = sum(1 for i, j in align(titles, theirs, lambda x: x, lambda x: x) if i is not None and j is not None
                         and titles[i] == theirs[j])
            score = common / max(len(titles), len(theirs), 1)
            if score > best_score:
                best, best_score = d, score
        return best if best_score >= 0.5 else None

    def variants(self, document, clause_id: str) -> list[VariantText]:
        clause = self.lib.clauses.get(clause_id)
        if clause is None:
            return []
        out = []
        for v in clause.variants:
            key = (document.file_name, clause_id, v.id)
            if key not in self._cache:
                self._cache[key] = self._render(document, clause_id, v.id)
            if self._cache[key] is not None:
                out.append(self._cache[key])
        return out

    def _render(self, document, clause_id: str, variant_id: str) -> VariantText | None:
        from contracts.assembly import assemble_set
        from contracts.redline import article_lines

        choices = dict(self.answers.deal.choices)
        choices[clause_id] = variant_id
        answers = self.answers.model_copy(update={"deal": self.answers.deal.model_copy(update={"choices": choices})})
        try:
            docs = assemble_set(answers, self.lib)
        except Exception:  # noqa: BLE001 - a variant that cannot be drafted for this deal is simply not offered
            return None
        doc = next((d for d in docs if d.file_name == document.file_name), None)
        art = next((a for a in doc.articles if a.clause_id == clause_id), None) if doc else None
        if art is None:
            return None
        lines = tuple(article_lines(art))
        return VariantText(clause_id, variant_id, variant_key(lines), art.annotation.favours, art.annotation.summary, lines)


def variant_key(lines: Iterable[str]) -> str:
    return "".join(normalize(x, references=True) for x in lines)


# --------------------------------------------------------------------------- comparing

STATUS_JA = {
    "unchanged": "変更なし",
    "tracked": "変更（変更履歴あり）",
    "silent": "変更（変更履歴なし）",
    "rejected": "当方の変更を拒否",
    "added": "追加",
    "deleted": "削除",
}


@dataclass
class VariantMatch:
    clause_id: str
    sent_variant: str
    sent_favours: str
    matched: str | None  # variant id whose text the returned article is, or None (new text)
    favours: str | None
    summary: str | None
    nearest: str | None = None
    nearest_similarity: float = 0.0

    def line(self) -> str:
        if self.matched:
            if self.matched == self.sent_variant:
                return f"ライブラリの条項 {self.clause_id} の送付した版（{self.matched}）と同じ文言です。"
            return (f"ライブラリの条項 {self.clause_id} のバリエーション「{self.matched}」（{FAVOURS_JA.get(self.favours, '')}）"
                    f"と一致します（送付版は「{self.sent_variant}」、{FAVOURS_JA.get(self.sent_favours, '')}）。注釈: {self.summary}")
        near = f" 最も近いのは「{self.nearest}」（類似度 {self.nearest_similarity:.2f}）です。" if self.nearest else ""
        return f"ライブラリ（{self.clause_id}）のどのバリエーションとも一致しない新しい文言です。{near}"


@dataclass
class ArticleResult:
    status: str  # unchanged | tracked | silent | rejected | added | deleted
    kind: str  # article | front | back
    sent: Section | None
    returned: Section | None
    tracked: bool  # for added and deleted: whether the counterparty's change is tracked
    silent_changes: list[LineChange] = field(default_factory=list)  # untracked: sent text -> returned base text
    tracked_changes: list[LineChange] = field(default_factory=list)  # tracked: base -> accepted
    renumbered: bool = False
    ours_pending: int = 0  # our revisions still pending in the returned article
    ours_in_sent: int = 0
    comments: list[Comment] = field(default_factory=list)  # the counterparty's comments on this article
    footnotes: list[str] = field(default_factory=list)  # footnotes the returned article has and the sent one had not
    variant: VariantMatch | None = None

    @property
    def silent(self) -> bool:
        return self.status == "silent" or (self.status in ("added", "deleted") and not self.tracked)

    @property
    def severity(self) -> str:
        if self.silent:
            return "高"
        if self.status in ("tracked", "rejected", "added", "deleted"):
            return "中"
        return ""

    @property
    def status_ja(self) -> str:
        if self.status in ("added", "deleted"):
            return f"{STATUS_JA[self.status]}（変更履歴{'あり' if self.tracked else 'なし'}）"
        if self.status == "unchanged" and (self.comments or self.footnotes):
            notes = "・".join(x for x, on in (("相手方のコメント", self.comments), ("脚注の追加", self.footnotes)) if on)
            return f"{STATUS_JA[self.status]}（{notes}あり）"
        return STATUS_JA[self.status]

    @property
    def label(self) -> str:
        s, r = self.sent, self.returned
        if s and r and s.kind == "article" and s.number != r.number and s.number is not None and r.number is not None:
            return f"第{s.number}条→第{r.number}条（{r.title or s.title}）"
        return (s or r).label

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass
class Report:
    sent: str
    returned: str
    results: list[ArticleResult]
    ours: int  # our revisions in the sent file
    theirs: int  # the counterparty's revisions in the returned file
    numbered: bool
    footnotes: int
    answers_used: bool
    document_title: str = ""
    library_document: str | None = None  # with --answers: the assembled document SENT was matched to

    @property
    def silent(self) -> list[ArticleResult]:
        return [r for r in self.results if r.silent]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in STATUS_JA}
        for r in self.results:
            if r.kind == "article" or r.changed:
                out[r.status] += 1
        return out


def _fits(target: str, options: list[set[str]]) -> bool:
    """Whether ``target`` is the concatenation of one option from each set, in order."""
    positions = {0}
    for opts in options:
        nxt = set()
        for pos in positions:
            for o in opts:
                if target.startswith(o, pos):
                    nxt.add(pos + len(o))
        positions = nxt
        if not positions:
            return False
    return len(target) in positions


def _options(p: Para, ours: frozenset, limit: int = 256) -> set[str]:
    """The normalised texts a sent paragraph can have when each of our revisions in it is accepted or rejected."""
    toggles = [k for k, pc in enumerate(p.pieces) if pc.kind != "=" and pc.rev in ours]
    mark_optional = p.mark != "=" and p.mark_rev in ours
    out: set[str] = set()
    if 2 ** len(toggles) > limit:
        combos = [("accept",), ("reject",)]
        for (view,) in combos:
            out.add(normalize(p.shown(view)))
    else:
        for mask in range(2 ** len(toggles)):
            keep = {toggles[b] for b in range(len(toggles)) if not (mask >> b) & 1 and p.pieces[toggles[b]].kind == "+"} | \
                   {toggles[b] for b in range(len(toggles)) if (mask >> b) & 1 and p.pieces[toggles[b]].kind == "-"}
            text = "".join(pc.text for k, pc in enumerate(p.pieces) if pc.kind == "=" or k in keep)
            label = p.labels.get("accept") or p.labels.get("reject") or ""
            out.add(normalize(f"{label}　{text}" if label and text else (label or text)))
    if mark_optional or not p.text("reject") or not p.text("accept"):
        out.add("")
    return out


def _score(s: Section, r: Section, ours: frozenset) -> float:
    st, rt = normalize(s.title, strip_number=False), normalize(r.title, strip_number=False)
    rkey = r.key("accept", ours) or r.key("reject", ours)
    body = similarity(s.key("accept", ours), rkey)
    if st and rt:
        head = 1.0 if st == rt else similarity(st, rt)
    else:
        head = body
    return 0.45 * head + 0.55 * body


def compare(sent: Reading, returned: Reading, library: VariantLibrary | None = None) -> Report:
    ours = frozenset(sent.revisions())
    s_front, s_arts, s_back = sections(sent)
    r_front, r_arts, r_back = sections(returned)
    results: list[ArticleResult] = [_judge(s_front, r_front, ours)]
    pairs = align(s_arts, r_arts, lambda a: normalize(a.title, strip_number=False) + "|" + a.key("accept", ours),
                  lambda a: normalize(a.title, strip_number=False) + "|" + (a.key("accept", ours) or a.key("reject", ours)),
                  score=lambda a, b: _score(a, b, ours), threshold=0.5)
    for i, j in pairs:
        results.append(_judge(s_arts[i] if i is not None else None, r_arts[j] if j is not None else None, ours))
    results.append(_judge(s_back, r_back, ours))
    _attach_comments(results, sent, returned)
    report = Report(sent.source, returned.source, results, sent.revision_count(), returned.revision_count(ours),
                    returned.numbered,
                    returned.footnote_count, library is not None)
    title = next((p.text("accept").strip() for p in sent.paragraphs if p.text("accept").strip()), "")
    report.document_title = title
    if library is not None:
        _match_variants(report, sent, library, ours)
    return report


def _worded(changes: list[LineChange]) -> list[LineChange]:
    """Line changes that change wording: a heading or paragraph whose only change is its own number is dropped."""
    from contracts.redline import new_of, old_of

    return [c for c in changes if normalize(old_of(c.segments)) != normalize(new_of(c.segments))]


def _judge(s: Section | None, r: Section | None, ours: frozenset) -> ArticleResult:
    res = _judge_raw(s, r, ours)
    res.silent_changes = _worded(res.silent_changes)
    res.tracked_changes = _worded(res.tracked_changes)
    return res


def _judge_raw(s: Section | None, r: Section | None, ours: frozenset) -> ArticleResult:
    kind = (s or r).kind
    if r is None:
        return ArticleResult("deleted", kind, s, None, tracked=False,
                             silent_changes=diff_lines(s.lines("accept", ours), []))
    if s is None:
        base = r.key("base", ours)
        tracked = not base
        return ArticleResult("added", kind, None, r, tracked=tracked,
                             silent_changes=[] if tracked else diff_lines([], r.lines("base", ours)),
                             tracked_changes=diff_lines(r.lines("base", ours), r.lines("accept", ours)))
    theirs_here = {rev for rev in r.revisions() if rev not in ours}
    ours_pending = sum(1 for rev in r.revisions() if rev in ours)
    s_acc = s.key("accept", ours)
    r_acc = r.key("accept", ours)
    r_base = r.key("base", ours)
    base_ok = _fits(r_base, [_options(p, ours) for p in s.paras])
    renumbered = s.number != r.number and s.number is not None and r.number is not None
    result = ArticleResult("unchanged", kind, s, r, tracked=True, renumbered=renumbered,
                           ours_pending=ours_pending, ours_in_sent=len(s.revisions() & ours))
    if not base_ok:
        result.status = "silent"
        result.silent_changes = diff_lines(s.lines("accept", ours), r.lines("base", ours))
        result.tracked_changes = diff_lines(r.lines("base", ours), r.lines("accept", ours)) if theirs_here else []
        if not _worded(result.silent_changes):  # only whitespace or numbering moved: not a change of wording
            result.status = "tracked" if theirs_here and r_acc != r_base else "unchanged"
        return result
    if not r_acc and s_acc and theirs_here:
        result.status = "deleted"
        result.tracked_changes = diff_lines(s.lines("accept", ours), [])
        return result
    if r_acc == s_acc and not theirs_here:
        return result
    if theirs_here and r_acc != r_base:
        result.status = "tracked"
        result.tracked_changes = diff_lines(r.lines("base", ours), r.lines("accept", ours))
        return result
    if r_base != s_acc:
        result.status = "rejected"
        result.silent_changes = diff_lines(s.lines("accept", ours), r.lines("base", ours))
        return result
    return result


def _attach_comments(results: list[ArticleResult], sent: Reading, returned: Reading) -> None:
    sent_comments = {(c.author, c.text) for c in sent.comments.values()}
    sent_notes = {n for p in sent.paragraphs for n in p.footnotes}
    for res in results:
        r = res.returned
        if r is None:
            continue
        for p in r.paras:
            for cid in p.comments:
                c = returned.comments.get(cid)
                if c is not None and (c.author, c.text) not in sent_comments and c not in res.comments:
                    res.comments.append(c)
            res.footnotes.extend(n for n in p.footnotes if n not in sent_notes)


def _match_variants(report: Report, sent: Reading, library: VariantLibrary, ours: frozenset) -> None:
    document = library.document_for(sent)
    if document is None:
        return
    report.library_document = document.title
    s_arts = [r.sent for r in report.results if r.kind == "article" and r.sent is not None]
    tree = list(document.articles)
    by_sent: dict[int, object] = {}
    for i, j in align(s_arts, tree, lambda s: normalize(s.title, strip_number=False),
                      lambda a: normalize(a.heading, strip_number=False), threshold=0.6):
        if i is not None and j is not None:
            by_sent[id(s_arts[i])] = tree[j]
    for res in report.results:
        if res.kind != "article" or res.sent is None or res.returned is None:
            continue
        if res.status not in ("tracked", "silent", "rejected"):
            continue
        art = by_sent.get(id(res.sent))
        if art is None:
            continue
        variants = library.variants(document, art.clause_id)
        if not variants:
            continue
        returned_key = variant_key(res.returned.lines("accept", ours))
        sent_v = next((v for v in variants if v.variant_id == art.variant_id), None)
        match = next((v for v in variants if v.key == returned_key), None)
        nearest = max(variants, key=lambda v: similarity(v.key, returned_key))
        res.variant = VariantMatch(
            clause_id=art.clause_id,
            sent_variant=art.variant_id,
            sent_favours=sent_v.favours if sent_v else art.annotation.favours,
            matched=match.variant_id if match else None,
            favours=match.favours if match else None,
            summary=match.summary if match else None,
            nearest=None if match else nearest.variant_id,
            nearest_similarity=0.0 if match else similarity(nearest.key, returned_key),
        )


# --------------------------------------------------------------------------- the report


def _changes_dict(changes: list[LineChange]) -> list[dict]:
    from contracts.redline import new_of, old_of

    return [{"kind": c.kind, "old": old_of(c.segments), "new": new_of(c.segments), "diff": inline_diff(c.segments)}
            for c in changes]


def report_dict(report: Report) -> dict:
    items = []
    for r in report.results:
        if r.kind != "article" and not r.changed and not r.comments:
            continue
        item = {
            "status": r.status,
            "status_ja": r.status_ja,
            "severity": r.severity or None,
            "silent": r.silent,
            "tracked": r.tracked,
            "part": r.kind,
            "sent": r.sent.label if r.sent else None,
            "returned": r.returned.label if r.returned else None,
            "renumbered": r.renumbered,
            "silent_changes": _changes_dict(r.silent_changes),
            "tracked_changes": _changes_dict(r.tracked_changes),
            "our_revisions": {"in_sent": r.ours_in_sent, "pending": r.ours_pending},
            "comments": [{"author": c.author, "text": c.text} for c in r.comments],
            "footnotes": list(r.footnotes),
        }
        if r.variant is not None:
            v = r.variant
            item["library"] = {"clause_id": v.clause_id, "sent_variant": v.sent_variant, "sent_favours": v.sent_favours,
                               "matched_variant": v.matched, "favours": v.favours, "annotation": v.summary,
                               "nearest": v.nearest, "similarity": round(v.nearest_similarity, 3), "text": v.line()}
        items.append(item)
    return {
        "sent": report.sent,
        "returned": report.returned,
        "document": report.document_title,
        "silent_edits": len(report.silent),
        "counts": report.counts(),
        "our_revisions": report.ours,
        "their_revisions": report.theirs,
        "automatic_numbering": report.numbered,
        "footnotes": report.footnotes,
        "answers_used": report.answers_used,
        "library_document": report.library_document,
        "articles": items,
    }


def result_lines(r: ArticleResult, render=inline_diff, limit: int = 8) -> list[str]:
    """What a reviewer needs to know about one article, as short lines (for the comment and the Markdown)."""
    out = []
    if r.renumbered and r.status == "unchanged":
        out.append("条番号のみ変更されています。")
    if r.status == "silent":
        out.append("変更履歴を残さずに文言が変更されています（サイレント修正）。")
    if r.status in ("added", "deleted") and not r.tracked:
        out.append("変更履歴を残さずに条項が" + ("追加" if r.status == "added" else "削除") + "されています。")
    if r.status == "rejected":
        out.append("当方が変更履歴で示した修正の一部が、変更履歴を残さずに元に戻されています（拒否）。")
    if r.ours_in_sent:
        out.append(f"当方の変更履歴 {r.ours_in_sent}件のうち、未処理 {r.ours_pending}件。")

    def show(title, changes):
        shown = changes[:limit]
        for c in shown:
            verb = {"changed": "変更", "added": "追加", "deleted": "削除"}[c.kind]
            out.append(f"{title}{verb}: {excerpt(c.segments, render=render)}")
        if len(changes) > limit:
            out.append(f"{title}ほか {len(changes) - limit}箇所")

    if r.status in ("silent", "rejected") or (r.status in ("added", "deleted") and not r.tracked):
        show("［履歴なし］", r.silent_changes)
    if r.tracked_changes:
        show("［履歴あり］", r.tracked_changes)
    if r.variant is not None:
        out.append(r.variant.line())
    for c in r.comments:
        out.append(f"相手方のコメント（{c.author}）: {c.text}")
    for n in r.footnotes:
        out.append(f"追加された脚注: {n}")
    return out


def report_markdown(report: Report) -> str:
    counts = report.counts()
    silent = report.silent
    lines = [
        f"# 返送版の照合結果: {report.document_title}",
        "",
        f"- 送付版: `{report.sent}`",
        f"- 返送版: `{report.returned}`",
        f"- 変更履歴: 送付版の当方の変更 {report.ours}件、返送版の相手方の変更 {report.theirs}件"
        + ("／Word の自動番号付け: あり" if report.numbered else "")
        + (f"／脚注: {report.footnotes}件" if report.footnotes else ""),
        "- 条ごとの結果: " + "・".join(f"{STATUS_JA[k]} {v}" for k, v in counts.items() if v or k == "unchanged"),
        "",
    ]
    if silent:
        lines.append(f"**変更履歴のない変更（サイレント修正）が {len(silent)}件あります（重要度 高）。** 必ず本文を確認してください。")
    else:
        lines.append("変更履歴のない変更（サイレント修正）は見つかりませんでした。")
    if not report.answers_used:
        lines.append("")
        lines.append("（`--answers` で回答ファイルを指定すると、変更後の文言がライブラリのどの条項と一致するかも照合します。）")
    elif report.library_document is None:
        lines.append("")
        lines.append("（回答ファイルから作られる文書に、送付版に当たるものが見つかりませんでした。ライブラリとの照合は行っていません。）")
    lines.append("")
    listed = [r for r in report.results if r.changed or r.renumbered or r.comments or r.footnotes]
    quiet = sum(1 for r in report.results if r.kind == "article" and r not in listed)
    if listed:
        lines.append("| 条 | 結果 | 重要度 |")
        lines.append("| --- | --- | --- |")
        for r in listed:
            moved = "（条番号のみ変更）" if r.renumbered and not r.changed else ""
            lines.append(f"| {r.label} | {r.status_ja}{moved} | {r.severity or '－'} |")
        lines.append("")
    lines.append(f"上記以外の{quiet}条は変更なし。" if listed else f"全{quiet}条とも変更なし。")
    lines.append("")
    for r in report.results:
        if not r.changed and not r.comments and not r.footnotes:
            continue
        lines.append(f"## {r.label}　【{r.status_ja}】" + (f"　重要度 {r.severity}" if r.severity else ""))
        lines.append("")
        lines.extend(f"- {x}" for x in result_lines(r, render=markdown_diff))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- the review copy


def review_docx(returned_bytes: bytes, report: Report, returned: Reading) -> bytes:
    """A copy of the returned file with a Word comment on each changed article (and one summary comment on the
    first paragraph); the counterparty's own revisions and comments are kept as they are."""
    from docx import Document as WordDocument
    from docx.oxml.ns import qn

    from contracts.render.ooxml import save_docx, set_comment_date

    word = WordDocument(io.BytesIO(returned_bytes))
    elements = [p for p, *_ in iter_paragraphs(word.element.body)]
    if len(elements) != len(returned.paragraphs):
        raise ValueError("the returned file changed between reading and annotating it")

    def anchor(index: int, lines: list[str]) -> None:
        first, *rest = lines
        comment = word.comments.add_comment(text=first, author=REVIEW_AUTHOR, initials=REVIEW_INITIALS)
        for line in rest:
            comment.add_paragraph(line)
        set_comment_date(comment, REVIEW_DATE)
        cid = str(comment.comment_id)
        p = elements[index]
        start = etree.Element(qn("w:commentRangeStart"))
        start.set(qn("w:id"), cid)
        end = etree.Element(qn("w:commentRangeEnd"))
        end.set(qn("w:id"), cid)
        ref_run = etree.Element(qn("w:r"))
        ref = etree.SubElement(ref_run, qn("w:commentReference"))
        ref.set(qn("w:id"), cid)
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        p.append(ref_run)

    results = report.results
    counts = report.counts()
    summary = [
        "【照合結果の概要】" + "・".join(f"{STATUS_JA[k]} {v}" for k, v in counts.items() if v),
        f"変更履歴のない変更（サイレント修正）: {len(report.silent)}件" + ("（重要度 高）" if report.silent else ""),
        f"送付版: {report.sent}",
    ]
    first = next((p.index for p in returned.paragraphs if p.text("accept").strip() or p.text("reject").strip()), 0)
    if elements:
        anchor(first, summary)
    for k, r in enumerate(results):
        if not r.changed and not r.comments and not r.footnotes and not r.renumbered:
            continue
        if r.status == "unchanged" and not (r.comments or r.footnotes):
            continue
        lines = [f"【照合】{r.label}: {r.status_ja}" + (f"（重要度 {r.severity}）" if r.severity else "")]
        if r.sent is not None and r.returned is not None and r.sent.label != r.returned.label:
            lines.append(f"送付版: {r.sent.label}／返送版: {r.returned.label}")
        lines.extend(result_lines(r))
        target = _anchor_index(results, k)
        if target is None:
            continue
        if r.returned is None:
            lines.insert(1, f"送付版の{r.sent.label}は返送版にありません（この位置の前後にありました）。")
        anchor(target, lines)
    props = word.core_properties
    from contracts.render.docx import fit_property

    props.title = fit_property(f"{props.title or report.document_title}（照合用・社外秘）")
    props.category = "社内検討用・照合結果"
    return save_docx(word)


def _anchor_index(results: list[ArticleResult], k: int) -> int | None:
    r = results[k]
    if r.returned is not None:
        head = r.returned.heading or next(iter(r.returned.paras), None)
        return head.index if head is not None else None
    for other in results[k + 1:] + list(reversed(results[:k])):
        if other.returned is not None and other.returned.paras:
            head = other.returned.heading or other.returned.paras[0]
            return head.index
    return None
