"""Approval packet -> PDF with WeasyPrint (imported here only, so Word-only runs never pay for it).

HTML and CSS live in templates/; the chart is inline SVG computed from the same numbers as the table. Each
article's annotation is a real footnote (CSS ``float: footnote``): 0.5-1 s more layout per packet than the
former side notes, and no more pages (37-43 pages instead of 37-45 on the four examples).

The packet is made of parts, as a board secretariat files it: the 本紙 (cover, sections 1-4) and one attachment per
contract (別添1, 別添2 …), each its own WeasyPrint document numbering its own pages. Layout is most of the time a
packet takes (about 2 s of CPU for 40 pages) and runs on one core, so the parts are dealt into two groups of about
equal cost; each group is written as one PDF, and the two PDFs are joined, in the parts' order, with pypdf. A
one-shot command (``parallel=True``) renders the second group in a forked child meanwhile; a threaded caller (the web
front end) renders the groups one after the other. Either way the bytes are the same: the same groups, the same join.
"""

from __future__ import annotations

import gc
import io
import itertools
import os
import pickle
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from contracts.document import FAVOURS_JA
from contracts.packet import BoardPacket
from contracts.paths import TEMPLATES_DIR

PALETTE = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183")
FONT = "Noto Serif CJK JP"
TAG_OR_SPACE = re.compile(r"<[^>]*>|\s")
# In characters of an article (see part_cost): a part's own cost (about 0.05 s), and what the process that joins the
# PDFs does besides its group (the Word files, about 0.08 s; the join, 0.05 s; pypdf's import, 0.05 s, is mostly
# done while the child finishes).
PART_COST = 1_600
JOIN_COST = 3_000


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    segments: tuple[tuple[int, int, str], ...]  # x, width, colour
    total_x: int
    total: str
    marked: bool


