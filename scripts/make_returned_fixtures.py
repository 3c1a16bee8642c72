"""Build tests/fixtures/returned/: our drafts as a counterparty sends them back.

    .venv/bin/python scripts/make_returned_fixtures.py [--out tests/fixtures/returned]

Each fixture starts from a file keiyaku generates from examples/data_provision.yaml (the clean 02 データ提供契約書,
or the redline to examples/negotiation/data_provision_v2.yaml) and is edited the way a counterparty edits it:

| file | made with | what the counterparty did |
| --- | --- | --- |
| sent.docx | keiyaku | the clean draft we sent (第1版) |
| returned_word.docx | python-docx (Word's markup) | tracked: a period 30日 → 60日, a paragraph deleted, an article added (and the following headings renumbered, tracked); a comment, a footnote, a PAGE field, a hyperlink, a 別紙 cell edited (tracked) |
| returned_silent.docx | python-docx | the court and the liability cap changed **without** tracking; one tracked change beside them |
| returned_libreoffice.docx | LibreOffice (headless macro) | tracked in LibreOffice as 「まなびリンク法務部」: 30日以内 → 45日以内, a footnote, a page-number field; then tracking off and 14日以内 → 7日以内 (silent) |
| returned_autonumber.docx | python-docx | the article headings retyped with Word automatic numbering (「第%1条」 in numbering.xml, no typed numbers) and a new article inserted in the middle (tracked), so every later article is renumbered by Word |
| sent_redline.docx | keiyaku redline | our 第2版 redline (tracked changes by 株式会社ひだまりマート) |
| returned_accept_some.docx | python-docx | on our redline: some of our changes accepted, one rejected, the rest left pending, one tracked change of their own |
| corrupt.docx | truncated zip | a damaged download |
| encrypted.docx | msoffcrypto-tool (password 「secret」) | a password-protected file (Word's agile encryption) |

Run it again after the clause library changes; the tests read the committed files. LibreOffice (``soffice``) is
needed for returned_libreoffice.docx, msoffcrypto-tool (``pip install msoffcrypto-tool``, not a dependency of keiyaku)
for encrypted.docx; without it that file is kept as committed. The editing helpers (``Editor``) are used by the tests
as well.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
THEM = "株式会社まなびリンク 法務部"
THEM_DATE = "2027-03-05T10:15:00Z"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def text_of(p) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


class Editor:
    """A .docx opened with python-docx, edited paragraph by paragraph with Word's own markup."""

    def __init__(self, data: bytes, author: str = THEM, date: str = THEM_DATE):
        from docx import Document

        self.word = Document(io.BytesIO(data))
        self.body = self.word.element.body
        self.author, self.date = author, date
        self.next_id = 9000

    # -- finding

    def paragraphs(self):
        return list(self.body.iter(w("p")))

    def find(self, contains, nth: int = 0):
        """The paragraph containing the text ``contains`` (or ``contains`` itself when it is a paragraph)."""
        if not isinstance(contains, str):
            return contains
        hits = [p for p in self.paragraphs() if contains in text_of(p)]
        if len(hits) <= nth:
            raise LookupError(f"no paragraph containing {contains!r}")
        return hits[nth]

    def mark(self, tag: str):
        el = etree.Element(w(tag))
        el.set(w("id"), str(self.next_id))
        el.set(w("author"), self.author)
        el.set(w("date"), self.date)
        self.next_id += 1
        return el

    @staticmethod
    def run(text: str, deleted: bool = False):
        r = etree.Element(w("r"))
        t = etree.SubElement(r, w("delText" if deleted else "t"))
        t.text = text
        t.set(XML_SPACE, "preserve")
        return r

    # -- edits

    def replace(self, old: str, new: str, tracked: bool = True, contains: str | None = None) -> None:
        """Replace ``old`` by ``new`` inside one paragraph (whose runs are merged first), tracked or silently."""
        p = self.find(contains or old)
        full = text_of(p)
        if old not in full:
            raise LookupError(f"{old!r} not in the paragraph")
        before, after = full.split(old, 1)
        for r in p.findall(w("r")):
            p.remove(r)
        p.append(self.run(before))
        if tracked:
            d = self.mark("del")
            d.append(self.run(old, deleted=True))
            p.append(d)
            if new:
                i = self.mark("ins")
                i.append(self.run(new))
                p.append(i)
        elif new:
            p.append(self.run(new))
        p.append(self.run(after))

    def delete_paragraph(self, contains, tracked: bool = True) -> None:
        p = self.find(contains)
        if not tracked:
            p.getparent().remove(p)
            return
        text = text_of(p)
        for r in p.findall(w("r")):
            p.remove(r)
        self._mark_paragraph(p, "del")
        d = self.mark("del")
        d.append(self.run(text, deleted=True))
        p.append(d)

    def insert_after(self, contains, paragraphs: list[tuple[str, str]], tracked: bool = True, numbering=None):
        """New paragraphs (style id, text) after the paragraph containing ``contains``; returns them."""
        anchor = self.find(contains)
        made = []
        for style, text in paragraphs:
            p = etree.Element(w("p"))
            ppr = etree.SubElement(p, w("pPr"))
            etree.SubElement(ppr, w("pStyle")).set(w("val"), style)
            if numbering and style == numbering[0]:
                numpr = etree.SubElement(ppr, w("numPr"))
                etree.SubElement(numpr, w("ilvl")).set(w("val"), "0")
                etree.SubElement(numpr, w("numId")).set(w("val"), numbering[1])
            if tracked:
                self._mark_paragraph(p, "ins")
                i = self.mark("ins")
                i.append(self.run(text))
                p.append(i)
            else:
                p.append(self.run(text))
            anchor.addnext(p)
            anchor = p
            made.append(p)
        return made

    def _mark_paragraph(self, p, kind: str) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        rpr.insert(0, self.mark(kind))

    def comment(self, contains: str, text: str) -> None:
        p = self.find(contains)
        runs = [r for r in p.iter(w("r")) if r.getparent() is p]
        from docx.text.run import Run

        c = self.word.add_comment([Run(runs[0], None), Run(runs[-1], None)], text=text, author=self.author, initials="ML")
        from docx.oxml.ns import qn

        c._comment_elm.set(qn("w:date"), self.date)

    def footnote(self, contains: str, text: str) -> None:
        """A footnote reference at the end of the paragraph, and footnotes.xml created if the file has none."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml.parser import parse_xml

        part = self.word.part
        rel = next((r for r in part.rels.values() if r.reltype == RT.FOOTNOTES), None)
        if rel is None:
            xml = (f'<w:footnotes xmlns:w="{W}">'
                   '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                   '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                   '</w:footnotes>')
            fpart = XmlPart(PackURI("/word/footnotes.xml"),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                            parse_xml(xml), part.package)
            part.relate_to(fpart, RT.FOOTNOTES)
        else:
            fpart = rel.target_part
        root = fpart.element
        ids = [int(f.get(w("id"))) for f in root.iter(w("footnote"))]
        fid = str(max(ids + [0]) + 1)
        fn = etree.SubElement(root, w("footnote"))
        fn.set(w("id"), fid)
        fp = etree.SubElement(fn, w("p"))
        ref_run = etree.SubElement(fp, w("r"))
        etree.SubElement(ref_run, w("footnoteRef"))
        fp.append(self.run(" " + text))
        p = self.find(contains)
        r = etree.SubElement(p, w("r"))
        rpr = etree.SubElement(r, w("rPr"))
        etree.SubElement(rpr, w("vertAlign")).set(w("val"), "superscript")
        etree.SubElement(r, w("footnoteReference")).set(w("id"), fid)

    def page_field(self, contains: str) -> None:
        """A complex PAGE field (begin, instrText, separate, result, end) and a simple DATE field."""
        p = self.find(contains)
        r1 = etree.SubElement(p, w("r"))
        etree.SubElement(r1, w("fldChar")).set(w("fldCharType"), "begin")
        r2 = etree.SubElement(p, w("r"))
        instr = etree.SubElement(r2, w("instrText"))
        instr.text = " PAGE "
        instr.set(XML_SPACE, "preserve")
        r3 = etree.SubElement(p, w("r"))
        etree.SubElement(r3, w("fldChar")).set(w("fldCharType"), "separate")
        p.append(self.run(""))
        r5 = etree.SubElement(p, w("r"))
        etree.SubElement(r5, w("fldChar")).set(w("fldCharType"), "end")

    def hyperlink(self, contains: str, word: str, url: str) -> None:
        """Turn ``word`` inside the paragraph into a hyperlink (the text stays the same)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        p = self.find(contains)
        full = text_of(p)
        before, after = full.split(word, 1)
        for r in p.findall(w("r")):
            p.remove(r)
        rid = self.word.part.relate_to(url, RT.HYPERLINK, is_external=True)
        p.append(self.run(before))
        h = etree.SubElement(p, w("hyperlink"))
        h.set(f"{{{R}}}id", rid)
        h.append(self.run(word))
        p.append(self.run(after))

    def accept(self, contains: str) -> None:
        """Accept every tracked change in the paragraph (as Word's 「承諾」 does)."""
        p = self.find(contains)
        for d in list(p.iter(w("del"))):
            if d.getparent().tag == w("rPr"):
                continue
            d.getparent().remove(d)
        for i in list(p.iter(w("ins"))):
            if i.getparent().tag == w("rPr"):
                i.getparent().remove(i)
                continue
            parent = i.getparent()
            idx = parent.index(i)
            for child in list(i):
                parent.insert(idx, child)
                idx += 1
            parent.remove(i)

    def reject(self, contains: str) -> None:
        """Reject every tracked change in the paragraph (Word's 「元に戻す」)."""
        p = self.find(contains)
        for i in list(p.iter(w("ins"))):
            if i.getparent().tag == w("rPr"):
                continue
            i.getparent().remove(i)
        for d in list(p.iter(w("del"))):
            if d.getparent().tag == w("rPr"):
                d.getparent().remove(d)
                continue
            parent = d.getparent()
            idx = parent.index(d)
            for child in list(d):
                for t in child.iter(w("delText")):
                    t.tag = w("t")
                parent.insert(idx, child)
                idx += 1
            parent.remove(d)

    def autonumber_headings(self, style_id: str = "条見出し") -> str:
        """Retype every article heading with Word automatic numbering: 「第1条（目的）」 becomes 「（目的）」 numbered
        by a list whose level text is 「第%1条」. Returns the numId."""
        import re

        from docx.oxml.parser import parse_xml

        numbering = self.word.part.numbering_part.element
        aids = [int(a.get(w("abstractNumId"))) for a in numbering.iter(w("abstractNum"))]
        nids = [int(n.get(w("numId"))) for n in numbering.iter(w("num"))]
        aid, nid = str(max(aids + [0]) + 1), str(max(nids + [0]) + 1)
        abstract = parse_xml(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="第%1条"/>'
            '<w:lvlJc w:val="left"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>')
        first_num = numbering.find(w("num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        num = parse_xml(f'<w:num xmlns:w="{W}" w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>')
        numbering.append(num)
        for p in self.paragraphs():
            ps = p.find(f"{w('pPr')}/{w('pStyle')}")
            if ps is None or ps.get(w("val")) != style_id:
                continue
            full = text_of(p)
            m = re.match(r"^第[0-9０-９]+条", full)
            if not m:
                continue
            for r in p.findall(w("r")):
                p.remove(r)
            p.append(self.run(full[m.end():]))
            ppr = p.find(w("pPr"))
            numpr = etree.SubElement(ppr, w("numPr"))
            etree.SubElement(numpr, w("ilvl")).set(w("val"), "0")
            etree.SubElement(numpr, w("numId")).set(w("val"), nid)
        return nid

    def renumber_headings_from(self, first_after: str, start: int) -> None:
        """Tracked renumbering of the typed headings after the paragraph containing ``first_after``: the number of
        each later 第N条（…） heading is replaced (tracked) by start, start+1 …"""
        import re

        anchor = self.find(first_after)
        seen = False
        n = start
        for p in self.paragraphs():
            if p is anchor:
                seen = True
                continue
            ps = p.find(f"{w('pPr')}/{w('pStyle')}")
            if not seen or ps is None or ps.get(w("val")) != "条見出し":
                continue
            full = text_of(p)
            m = re.match(r"^第([0-9]+)条", full)
            if not m or p.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None:
                continue
            for r in p.findall(w("r")):
                p.remove(r)
            p.append(self.run("第"))
            d = self.mark("del")
            d.append(self.run(m.group(1), deleted=True))
            p.append(d)
            i = self.mark("ins")
            i.append(self.run(str(n)))
            p.append(i)
            p.append(self.run(full[m.end(1):]))
            n += 1

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.word.save(buf)
        return buf.getvalue()


# --------------------------------------------------------------------------- the fixtures


def sent_files() -> tuple[bytes, bytes]:
    """The clean 02 データ提供契約書 of examples/data_provision.yaml, and our redline of it to the 第2版."""
    from contracts.answers import load_answers
    from contracts.generate import build_set
    from contracts.redline import build_redline

    v1 = load_answers(ROOT / "examples" / "data_provision.yaml")
    v2 = load_answers(ROOT / "examples" / "negotiation" / "data_provision_v2.yaml")
    clean = build_set(v1).files["02_データ提供契約書.docx"]
    redline = build_redline(v1, v2).files["02_データ提供契約書_変更履歴.docx"]
    return clean, redline


NEW_ARTICLE = [
    ("条見出し", "第19条（データの品質に関する協議）"),
    ("条本文", "甲及び乙は、提供データの品質に疑義が生じたときは、誠実に協議し、必要に応じて提供データの修正又は再提供の方法を定める。"),
]


def returned_word(sent: bytes) -> bytes:
    e = Editor(sent)
    e.replace("30日以内", "60日以内", contains="利用終了日から30日以内")
    e.delete_paragraph("提供データの加工及び提供に要する費用は甲の負担")
    e.insert_after(_last_paragraph_of(e, "（損害賠償）"), NEW_ARTICLE)
    e.renumber_headings_from("第19条（データの品質に関する協議）", 20)
    e.comment("（秘密保持）", "秘密保持期間は5年を希望します。")
    e.footnote("（目的）", "本契約の締結に先立ち、当社社内の承認を得ています。")
    e.page_field("（協議事項）")
    e.hyperlink("個人情報の保護に関する法律", "個人情報の保護に関する法律", "https://elaws.e-gov.go.jp/")
    e.replace("約420万行（約380MB）", "約450万行（約400MB）")
    return e.save()


def _last_paragraph_of(e: Editor, heading: str) -> str:
    """The text of the last paragraph of the article whose heading contains ``heading``."""
    paras = e.paragraphs()
    start = next(k for k, p in enumerate(paras) if heading in text_of(p))
    k = start + 1
    while k < len(paras):
        ps = paras[k].find(f"{w('pPr')}/{w('pStyle')}")
        if ps is not None and ps.get(w("val")) == "条見出し":
            break
        k += 1
    return text_of(paras[k - 1])


def returned_silent(sent: bytes) -> bytes:
    e = Editor(sent)
    e.replace("静岡地方裁判所", "東京地方裁判所", tracked=False)
    e.replace("累計で金600,000円", "累計で金300,000円", tracked=False)
    e.replace("30日以内", "45日以内", contains="利用終了日から30日以内")
    return e.save()


def returned_autonumber(sent: bytes) -> bytes:
    e = Editor(sent)
    nid = e.autonumber_headings()
    e.insert_after(_last_paragraph_of(e, "（個人情報の取扱い）"),
                   [("条見出し", "（データの品質に関する協議）"), NEW_ARTICLE[1]], numbering=("条見出し", nid))
    return e.save()


def returned_accept_some(sent_redline: bytes) -> bytes:
    e = Editor(sent_redline)
    e.accept("利用終了日から")  # 第21条: our 30 → 60 accepted
    e.reject("教材から提供データ及び派生データを含む部分を削除")  # 第22条: our 30 → 60 rejected (back to 30)
    e.replace("終了後3年間", "終了後5年間", contains="本条の規定は、本契約の終了後3年間")
    return e.save()


def corrupt(sent: bytes) -> bytes:
    return sent[: len(sent) // 2]


def libreoffice_fixtures(sent_path: Path, out: Path) -> None:
    from tests.lo_basic import run_jobs

    run_jobs([
        ("author", "まなびリンク法務部"),
        ("open", str(sent_path)),
        ("record", "on"),
        ("replace", "利用終了日から30日以内", "利用終了日から45日以内"),
        ("footnote", "（目的）", "当社規程に基づく確認済み。"),
        ("pagefield", "（協議事項）"),
        ("record", "off"),
        ("replace", "本契約の締結日から14日以内", "本契約の締結日から7日以内"),
        ("save", str(out / "returned_libreoffice.docx")),
        ("close",),
    ], timeout=120)


def encrypted(sent: bytes) -> bytes | None:
    """The sent file encrypted with the password 「secret」 as Word does (ECMA-376 agile encryption), by
    msoffcrypto-tool: LibreOffice 7.4 writes a password-protected DOCX only from its dialog, not from a macro. Only
    this script needs it (``pip install msoffcrypto-tool``); without it the committed encrypted.docx is kept."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        print("msoffcrypto-tool is not installed: encrypted.docx left as it is", file=sys.stderr)
        return None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(sent)).encrypt("secret", out)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "returned"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sent, sent_redline = sent_files()
    files = {
        "sent.docx": sent,
        "returned_word.docx": returned_word(sent),
        "returned_silent.docx": returned_silent(sent),
        "returned_autonumber.docx": returned_autonumber(sent),
        "sent_redline.docx": sent_redline,
        "returned_accept_some.docx": returned_accept_some(sent_redline),
        "corrupt.docx": corrupt(sent),
    }
    locked = encrypted(sent)
    if locked is not None:
        files["encrypted.docx"] = locked
    for name, data in files.items():
        (out / name).write_bytes(data)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "out"
        staged.mkdir()
        source = Path(tmp) / "sent.docx"  # LibreOffice leaves a lock file beside what it opens: not in the repo
        shutil.copyfile(out / "sent.docx", source)
        libreoffice_fixtures(source, staged)
        for f in staged.iterdir():
            shutil.copyfile(f, out / f.name)
    for f in sorted(out.iterdir()):
        print(f"{f}  {f.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
