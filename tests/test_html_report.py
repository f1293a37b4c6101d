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

from spo_advisor.advice.assess import assess
from spo_advisor.report.render import html_document
from spo_advisor.report.review_render import review_title
from spo_advisor.review.replay import Review, review

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed, so the HTML report is not rendered "
           "(Debian: apt-get install chromium)")

PROBE = """<script>
const box = (el) => { const r = el.getBoundingClientRect();
  return {x: r.x, y: r.y, w: r.width, h: r.height}; };
const chart = document.querySelector('.spo-review svg.lanes');
const probe = document.createElement('pre');
probe.id = 'probe';
probe.textContent = JSON.stringify({
  text: document.body.innerText,
  chart: chart ? box(chart) : null,
  marks: [...document.querySelectorAll('svg circle.incident')].map(box),
  lanes: [...document.querySelectorAll('svg text.lane-name')].map((el) => el.firstChild.textContent),
  cells: [...document.querySelectorAll('svg rect.cell')].map(box),
  actions: [...document.querySelectorAll('svg g.action text')].map((el) => ({text: el.firstChild.textContent, ...box(el)})),
  title: document.title,
  heading: document.querySelector('h1, h2').textContent,
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  wide: [...document.querySelectorAll('.spo-review *')].filter((el) =>
    el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map((el) => el.tagName),
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


def probe_page(document: str, directory: Path, width: int, probe: str = PROBE) -> dict[str, Any]:
    """What Chromium shows of an HTML ``document`` in a window ``width`` pixels wide, as
    the ``probe`` script (run at the end of the page) measures it."""
    page = directory / f"report-{width}.html"
    page.write_text(document.replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = chromium(page, "--dump-dom", f"--window-size={width},1000",
                   profile=directory / f"profile-{width}")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the probe did not run"
    probed: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return probed


def probe(result: Review, directory: Path, width: int) -> dict[str, Any]:
    """What Chromium shows of the review's HTML report in a window ``width`` pixels wide."""
    return probe_page(html_document([result.to_html()], review_title([result])), directory,
                      width)


@pytest.fixture(scope="module")
def shown(result: Review, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Chromium shows of the review's HTML report at 1200 px."""
    return probe(result, tmp_path_factory.mktemp("rendered"), 1200)


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
    ):
        assert expected in text
    assert result.assessment.recommendation("spo").decision.value == "recommended"
    assert "Stalking Protection Order\t2021-01-12\trecommended" in text
    assert "spo.acts" not in text  # raw rule ids only inside <details>, closed


@needs_chromium
def test_title_and_first_heading_name_the_case(shown: dict[str, Any]) -> None:
    assert shown["title"] == "Review of case HTML-1"
    assert shown["heading"] == "Review of case HTML-1"


@needs_chromium
def test_chart_has_one_lane_per_order_and_actions_in_words(
        result: Review, shown: dict[str, Any]) -> None:
    orders = len(result.first_recommended)
    assert shown["lanes"][0] == "Incidents"
    assert len(shown["lanes"]) == orders + 1
    assert "Stalking Protection Order" in shown["lanes"] and "DVPN and DVPO" in shown["lanes"]
    assert len(shown["cells"]) == orders * len(result.timeline)
    chart = shown["chart"]
    for cell in shown["cells"]:
        assert cell["w"] > 0 and cell["h"] > 0
        assert chart["x"] <= cell["x"] and cell["x"] + cell["w"] <= chart["x"] + chart["w"] + 0.5
    (action,) = shown["actions"]
    assert action["text"] == "2021-02-10: SPO considered, not applied"
    assert chart["x"] <= action["x"] and action["x"] + action["w"] <= chart["x"] + chart["w"]


@needs_chromium
@pytest.mark.parametrize("width", [1200, 800])
def test_no_horizontal_overflow(result: Review, tmp_path: Path, width: int) -> None:
    seen = probe(result, tmp_path, width)
    assert seen["overflow"] <= 0 and seen["wide"] == []


def assert_prints_on_a4(document: str, directory: Path) -> None:
    """Chromium prints ``document`` to a PDF whose every page is A4."""
    page = directory / "printed.html"
    page.write_text(document, encoding="utf-8")
    pdf = directory / "printed.pdf"
    chromium(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", profile=directory / "p")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1
                         for w, h in boxes)  # A4 in points


@needs_chromium
def test_prints_on_a4_without_clipping(result: Review, tmp_path: Path) -> None:
    assert_prints_on_a4(html_document([result.to_html()], review_title([result])), tmp_path)
    # the printable width of A4 with 15 mm margins is about 680 CSS px: nothing wider
    seen = probe(result, tmp_path, 680)
    assert seen["overflow"] <= 0 and seen["wide"] == []


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


def test_chart_lanes_and_actions_in_the_markup(result: Review) -> None:
    page = result.to_html()
    assert page.count("<svg") == 1
    assert page.count("class='incident'") == 3
    assert page.count("class='lane-name'") == len(result.first_recommended) + 1
    assert page.count("<g class='action'>") == 1
    assert ">2021-02-10: SPO considered, not applied<" in page
    assert "@media print" in page and "size:A4" in page


def test_raw_codes_only_inside_details(result: Review) -> None:
    page = result.to_html()
    outside = re.sub(r"(?s)<details>.*?</details>", "", page)
    assert "spo_considered_not_applied" in page and "spo_considered_not_applied" not in outside
    assert "victim_does_not_support_prosecution" not in outside
    assert "spo.acts" not in outside


def test_case_text_is_escaped() -> None:
    case = case_data()
    case["case_id"] = "<b>HTML-2</b>"
    page = review(case).to_html()
    assert "<b>HTML-2</b>" not in page and "&lt;b&gt;HTML-2&lt;/b&gt;" in page


def test_notebook_display_is_the_html_report(result: Review) -> None:
    assert result._repr_html_() == result.to_html()
    assessment = assess(case_data())
    assert str(assessment.to_html()) in result.to_html()
