"""The review chart: one lane per order, the decision on each replay date, the incidents,
and the recorded actions labelled in words. An inline SVG, no external assets.

Dates are columns of equal width in date order (not to scale: a replay date is an event,
and equal columns keep every one visible). The SVG has a ``viewBox`` and no fixed width,
so it scales to the page and never overflows it. Every string is escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

LABEL_WIDTH = 210
"""Room for an order's name at the left of its lane."""
WIDTH = 760
LANE_HEIGHT = 22
TOP = 8
ACTION_ROW = 17
FONT = "font-family='system-ui,sans-serif' font-size='11'"
CHARACTER_WIDTH = 6.5
"""A generous width of one character at that size, to keep labels inside the chart."""

SERIOUS_COLOUR = {True: "#b71c1c", False: "#607d8b", None: "#ffffff"}
"""An incident's mark: violence or threats recorded, none recorded, not known."""
ACTION_COLOUR = "#0d47a1"


@dataclass(frozen=True)
class Lane:
    """One order: its name and, per column, the decision code and its words."""

    name: str
    decisions: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Action:
    """A recorded action: its date and what it was, in words."""

    date: date
    text: str


@dataclass(frozen=True)
class Incident:
    """An incident date, in words, and whether violence or threats were recorded."""

    date: date
    text: str
    serious: bool | None


def lanes_svg(dates: Sequence[date], lanes: Sequence[Lane], actions: Sequence[Action],
              incidents: Sequence[Incident], colours: Mapping[str, str], title: str) -> str:
    """The chart as an ``<svg>`` element (``<p>`` saying so when there are no dates)."""
    if not dates:
        return "<p>No dated incidents, actions or risk assessments.</p>"
    column = {day: index for index, day in enumerate(dates)}
    step = (WIDTH - LABEL_WIDTH) / len(dates)

    def x(day: date) -> float:
        return round(LABEL_WIDTH + column[day] * step, 2)

    def middle(day: date) -> float:
        return round(x(day) + step / 2, 2)

    parts: list[str] = []
    rows = [("Incidents", None), *((lane.name, lane) for lane in lanes)]
    for row, (name, lane) in enumerate(rows):
        y = TOP + row * LANE_HEIGHT
        parts.append(f"<text class='lane-name' x='{LABEL_WIDTH - 6}' y='{y + 15}' "
                     f"text-anchor='end' {FONT}>{escape(_short(name))}<title>{escape(name)}"
                     f"</title></text>")
        if lane is None:
            parts += [_incident(item, middle(item.date), y) for item in incidents
                      if item.date in column]
            continue
        for day, (code, words) in zip(dates, lane.decisions, strict=True):
            parts.append(f"<rect class='cell {escape(code)}' x='{x(day)}' y='{y + 2}' "
                         f"width='{round(max(step - 1, 0.5), 2)}' height='{LANE_HEIGHT - 4}' "
                         f"fill='{colours.get(code, '#9e9e9e')}'><title>{escape(name)}, {day}: "
                         f"{escape(words)}</title></rect>")
    bottom = TOP + len(rows) * LANE_HEIGHT
    parts.append(f"<text x='{LABEL_WIDTH}' y='{bottom + 12}' {FONT}>{dates[0]}</text>")
    if len(dates) > 1:
        parts.append(f"<text x='{WIDTH}' y='{bottom + 12}' text-anchor='end' {FONT}>"
                     f"{dates[-1]}</text>")
    for index, action in enumerate(a for a in actions if a.date in column):
        parts.append(_action(action, middle(action.date), bottom + 18 + index * ACTION_ROW))
    height = bottom + 24 + sum(a.date in column for a in actions) * ACTION_ROW
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='lanes' role='img' "
            f"aria-label='{escape(title)}' viewBox='0 0 {WIDTH} {height}' "
            f"preserveAspectRatio='xMinYMin meet'><title>{escape(title)}</title>"
            f"{''.join(parts)}</svg>")


def _short(name: str, most: int = 32) -> str:
    return name if len(name) <= most else name[:most - 1] + "…"


def _incident(item: Incident, cx: float, y: int) -> str:
    return (f"<circle class='incident' cx='{cx}' cy='{y + LANE_HEIGHT / 2}' r='5' "
            f"fill='{SERIOUS_COLOUR[item.serious]}' stroke='#263238'><title>{item.date}: "
            f"{escape(item.text)}</title></circle>")


def _action(action: Action, cx: float, y: int) -> str:
    """A dashed line from the top of the lanes to the action's label, below them."""
    words = f"{action.date}: {action.text}"
    shown = _short(words, 60)
    anchor = "start" if cx + len(shown) * CHARACTER_WIDTH <= WIDTH else "end"
    return (f"<g class='action'><line x1='{cx}' y1='{TOP}' x2='{cx}' y2='{y}' "
            f"stroke='{ACTION_COLOUR}' stroke-dasharray='3 2'/>"
            f"<text x='{cx}' y='{y + 11}' text-anchor='{anchor}' fill='{ACTION_COLOUR}' "
            f"{FONT}>{escape(shown)}<title>{escape(words)}</title></text></g>")
