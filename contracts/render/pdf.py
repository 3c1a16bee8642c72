"""Approval packet -> PDF with WeasyPrint (imported here only, so Word-only runs never pay for it).

HTML and CSS live in templates/; the chart is inline SVG computed from the same numbers as the table. Each
article's annotation is a real footnote (CSS ``float: footnote``): 0.5-1 s more layout per packet than the
former side notes, and no more pages (37-43 pages instead of 37-45 on the four examples).
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass

from contracts.document import FAVOURS_JA
from contracts.packet import BoardPacket
from contracts.paths import TEMPLATES_DIR

PALETTE = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183")
FONT = "Noto Serif CJK JP"


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


def render_pdf(packet: BoardPacket) -> bytes:
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    HTML = _weasyprint_html()

    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    html = env.get_template("packet.html").render(
        p=packet, chart=chart(packet), favours=FAVOURS_JA, font=FONT,
        css=Markup((TEMPLATES_DIR / "packet.css").read_text(encoding="utf-8")),  # our own file: not user text
    )
    # The cyclic garbage collector paused for the render: its passes over WeasyPrint's many young boxes cost about
    # 0.1 s per packet, and the peak memory stays the same (the boxes live until the PDF is written anyway).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    finally:
        if collecting:
            gc.enable()
