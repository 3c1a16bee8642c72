"""The document tree: what the assembler produces and every renderer consumes.

Plain frozen dataclasses holding final text with numbers already computed, so that DOCX and PDF
renderers show exactly the same words and neither needs to know about answers or clauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FAVOURS_JA = {"provider": "提供者に有利", "balanced": "中立", "recipient": "相手方に有利"}


@dataclass(frozen=True)
class SideNote:
    benefit: str
    risk: str


@dataclass(frozen=True)
class Annotation:
    summary: str
    favours: str  # provider | balanced | recipient
    provider: SideNote
    recipient: SideNote
    issue: str
    direction: str
    references: tuple[str, ...]
    alternatives: tuple[str, ...] = ()  # "variant id: summary" of the variants not chosen


@dataclass(frozen=True)
class Item:
    label: str  # （1）
    text: str
    subitems: tuple[Item, ...] = ()  # label ア, イ …


@dataclass(frozen=True)
class Paragraph:
    number: str  # "" for the first paragraph, then ２, ３ …
    text: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Article:
    number: int
    heading: str
    clause_id: str
    variant_id: str
    paragraphs: tuple[Paragraph, ...]
    annotation: Annotation

    @property
    def label(self) -> str:
        return f"第{self.number}条"

    @property
    def heading_line(self) -> str:
        return f"第{self.number}条（{self.heading}）"

    def text(self) -> str:
        """The article's paragraphs, items and sub-items as plain lines (what the checks and tests read)."""
        lines = []
        for p in self.paragraphs:
            lines.append(p.text)
            for it in p.items:
                lines.append(it.text)
                lines.extend(s.text for s in it.subitems)
        return "\n".join(lines)


@dataclass(frozen=True)
class ScheduleRow:
    label: str
    value: str


@dataclass(frozen=True)
class Schedule:
    label: str  # 別紙 / 別紙1
    title: str
    rows: tuple[ScheduleRow, ...]


@dataclass(frozen=True)
class SignatureBlock:
    """One signer: short name and the lines printed for it (address, name, representative)."""

    short_name: str
    lines: tuple[str, ...]
    seal: str  # 印 for paper, "" for electronic or pledges


@dataclass(frozen=True)
class StampBox:
    """The 収入印紙 space on the first page of a paper draft that is a taxable document (contracts/stamp.py)."""

    tax_yen: int
    copies: str  # which copies carry the stamp: 「各当事者が保存する各1通」

    @property
    def amount(self) -> str:
        return f"{self.tax_yen:,}円"

    @property
    def note(self) -> str:
        return f"印紙税額　{self.amount}（{self.copies}に貼付し、消印する。）"


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    file_name: str
    addressee: str  # pledges: 「…大学 学長 殿」; otherwise ""
    preamble: str
    articles: tuple[Article, ...]
    closing: str
    date_line: str
    signatures: tuple[SignatureBlock, ...]
    schedules: tuple[Schedule, ...]
    parties: tuple[str, ...]  # full names, for document properties
    notice: str  # the review notice: printed in the review copy, the summary and the packet, never in the clean copy
    supplementary: tuple[str, ...] = field(default=())  # 附則 lines for terms
    version_label: str = "第1版"  # 「甲案・第2版・2027年3月1日」: the clean copy's header and properties
    end_mark: str = ""  # 「（以下余白）」 after the last article (and the 附則): nothing may be added below
    stamp_box: StampBox | None = None  # paper drafts that are taxable: the 収入印紙 space on the first page
    seal_note: str = ""  # paper drafts with seals: where to put the 契印
    date_style: str = "seireki"  # seireki (2027年4月1日) | wareki (令和9年4月1日): how every date is written

    @property
    def header_line(self) -> str:
        return f"{self.title}（{self.version_label}）"

    def text_lines(self) -> list[str]:
        """The document as plain lines, in reading order (for tests, dumps and the PDF)."""
        out = [f"収入印紙（{self.stamp_box.amount}）　{self.stamp_box.note}"] if self.stamp_box else []
        out.append(self.title)
        if self.addressee:
            out.append(self.addressee)
        if self.preamble:
            out.append(self.preamble)
        for a in self.articles:
            out.append(a.heading_line)
            for p in a.paragraphs:
                out.append(f"{p.number}　{p.text}" if p.number else p.text)
                for it in p.items:
                    out.append(f"{it.label}　{it.text}")
                    out.extend(f"{s.label}　{s.text}" for s in it.subitems)
        out.extend(self.back_lines())
        return out

    def back_lines(self) -> list[str]:
        """What follows the last article: 附則, （以下余白）, the closing, date and signatures, the 契印 note, the 別紙."""
        out = list(self.supplementary)
        if self.end_mark:
            out.append(self.end_mark)
        if self.closing:
            out.append(self.closing)
        if self.date_line:
            out.append(self.date_line)
        for s in self.signatures:
            out.append(s.short_name)
            out.extend(s.lines)
        if self.seal_note:
            out.append(self.seal_note)
        for sch in self.schedules:
            out.append(f"{sch.label}　{sch.title}")
            out.extend(f"{r.label}　{r.value}" for r in sch.rows)
        return out
