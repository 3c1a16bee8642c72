"""Approval packet -> PDF with WeasyPrint (imported here only, so Word-only runs never pay for it).

HTML and CSS live in templates/; the chart is inline SVG computed from the same numbers as the table. Each
article's annotation is a real footnote (CSS ``float: footnote``): 0.5-1 s more layout per packet than the
former side notes, and no more pages (37-43 pages instead of 37-45 on the four examples).
"""

from __future__ import annotations

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


def render_pdf(packet: BoardPacket) -> bytes:
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup
    from jinja2.sandbox import SandboxedEnvironment
    from weasyprint import HTML

    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    html = env.get_template("packet.html").render(
        p=packet, chart=chart(packet), favours=FAVOURS_JA, font=FONT,
        css=Markup((TEMPLATES_DIR / "packet.css").read_text(encoding="utf-8")),  # our own file: not user text
    )
    return HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
