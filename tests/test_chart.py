"""Tests for spo_advisor.report.chart: the lanes chart of a review, as markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from spo_advisor.report.chart import WIDTH, Action, Incident, Lane, lanes_svg

COLOURS = {"recommended": "#1b5e20", "not_recommended": "#555555"}
DAYS = [date(2021, 1, 5), date(2021, 1, 12), date(2021, 2, 10)]
SVG = "{http://www.w3.org/2000/svg}"


def chart(actions: list[Action] | None = None, name: str = "Stalking Protection Order") -> str:
    lanes = [Lane(name, [("not_recommended", "not recommended"), ("recommended", "recommended"),
                         ("recommended", "recommended")]),
             Lane("DVPN and DVPO", [("not_recommended", "not recommended")] * 3)]
    incidents = [Incident(DAYS[0], "following", None), Incident(DAYS[1], "contact", True)]
    return lanes_svg(DAYS, lanes, actions or [], incidents, COLOURS, "Decisions <by date>")


def test_one_lane_per_order_a_cell_per_date() -> None:
    root = ET.fromstring(chart())
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "lane-name"]
    assert names == ["Incidents", "Stalking Protection Order", "DVPN and DVPO"]
    cells = [r for r in root.iter(f"{SVG}rect")]
    assert len(cells) == 6
    assert [c.get("fill") for c in cells[:3]] == ["#555555", "#1b5e20", "#1b5e20"]
    assert cells[1].find(f"{SVG}title").text == "Stalking Protection Order, 2021-01-12: recommended"
    xs = [float(c.get("x")) for c in cells[:3]]
    assert xs == sorted(xs) and max(x + float(c.get("width")) for x, c in zip(xs, cells)) <= WIDTH


def test_incident_marks_three_valued() -> None:
    root = ET.fromstring(chart())
    fills = [c.get("fill") for c in root.iter(f"{SVG}circle")]
    assert fills == ["#ffffff", "#b71c1c"]


def test_actions_labelled_in_words_inside_the_chart() -> None:
    markup = chart([Action(DAYS[0], "SPO considered, not applied"),
                    Action(DAYS[2], "SPO applied for")])
    root = ET.fromstring(markup)
    labels = [g.find(f"{SVG}text") for g in root.iter(f"{SVG}g")]
    assert [t.text for t in labels] == ["2021-01-05: SPO considered, not applied",
                                        "2021-02-10: SPO applied for"]
    assert [t.get("text-anchor") for t in labels] == ["start", "end"]  # kept inside
    width, height = map(float, root.get("viewBox").split()[2:])
    assert width == WIDTH and all(float(t.get("y")) < height for t in labels)


def test_scales_to_the_page_and_escapes() -> None:
    markup = chart(name="<b>Order</b> & co")
    assert "<b>" not in markup and "&lt;b&gt;Order&lt;/b&gt; &amp; co" in markup
    assert "aria-label='Decisions &lt;by date&gt;'" in markup
    assert not re.search(r"<svg[^>]* width=", markup)


def test_without_dates() -> None:
    assert lanes_svg([], [], [], [], COLOURS, "x") == (
        "<p>No dated incidents, actions or risk assessments.</p>")
