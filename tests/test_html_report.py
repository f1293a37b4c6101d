"""The HTML reports as a person sees them: rendered in headless Chromium.

The rendering tests skip where ``chromium`` is not installed (Debian: ``apt-get install
chromium``; ``.ci/run`` installs it). A probe script added to the test page (never to the
report) reads what the browser laid out: the visible text, the chart's marks and any
resource the page tried to load.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import incident

from spo_advisor.assess import assess
from spo_advisor.render import html_document
from spo_advisor.review import Review, review

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed, so the HTML report is not rendered "
           "(Debian: apt-get install chromium)")

PROBE = """<script>
const box = (el) => { const r = el.getBoundingClientRect();
  return {x: r.x, y: r.y, w: r.width, h: r.height}; };
const chart = document.querySelector('.spo-review svg');
const probe = document.createElement('pre');
probe.id = 'probe';
probe.textContent = JSON.stringify({
  text: document.body.innerText,
  chart: chart ? box(chart) : null,
  marks: [...document.querySelectorAll('svg circle.incident')].map(box),
  resources: performance.getEntriesByType('resource').map((entry) => entry.name),
});
document.body.appendChild(probe);
</script>"""


def case_data() -> dict[str, Any]:
    """An ex-partner who follows and threatens; a recorded decision not to apply for an SPO."""
    return {
        "case_id": "HTML-1", "assessed_on": "2021-03-14", "jurisdiction": "england_and_wales",
        "police_force": "cleveland",
        "suspect": {"age": 34, "lives_in_force_area": True},
        "victim": {"age": 29, "very_frightened": True, "fears": ["violence"]},
        "relationship": "ex_intimate_partner",
        "incidents": [
            incident("2021-01-05", "following", "loitering", target="victim", threats=[],
                     violence=False, strangulation=False, weapon=False),
            incident("2021-01-12", "contact", target="victim", threats=["violence"]),
            incident("2021-02-20", "turning_up", target="victim"),
        ],
        "criminal_justice": {"stage": "under_investigation", "remanded_in_custody": False,
                             "bail_conditions": False},
        "actions": [{"date": "2021-02-10", "action": "spo_considered_not_applied",
                     "reasons": ["victim_does_not_support_prosecution", "no_charge"]}],
    }


@pytest.fixture(scope="module")
def result() -> Review:
    return review(case_data())


def chromium(page: Path, *options: str, profile: Path) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={profile}", *options, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def shown(result: Review, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Chromium shows of the review's HTML report."""
    tmp_path = tmp_path_factory.mktemp("rendered")
    page = tmp_path / "report.html"
    document = html_document([result.to_html()], "spo-advisor review")
    page.write_text(document.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(page, "--dump-dom", profile=tmp_path / "profile")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the probe did not run"
    probed: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return probed


@needs_chromium
def test_report_shows_decisions_findings_reasons_and_next_steps(
        result: Review, shown: dict[str, Any]) -> None:
    text = shown["text"]
    for expected in (
        "Review of case HTML-1",
        "Decisions at a glance",
        result.findings[0],
        "2 of 2 recorded reasons are not legal bars.",
        "An SPO needs neither a prosecution nor the victim's support for one.",
        "not a legal bar",
        "What to find out next",
        "Where things stand on 2021-03-14",
        "Assessment of case HTML-1",
    ):
        assert expected in text
    assert result.assessment.recommendation("spo").decision.value == "recommended"
    # one date alone leaves the acts pattern unknown; the second date shows it
    assert "Stalking Protection Order\t2021-01-12\tRECOMMENDED" in text


@needs_chromium
def test_chart_has_one_visible_mark_per_incident(shown: dict[str, Any]) -> None:
    chart = shown["chart"]
    assert chart is not None and chart["w"] > 100 and chart["h"] > 50
    assert len(shown["marks"]) == len(case_data()["incidents"]) == 3
    for mark in shown["marks"]:
        assert mark["w"] > 0 and mark["h"] > 0
        assert chart["x"] <= mark["x"] and mark["x"] + mark["w"] <= chart["x"] + chart["w"]
        assert chart["y"] <= mark["y"] and mark["y"] + mark["h"] <= chart["y"] + chart["h"]
    xs = [mark["x"] for mark in shown["marks"]]
    assert xs == sorted(xs) and len(set(xs)) == 3  # in date order, at distinct dates


@needs_chromium
def test_report_loads_nothing_from_outside(shown: dict[str, Any]) -> None:
    assert shown["resources"] == []


@needs_chromium
def test_screenshot_of_the_report(result: Review, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html_document([result.to_html()], "spo-advisor review"), encoding="utf-8")
    picture = tmp_path / "report.png"
    chromium(page, f"--screenshot={picture}", "--window-size=1000,1800",
             profile=tmp_path / "profile")
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 1800)


# ---------------------------------------------------- without a browser


def test_report_is_self_contained(result: Review) -> None:
    page = result.to_html()
    assert not re.search(r"(?i)\b(src|href)\s*=|url\(|@import|<script|<link", page)
    assert set(re.findall(r"https?://[^'\"\s]+", page)) == {"http://www.w3.org/2000/svg"}


def test_chart_marks_and_lines_in_the_markup(result: Review) -> None:
    page = result.to_html()
    assert page.count("<svg") == 1
    assert page.count("class='incident'") == 3
    assert page.count("<line class='action'") == 1
    assert page.count("<line class='indicated'") == 1
    assert "aria-label='Conduct over time: 3 incidents, 1 recorded action'" in page


def test_case_text_is_escaped() -> None:
    case = case_data()
    case["case_id"] = "<b>HTML-2</b>"
    page = review(case).to_html()
    assert "<b>HTML-2</b>" not in page and "&lt;b&gt;HTML-2&lt;/b&gt;" in page


def test_notebook_display_is_the_html_report(result: Review) -> None:
    assert result._repr_html_() == result.to_html()
    assessment = assess(case_data())
    assert assessment.to_html() in result.to_html()
