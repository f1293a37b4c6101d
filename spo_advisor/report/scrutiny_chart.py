"""The scrutiny's charts: horizontal grouped bars, one row of bars per group (a month, a
relationship), drawn server-side as an inline SVG with no external assets.

Each series has its own fill pattern (solid, hatched, dotted, open) as well as its own
shade, and every bar is labelled with its number, so the chart reads in greyscale and in
print. The SVG has a ``viewBox`` and no fixed width, so it scales to the page. Every
string is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
LABEL_WIDTH = 190
NUMBER_ROOM = 48
"""Room at the right of the longest bar for its number."""
BAR = 9
GAP = 7
TOP = 8
LEGEND_ROW = 18
FONT = "font-family='system-ui,sans-serif' font-size='11'"

PATTERNS = (
    ("solid", "<rect width='6' height='6' fill='#263238'/>"),
    ("hatch", ("<rect width='6' height='6' fill='#cfd8dc'/>"
              "<path d='M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2' stroke='#263238' stroke-width='1.2'/>")),
    ("dots", ("<rect width='6' height='6' fill='#ffffff'/>"
             "<circle cx='3' cy='3' r='1.3' fill='#263238'/>")),
    ("open", "<rect width='6' height='6' fill='#ffffff'/>"),
)
"""The fill of each series, in order: readable without colour."""


@dataclass(frozen=True)
class Series:
    """One measure across the groups: its name and one number per group."""

    name: str
    values: Sequence[int]


def bars_svg(chart_id: str, groups: Sequence[str], series: Sequence[Series], title: str) -> str:
    """The chart as an ``<svg>`` element (a ``<p>`` saying so when there is nothing to
    draw). ``chart_id`` keeps its pattern ids apart from other charts on the page."""
    if not groups or not series:
        return "<p>No cases to chart.</p>"
    largest = max((max(s.values, default=0) for s in series), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - NUMBER_ROOM) / largest
    row = len(series) * BAR + GAP
    parts = [_defs(chart_id, len(series))]
    for index, group in enumerate(groups):
        y = TOP + index * row
        parts.append(f"<text class='group' x='{LABEL_WIDTH - 6}' y='{y + len(series) * BAR / 2 + 4}' "
                     f"text-anchor='end' {FONT}>{escape(_short(group))}<title>{escape(group)}"
                     f"</title></text>")
        for number, item in enumerate(series):
            value = item.values[index]
            top = y + number * BAR
            length = round(value * scale, 2)
            parts.append(
                f"<rect class='bar' x='{LABEL_WIDTH}' y='{top}' width='{max(length, 0.5)}' "
                f"height='{BAR - 1}' fill='url(#{chart_id}-{PATTERNS[number][0]})' "
                f"stroke='#263238' stroke-width='0.6'><title>{escape(group)}: "
                f"{escape(item.name)} {value:,}</title></rect>"
                f"<text class='value' x='{LABEL_WIDTH + length + 4}' y='{top + BAR - 1}' "
                f"font-family='system-ui,sans-serif' font-size='9'>{value:,}</text>")
    legend_top = TOP + len(groups) * row + 6
    for number, item in enumerate(series):
        y = legend_top + number * LEGEND_ROW
        parts.append(f"<g class='key'><rect x='{LABEL_WIDTH}' y='{y}' width='22' height='11' "
                     f"fill='url(#{chart_id}-{PATTERNS[number][0]})' stroke='#263238'/>"
                     f"<text x='{LABEL_WIDTH + 28}' y='{y + 10}' {FONT}>{escape(item.name)}"
                     f"</text></g>")
    height = legend_top + len(series) * LEGEND_ROW + 4
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='bars' role='img' "
            f"aria-label='{escape(title)}' viewBox='0 0 {WIDTH} {height}' "
            f"preserveAspectRatio='xMinYMin meet'><title>{escape(title)}</title>"
            f"{''.join(parts)}</svg>")


def _defs(chart_id: str, count: int) -> str:
    if count > len(PATTERNS):
        raise ValueError(f"at most {len(PATTERNS)} series")
    patterns = "".join(f"<pattern id='{chart_id}-{name}' width='6' height='6' "
                       f"patternUnits='userSpaceOnUse'>{body}</pattern>"
                       for name, body in PATTERNS[:count])
    return f"<defs>{patterns}</defs>"


def _short(name: str, most: int = 30) -> str:
    return name if len(name) <= most else name[:most - 1] + "…"
