"""The scrutiny report as HTML: ids only unless detail, escaped, self-contained, charts
readable without colour; in Chromium (skipped without it), no overflow at 1200 and 800
px, and A4 print."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_html_report import PROBE, assert_prints_on_a4, needs_chromium, probe_page
from test_scrutiny import CASELOAD, FROM, TO

import spo_advisor
from spo_advisor.report.scrutiny_render import scrutiny_document


@pytest.fixture(scope="module")
def result() -> spo_advisor.Scrutiny:
    return spo_advisor.scrutiny(CASELOAD, FROM, TO)


def test_headline_first_in_plain_words(result: spo_advisor.Scrutiny) -> None:
    page = result.to_html()
    first = page.index("<h3>The figures in words</h3>")
    assert first < page.index("<table") and first < page.index("<svg")
    assert "8 cases entered the period 2021-01-01 to 2021-06-30" in page


def test_ids_only_unless_detail(result: spo_advisor.Scrutiny) -> None:
    page = result.to_html()
    assert "C5" in page  # in the drill-down
    for day in ("2021-03-22", "2021-04-19", "2021-02-15", "2021-06-10"):  # dates of the cases
        assert day not in page
    detailed = spo_advisor.scrutiny(CASELOAD, FROM, TO, detail=True).to_html()
    assert "2021-03-22" in detailed and "Each case (detail)" in detailed


def test_every_linked_figure_has_its_case_ids(result: spo_advisor.Scrutiny) -> None:
    page = result.to_html()
    links = set(re.findall(r'href="#(ids-\d+)"', page))
    targets = set(re.findall(r'<details id="(ids-\d+)"', page))
    assert links and links == targets
    missed = re.search(r'<summary>Stalking Protection Order, missed \((\d+)\)</summary>'
                       r'<p class="ids">([^<]*)</p>', page)
    assert missed and missed.groups() == ("4", "C1, C5, C7, C8")


def test_case_ids_are_escaped() -> None:
    cases = [dict(CASELOAD[0], case_id="<b>X&1</b>")]
    page = spo_advisor.scrutiny(cases, FROM, TO, detail=True).to_html()
    assert "<b>X&1</b>" not in page and "&lt;b&gt;X&amp;1&lt;/b&gt;" in page


def test_self_contained_and_charts_readable_in_greyscale(result: spo_advisor.Scrutiny) -> None:
    page = result.to_html()
    assert not re.search(r"(?i)\bsrc\s*=|url\((?!#)|@import|<script|<link", page)
    assert set(re.findall(r"https?://[^'\"\s]+", page)) == {"http://www.w3.org/2000/svg"}
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    assert page.count("<svg") == 2
    for pattern in ("solid", "hatch", "dots", "open"):  # a fill pattern per series
        assert f"id='month-{pattern}'" in page and f"id='relationship-{pattern}'" in page
    assert page.count("class='value'") == 4 * (len(result.by_month) + len(result.by_relationship))
    assert "@media print" in page and "size:A4" in page


def test_markdown_and_text(result: spo_advisor.Scrutiny) -> None:
    assert result.explain().startswith("Force scrutiny, 2021-01-01 to 2021-06-30")
    markdown = result.to_markdown()
    assert markdown.startswith("## Force scrutiny") and "| Stalking Protection Order |" in markdown


def probe(result: spo_advisor.Scrutiny, directory: Path, width: int) -> dict[str, Any]:
    """What Chromium shows of the scrutiny report in a window ``width`` pixels wide."""
    return probe_page(scrutiny_document(result), directory, width,
                      PROBE.replace(".spo-review", ".spo-scrutiny"))


@pytest.fixture(scope="module")
def large() -> spo_advisor.Scrutiny:
    from test_scrutiny_caseload import GENERATOR

    return spo_advisor.scrutiny(GENERATOR.caseload(150, 2021, "cleveland", 1),
                                date(2021, 1, 1), date(2021, 12, 31), detail=True)


@needs_chromium
@pytest.mark.parametrize("width", [1200, 800])
def test_no_horizontal_overflow(large: spo_advisor.Scrutiny, tmp_path: Path, width: int) -> None:
    seen = probe(large, tmp_path, width)
    assert seen["overflow"] <= 0 and seen["wide"] == []
    assert seen["resources"] == []
    assert seen["title"] == "Force scrutiny, 2021-01-01 to 2021-12-31"


@needs_chromium
def test_prints_on_a4_without_clipping(large: spo_advisor.Scrutiny, tmp_path: Path) -> None:
    assert_prints_on_a4(scrutiny_document(large), tmp_path)
    seen = probe(large, tmp_path, 680)  # the printable width of A4 with 15 mm margins
    assert seen["overflow"] <= 0 and seen["wide"] == []