def chart(packet: BoardPacket) -> dict:
    """Stacked bars: each model's fit (0-3) for each goal the provider named, on one scale."""
    unit, left, row = 22, 150, 34
    bars = []
    for i, m in enumerate(packet.models):
        x, segs, total = left, [], 0
        for g, (value, asked) in enumerate(zip(m.benefits, packet.goals_asked)):
            if not asked or value == 0:
                continue
            segs.append((x, value * unit, PALETTE[g]))
            x += value * unit
            total += value
        mark = "（推奨）" if m.recommended else ""
        bars.append(Bar(20 + i * row, f"{m.label}{mark}", tuple(segs), x + 6, f"{total}", m.recommended))
    max_total = 3 * sum(packet.goals_asked)
    width = left + max_total * unit + 60
    asked = [(g, label) for g, (label, a) in enumerate(zip(packet.goal_labels, packet.goals_asked)) if a]
    legend_top = 20 + len(bars) * row + 8
    legend = [(left + (i % 3) * 130, legend_top + (i // 3) * 16, PALETTE[g], label) for i, (g, label) in enumerate(asked)]
    height = legend_top + ((len(asked) + 2) // 3) * 16 + 8
    return {"bars": bars, "width": max(width, left + 3 * 130), "height": height, "legend": legend, "bar_height": 20}


def _weasyprint_html():
    """WeasyPrint's HTML class, imported without ctypes.util.find_library on Linux.

    WeasyPrint tries several names for each C library, Windows and macOS ones first; cffi passes each name that does
    not load to ctypes.util.find_library, which runs ldconfig and gcc: about 0.18 s of subprocesses per process
    (Kozea/WeasyPrint#1125). Its list also holds each library's Linux soname (libpango-1.0.so.0, ...), which the
    dynamic loader finds by itself, so the search is switched off while WeasyPrint loads: the same libraries load.
    (Another thread calling find_library during that import would get None: nothing in keiyaku does.)
    """
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        from weasyprint import HTML
        return HTML
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        from weasyprint import HTML
    except OSError:  # a system whose libraries only the search finds: load WeasyPrint the usual way
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = find_library
        from weasyprint import HTML
    finally:
        ctypes.util.find_library = find_library
    return HTML


def part_sources(packet: BoardPacket) -> list[str]:
    """The HTML of each part in the packet's order: the 本紙, then 別添1, 別添2 …"""
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    template = env.get_template("packet.html")
    common = dict(
        p=packet, chart=chart(packet), favours=FAVOURS_JA, font=FONT,
        css=Markup((TEMPLATES_DIR / "packet.css").read_text(encoding="utf-8")),  # our own file: not user text
        labels=packet.attachment_labels, listing=packet.attachment_list,
    )
    return [template.render(attachment=k, **common) for k in (None, *range(len(packet.documents)))]


def part_cost(source: str) -> int:
    """What laying out and writing a part costs, in characters of an article: the characters it sets (twice for the
    本紙, whose tables and chart take about twice as long per character) and PART_COST for the part itself (its
    style sheet, its first page). About 31 µs of CPU per character, measured on the four examples; only the split
    reads it."""
    body = source[source.index("<body"):]
    characters = len(TAG_OR_SPACE.sub("", body))
    return PART_COST + (2 * characters if 'class="cover"' in body else characters)


def split(costs: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Parts (indices into ``costs``) dealt into two groups, each in the parts' order, so that both finish together:
    the first group is rendered by the process that also renders the Word files and joins the PDFs, so it starts
    ``JOIN_COST`` behind. Up to 12 parts every split is tried (the first best wins); more (a pledge per student), the
    costliest part first, each to the group that would finish first. A packet of one part gives one group."""
    n = len(costs)
    if n == 1:
        return (0,), ()

    def finish(sides) -> int:
        return max(JOIN_COST + sum(c for c, s in zip(costs, sides) if s == 0), sum(c for c, s in zip(costs, sides) if s))

    if n <= 12:
        both = [sides for sides in itertools.product((0, 1), repeat=n) if 0 in sides and 1 in sides]
        sides = min(both, key=lambda sides: (finish(sides), sides))
    else:
        sides, totals = [0] * n, [JOIN_COST, 0]
        for part in sorted(range(n), key=lambda i: (-costs[i], i)):
            sides[part] = 0 if totals[0] < totals[1] else 1
            totals[sides[part]] += costs[part]
    return tuple(i for i in range(n) if sides[i] == 0), tuple(i for i in range(n) if sides[i] == 1)


def render_group(sources: Sequence[str]) -> tuple[bytes, tuple[int, ...]]:
    """Parts laid out one by one (each numbering its own pages), written as one PDF; with each part's page count."""
    HTML = _weasyprint_html()
    from weasyprint.text.fonts import FontConfiguration

    # The cyclic garbage collector paused for the render: its passes over WeasyPrint's many young boxes cost about
    # 0.1 s per packet, and the peak memory stays the same (the boxes live until the PDF is written anyway).
    collecting = gc.isenabled()
    gc.disable()
    try:
        fonts = FontConfiguration()  # one per group: the fonts are looked up once, and embedded once per group
        documents = [HTML(string=s, base_url=str(TEMPLATES_DIR)).render(font_config=fonts) for s in sources]
        whole = documents[0].copy([page for d in documents for page in d.pages])
        return whole.write_pdf(), tuple(len(d.pages) for d in documents)
    finally:
        if collecting:
            gc.enable()


def join(groups: Sequence[tuple[Sequence[int], bytes, Sequence[int]]], prefixes: Sequence[str]) -> bytes:
    """One PDF from the groups' PDFs (parts, PDF, pages per part): every page in the parts' order, the outline (each
    part's headings, the pages renumbered), the first group's title, producer and language, and page labels that
    match the printed numbers (``prefixes[part]`` before each part's own 1, 2 …: the viewer shows 「別添2-3」)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit, NameObject

    readers = [PdfReader(io.BytesIO(pdf)) for _, pdf, _ in groups]
    where = {}  # part -> (group, first page in the group's PDF, pages)
    for g, (parts, _, pages) in enumerate(groups):
        first = 0
        for part, count in zip(parts, pages):
            where[part] = (g, first, count)
            first += count
    writer = PdfWriter()
    final = {}  # (group, page in the group's PDF) -> page in the joined PDF
    for part in sorted(where):
        g, first, count = where[part]
        start = len(writer.pages)
        for i in range(first, first + count):
            final[g, i] = len(writer.pages)
            writer.add_page(readers[g].pages[i])
        writer.set_page_label(start, start + count - 1, style="/D", prefix=prefixes[part] or None, start=1)

    def entries(reader, g, outline):
        """Outline items as (page in the joined PDF, title, fit, children)."""
        out = []
        for item in outline:
            if isinstance(item, list):
                out[-1][3].extend(entries(reader, g, item))
            else:
                fit = Fit.xyz(item.left, item.top, item.zoom)
                out.append((final[g, reader.get_destination_page_number(item)], item.title, fit, []))
        return out

    def add(items, parent=None):
        for page, title, fit, children in items:
            add(children, writer.add_outline_item(title=title, page_number=page, parent=parent, fit=fit))

    # Each part opens with a top-level heading, so the top-level items never span parts: ordered by page, they
    # follow the parts' order.
    roots = [e for g, r in enumerate(readers) for e in entries(r, g, r.outline)]
    add(sorted(roots, key=lambda e: e[0]))
    writer.add_metadata(dict(readers[0].metadata or {}))
    lang = readers[0].trailer["/Root"].get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = lang
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class PacketPdf:
    """The packet's PDF under way. With ``parallel`` (the caller is a one-shot process that may fork, never a threaded
    server), where the platform forks and no other thread runs, a child forked at once renders the second group
    meanwhile; ``result()`` renders the first one here and joins them. ``close()`` stops a child whose result was
    never asked for."""

    def __init__(self, packet: BoardPacket, parallel: bool = False):
        self.packet = packet
        self.child = None
        if parallel and hasattr(os, "fork") and threading.active_count() == 1:
            try:
                self.child = Child(lambda: self.render(1))
            except OSError:  # no process to spare (EAGAIN, ENOMEM): both groups here
                self.child = None

    @cached_property
    def parts(self) -> tuple[list[str], tuple[tuple[int, ...], tuple[int, ...]]]:
        """The parts' HTML and their split into groups: made after the fork, in each process, to the same result."""
        sources = part_sources(self.packet)
        return sources, split([part_cost(s) for s in sources])

    def render(self, group: int) -> tuple[tuple[int, ...], bytes, tuple[int, ...]]:
        sources, groups = self.parts
        return (groups[group], *render_group([sources[i] for i in groups[group]]))

    def result(self) -> bytes:
        rendered = [self.render(0)]
        if self.parts[1][1]:
            if self.child is not None:
                import pypdf  # noqa: F401  (for the join: loaded while the child finishes)
            theirs = self.child.result() if self.child is not None else None
            self.child = None
            rendered.append(theirs or self.render(1))  # sequential, or the child failed: here, to the same bytes
        return join(rendered, ("", *(f"{label}-" for label in self.packet.attachment_labels)))

    def close(self) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None


def render_pdf(packet: BoardPacket, parallel: bool = False) -> bytes:
    """The packet as one PDF; ``parallel``: see PacketPdf."""
    pdf = PacketPdf(packet, parallel)
    try:
        return pdf.result()
    finally:
        pdf.close()


class Child:
    """A forked process running ``work`` and handing its result back through a pipe (pickled), then leaving with
    os._exit: it never returns into the caller's code, writes no file and runs no exit handler."""

    def __init__(self, work):
        read, write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if self.pid == 0:
            status = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pipe = os.fdopen(read, "rb")

    def result(self):
        """The child's result, or None if it failed or was stopped (the caller then does the work itself)."""
        data = self.pipe.read()
        self.pipe.close()
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already (SIGCHLD ignored by the embedding program): the data tells
            status = 0
        self.pid = None
        try:
            return pickle.loads(data) if status == 0 else None
        except (pickle.UnpicklingError, EOFError):  # cut short
            return None

    def close(self) -> None:
        """Stop and reap the child if its result was never asked for (the caller failed)."""
        if self.pid is not None:
            import signal

            self.pipe.close()
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
