"""The assessment's HTML as an officer sees it, in headless Chromium at 800 px: nothing
overflows, each order has its limb diagram and its detail folded into <details>.
Skipped where ``chromium`` is not installed (see tests/test_html_report.py)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from test_html_report import chromium, needs_chromium

from spo_advisor.advice.assess import assess
from spo_advisor.advice.whatif import what_would_change
from spo_advisor.model.case_reading import load_case
from spo_advisor.report.render import html_document

PROBE = """<script>
const probe = document.createElement('pre');
probe.id = 'probe';
const width = document.documentElement.clientWidth;
probe.textContent = JSON.stringify({
  width: width,
  scrollWidth: document.documentElement.scrollWidth,
  wide: [...document.querySelectorAll('.spo *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5).map((el) => el.className),
  details: document.querySelectorAll('.spo-assessment details').length,
  diagrams: document.querySelectorAll('.spo-assessment .limbs').length,
  boxes: [...document.querySelectorAll('.spo .limb')].map((el) => el.innerText),
  text: document.body.innerText,
});
document.body.appendChild(probe);
</script>"""


@pytest.fixture(scope="module", params=["ex_partner.yaml", "thin_record.yaml"])
def shown(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Chromium lays out for the assessment and its questions, 800 px wide."""
    case = load_case(EXAMPLES / request.param)
    fragments = [assess(case).to_html(), what_would_change(case).to_html()]
    tmp_path = tmp_path_factory.mktemp("assessment")
    page = tmp_path / "assessment.html"
    document = html_document(fragments, "spo-advisor assessment")
    page.write_text(document.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(page, "--dump-dom", "--window-size=800,1200", profile=tmp_path / "profile")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the probe did not run"
    probed: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    probed["recommendations"] = len(assess(case).recommendations)
    return probed


@needs_chromium
def test_nothing_overflows_at_800_px(shown: dict[str, Any]) -> None:
    assert shown["width"] <= 800
    assert shown["scrollWidth"] <= shown["width"]
    assert shown["wide"] == []


@needs_chromium
def test_each_order_has_a_diagram_and_folded_detail(shown: dict[str, Any]) -> None:
    assert shown["diagrams"] == shown["recommendations"]
    assert shown["details"] >= shown["recommendations"]
    assert all(re.search(r"\b(met|not met|not known)$", box.strip()) for box in shown["boxes"])


@needs_chromium
def test_overview_comes_first_and_rule_ids_stay_folded(shown: dict[str, Any]) -> None:
    text = shown["text"]
    assert text.index("Risk:") < text.index("Risk and stalking") < text.index("The test")
    assert "spo.acts" not in text  # inside closed <details>, not shown
    assert "What to find out next" in text


@needs_chromium
def test_screenshot_at_800_px(tmp_path: Path) -> None:
    page = tmp_path / "assessment.html"
    page.write_text(html_document([assess(load_case(EXAMPLES / "thin_record.yaml")).to_html()],
                                  "spo-advisor assessment"), encoding="utf-8")
    picture = tmp_path / "assessment.png"
    chromium(page, f"--screenshot={picture}", "--window-size=800,1600",
             profile=tmp_path / "profile")
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
