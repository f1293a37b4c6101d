"""Readable renderings of a :class:`~spo_advisor.scrutiny.result.Scrutiny`: the headline
figures in plain words (text and Markdown), the HTML report (a Jinja2 template with
autoescaping, ``templates/scrutiny.html.j2``, with charts from
:mod:`spo_advisor.report.scrutiny_chart`) and the CSV of the figures.

The report names cases by id only; their dates appear only when the scrutiny was made
with ``detail``. Every code is said in words from the rule set's label table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from spo_advisor.advice.assess import load_rules
from spo_advisor.language.labels import Labels, labels_for
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.display import register
from spo_advisor.model.safe_text import markdown, plain
from spo_advisor.report.render import html_document
from spo_advisor.report.scrutiny_chart import Series, bars_svg
from spo_advisor.scrutiny.outcome import NOT_RECORDED
from spo_advisor.scrutiny.partial import ORDER_MEASURES
from spo_advisor.scrutiny.result import Count, GroupFigures, ItemCount, OrderFigures, Scrutiny

TEMPLATES = Path(__file__).resolve().parent / "templates"

MEASURE_WORDS = {
    "indicated": "indicated", "first_recommended": "first recommended",
    "first_consider": "first to consider", "applied": "applied for or obtained",
    "obtained": "obtained", "applied_after_indication": "applied for after indication",
    "applied_without_indication": "applied for before indication",
    "missed": "missed", "not_judged": "could not be judged",
}
"""Each order measure in the report's words."""

CHART_SERIES = ("cases", "indicated", "applied", "missed")
CSV_COLUMNS = ("period", "relationship", "order", "measure", "item", "value")
SHOWN_ITEMS = 10
"""Reasons and unknown facts shown in the headline tables (the CSV has them all)."""


def labels_of(result: Scrutiny) -> Labels:
    """The shipped label table when the scrutiny was made with the shipped rule set, else
    an empty table (codes shown as words)."""
    shipped = load_rules()
    return labels_for(shipped) if shipped.sha256 == result.ruleset.sha256 else Labels()


def relationship_words(code: str) -> str:
    """A relationship code in words."""
    return "not recorded" if code == NOT_RECORDED else code.replace("_", " ")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "no"


def _days(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g} day" + ("" if value == 1 else "s")


# ----------------------------------------------------------------------- the headline


def headline(result: Scrutiny, labels: Labels) -> list[str]:
    """The headline figures as plain sentences, most important first."""
    cases = result.cases.count
    lines = [(f"{cases:,} cases entered the period {result.date_from} to {result.date_to} "
             f"(their first dated record fell in it). Each was replayed as it stood on each "
             f"date, without hindsight, up to {result.as_of}.")]
    for figures in result.orders:
        lines.append(_order_sentence(figures, labels, cases))
    spo = next((f for f in result.orders if f.order == "spo"), None)
    if spo is not None:
        lines.append(_missed_sentence(result, spo, labels))
        lines.append(_unknown_sentence(spo, labels))
    lines.append(f"{len(result.bad_lines):,} lines were excluded as not valid cases; "
                 f"{result.outside_period:,} valid cases entered outside the period and "
                 f"{result.undated:,} had no dated record.")
    return lines


def _order_sentence(figures: OrderFigures, labels: Labels, cases: int) -> str:
    name = labels.order(figures.order)
    indicated = figures.indicated.count
    text = (f"{name}: indicated in {indicated:,} cases ({_share(indicated, cases)} of the "
            f"cases; {figures.first_recommended.count:,} first recommended, "
            f"{figures.first_consider.count:,} first to consider); applied for or obtained "
            f"in {figures.applied.count:,}")
    if figures.delay_median_days is not None:
        text += (f", a median of {_days(figures.delay_median_days)} after it was first "
                 f"indicated (90th percentile {_days(figures.delay_p90_days)})")
    return text + f"; indicated and never applied for in {figures.missed.count:,}."


def _missed_sentence(result: Scrutiny, spo: OrderFigures, labels: Labels) -> str:
    reasons = result.spo_reasons
    not_bars = {case_id for item in reasons.not_legal_bars for case_id in item.case_ids}
    text = (f"Missed opportunities: in {spo.missed.count:,} cases an SPO was indicated and "
            f"never applied for. In {len(not_bars):,} of them a reason recorded for not "
            f"applying was not a legal bar")
    if reasons.not_legal_bars:
        top = reasons.not_legal_bars[0]
        text += f", most often \u201c{labels.reason_code(top.item)}\u201d ({top.count:,})"
    return text + (f"; {reasons.no_reason_recorded.count:,} recorded no reason for not "
                   "applying.")


def _unknown_sentence(spo: OrderFigures, labels: Labels) -> str:
    text = (f"In {spo.not_judged.count:,} cases the library could not judge whether an SPO "
            f"was needed, because facts were not known")
    if spo.unknown_facts:
        top = spo.unknown_facts[0]
        text += (f"; the question most often in the way: \u201c{labels.question(top.item)}"
                 f"\u201d ({top.count:,} cases)")
    return text + "."


# ------------------------------------------------------------------------ text, markdown


def _order_rows(result: Scrutiny, labels: Labels) -> list[list[str]]:
    head = ["order", *(MEASURE_WORDS[m] for m in ("indicated", "applied", "missed",
                                                  "not_judged")), "median days", "p90 days"]
    rows = [head]
    for f in result.orders:
        rows.append([labels.order(f.order), f"{f.indicated.count:,}", f"{f.applied.count:,}",
                     f"{f.missed.count:,}", f"{f.not_judged.count:,}",
                     "–" if f.delay_median_days is None else f"{f.delay_median_days:g}",
                     "–" if f.delay_p90_days is None else str(f.delay_p90_days)])
    return rows


def _group_rows(groups: list[GroupFigures], words: dict[str, str]) -> list[list[str]]:
    rows = [["", "cases", "SPO indicated", "SPO applied", "SPO missed", "SPO not judged"]]
    for group in groups:
        spo = _spo(group)
        rows.append([words.get(group.group, group.group), f"{group.cases.count:,}",
                     *(f"{getattr(spo, m).count:,}" if spo else "–"
                       for m in ("indicated", "applied", "missed", "not_judged"))])
    return rows


def _spo(group: GroupFigures) -> OrderFigures | None:
    return next((f for f in group.orders if f.order == "spo"), None)


def _reason_rows(result: Scrutiny, labels: Labels) -> list[list[str]]:
    reasons = result.spo_reasons
    rows = [["reason recorded for not applying", "judged", "cases"]]
    for verdict, items in (("not a legal bar", reasons.not_legal_bars),
                           ("legal bar or sound reason", reasons.legal_bars),
                           ("cannot be judged", reasons.not_judged)):
        rows += [[labels.reason_code(i.item), verdict, f"{i.count:,}"] for i in items]
    return rows


def _tables(result: Scrutiny, labels: Labels) -> Iterator[tuple[str, list[list[str]]]]:
    relationships = {g.group: relationship_words(g.group) for g in result.by_relationship}
    spo = next((f for f in result.orders if f.order == "spo"), None)
    yield "Orders", _order_rows(result, labels)
    yield "Missed SPO opportunities: the reasons recorded", _reason_rows(result, labels)
    if spo is not None:
        yield ("Facts not known in the cases not judged (SPO)",
               [["question", "cases"], *([labels.question(i.item), f"{i.count:,}"]
                                         for i in spo.unknown_facts[:SHOWN_ITEMS])])
    yield "By month of entry", _group_rows(result.by_month, {})
    yield "By relationship", _group_rows(result.by_relationship, relationships)


def scrutiny_text(result: Scrutiny, rules: RuleSet | None = None) -> str:
    """The headline and the main tables as plain text."""
    labels = labels_for(rules) if rules is not None else labels_of(result)
    parts = [f"Force scrutiny, {result.date_from} to {result.date_to}", ""]
    parts += [plain(line) for line in headline(result, labels)]
    for title, rows in _tables(result, labels):
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        parts += ["", title]
        parts += ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                            for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
                  for row in rows]
    return "\n".join(parts)


def scrutiny_markdown(result: Scrutiny) -> str:
    """The headline and the main tables as Markdown."""
    labels = labels_of(result)
    parts = [f"## Force scrutiny, {result.date_from} to {result.date_to}", ""]
    parts += [f"- {markdown(line)}" for line in headline(result, labels)]
    for title, rows in _tables(result, labels):
        parts += ["", f"### {title}", "", "| " + " | ".join(map(markdown, rows[0])) + " |",
                  "|" + "---|" * len(rows[0])]
        parts += ["| " + " | ".join(map(markdown, row)) + " |" for row in rows[1:]]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------- HTML


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class _Drill:
    """A figure and the case ids behind it, for the drill-down list."""

    anchor: str
    title: str
    ids: list[str]


class _Drills:
    """The drill-down entries of a report, each with a unique anchor."""

    def __init__(self) -> None:
        self.entries: list[_Drill] = []

    def add(self, title: str, count: Count) -> dict[str, object]:
        """A table cell for ``count``, linking to its entry (none for zero)."""
        anchor = f"ids-{len(self.entries) + 1}"
        if count.count:
            self.entries.append(_Drill(anchor, title, count.case_ids))
        return {"count": f"{count.count:,}", "anchor": anchor if count.count else None}


def _order_table(orders: list[OrderFigures], labels: Labels,
                 drills: _Drills) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for f in orders:
        name = labels.order(f.order)
        cells = [drills.add(f"{name}, {MEASURE_WORDS[m]}", getattr(f, m))
                 for m in ORDER_MEASURES]
        rows.append({"name": name, "cells": cells, "median": _days(f.delay_median_days),
                     "p90": _days(f.delay_p90_days)})
    return rows


def _items_table(items: list[ItemCount], words: list[str], drills: _Drills,
                 title: str) -> list[dict[str, object]]:
    return [{"words": text, "cell": drills.add(f"{title}: {text}", item)}
            for item, text in zip(items, words, strict=True)]


def _group_table(groups: list[GroupFigures], words: dict[str, str], drills: _Drills,
                 kind: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for group in groups:
        name = words.get(group.group, group.group)
        spo = _spo(group)
        rows.append({"name": name,
                     "cases": drills.add(f"{kind} {name}: cases", group.cases),
                     "cells": [drills.add(f"{kind} {name}: SPO {MEASURE_WORDS[m]}",
                                          getattr(spo, m))
                               for m in CHART_SERIES[1:] + ("not_judged",)] if spo else []})
    return rows


def _chart(chart_id: str, groups: list[GroupFigures], words: dict[str, str],
           title: str) -> Markup:
    series = [Series("cases", [g.cases.count for g in groups])]
    series += [Series(f"SPO {MEASURE_WORDS[m]}",
                      [getattr(_spo(g), m).count if _spo(g) else 0 for g in groups])
               for m in CHART_SERIES[1:]]
    names = [words.get(g.group, g.group) for g in groups]
    return Markup(bars_svg(chart_id, names, series, title))  # bars_svg escapes every string


def scrutiny_html(result: Scrutiny, rules: RuleSet | None = None) -> str:
    """The report as an HTML fragment (headline, tables, charts, drill-down)."""
    labels = labels_for(rules) if rules is not None else labels_of(result)
    drills = _Drills()
    relationships = {g.group: relationship_words(g.group) for g in result.by_relationship}
    reasons = result.spo_reasons
    spo = next((f for f in result.orders if f.order == "spo"), None)
    unknown = spo.unknown_facts[:SHOWN_ITEMS] if spo else []
    context = {
        "result": result,
        "headline": headline(result, labels),
        "measures": [MEASURE_WORDS[m] for m in ORDER_MEASURES],
        "cases": drills.add("Cases in the period", result.cases),
        "orders": _order_table(result.orders, labels, drills),
        "reasons": [(verdict, _items_table(items, [labels.reason_code(i.item) for i in items],
                                           drills, f"Missed SPO, reason {verdict}"))
                    for verdict, items in (("not a legal bar", reasons.not_legal_bars),
                                           ("a legal bar or sound reason", reasons.legal_bars),
                                           ("cannot be judged on the record",
                                            reasons.not_judged))],
        "no_reason": drills.add("Missed SPO, no reason recorded", reasons.no_reason_recorded),
        "unknown": _items_table(unknown, [labels.question(i.item) for i in unknown], drills,
                                "SPO not judged, fact not known"),
        "month_chart": _chart("month", result.by_month, {}, "SPO by month of entry"),
        "months": _group_table(result.by_month, {}, drills, "Month"),
        "relationship_chart": _chart("relationship", result.by_relationship, relationships,
                                     "SPO by relationship"),
        "relationships": _group_table(result.by_relationship, relationships, drills,
                                      "Relationship"),
        "bad_lines": ", ".join(str(bad.line) for bad in result.bad_lines),
        "drills": drills.entries,
        "detail": _detail_rows(result, labels),
    }
    return _environment().get_template("scrutiny.html.j2").render(**context)


def _detail_rows(result: Scrutiny, labels: Labels) -> list[dict[str, str]] | None:
    if result.detail is None:
        return None
    rows = []
    for case in result.detail:
        spo = next((t for t in case.orders if t.order == "spo"), None)
        rows.append({
            "case_id": case.case_id, "entered": str(case.entered_on),
            "relationship": relationship_words(case.relationship),
            "indicated": "–" if spo is None or spo.indicated_on is None
            else f"{spo.indicated_on} ({labels.decision(spo.indicated_as or '')})",
            "applied": "–" if spo is None or spo.applied_on is None else str(spo.applied_on),
            "delay": "–" if spo is None or spo.delay_days is None else str(spo.delay_days),
            "final": "–" if spo is None else labels.decision(spo.final),
            "reasons": "; ".join(labels.reason_code(r.code) for r in case.reasons)})
    return rows


def scrutiny_title(result: Scrutiny) -> str:
    """The page title of a report."""
    return f"Force scrutiny, {result.date_from} to {result.date_to}"


def scrutiny_document(result: Scrutiny, rules: RuleSet | None = None) -> str:
    """The report as a complete HTML page."""
    return html_document([scrutiny_html(result, rules)], scrutiny_title(result))


# ----------------------------------------------------------------------------------- CSV


def csv_rows(result: Scrutiny) -> Iterator[tuple[str, str, str, str, str, str]]:
    """The figures, one row per measure and period (README, "Force scrutiny")."""
    whole = f"{result.date_from}/{result.date_to}"
    for measure, value in (("lines_read", result.lines),
                           ("lines_excluded", len(result.bad_lines)),
                           ("outside_period", result.outside_period),
                           ("undated", result.undated)):
        yield whole, "all", "", measure, "", str(value)
    yield from _group_csv(whole, "all", result.cases, result.orders)
    for f in result.orders:
        for item in f.unknown_facts:
            yield whole, "all", f.order, "unknown_fact", item.item, str(item.count)
    reasons = result.spo_reasons
    for measure, items in (("reason_not_legal_bar", reasons.not_legal_bars),
                           ("reason_legal_bar", reasons.legal_bars),
                           ("reason_not_judged", reasons.not_judged)):
        for item in items:
            yield whole, "all", "spo", measure, item.item, str(item.count)
    yield whole, "all", "spo", "missed_no_reason", "", str(reasons.no_reason_recorded.count)
    for group in result.by_month:
        yield from _group_csv(group.group, "all", group.cases, group.orders)
    for group in result.by_relationship:
        yield from _group_csv(whole, group.group, group.cases, group.orders)


def _group_csv(period: str, relationship: str, cases: Count,
               orders: list[OrderFigures]) -> Iterator[tuple[str, str, str, str, str, str]]:
    yield period, relationship, "", "cases", "", str(cases.count)
    for f in orders:
        for measure in ORDER_MEASURES:
            yield period, relationship, f.order, measure, "", str(getattr(f, measure).count)
        for measure, value in (("delay_median_days", f.delay_median_days),
                               ("delay_p90_days", f.delay_p90_days)):
            yield period, relationship, f.order, measure, "", "" if value is None else f"{value:g}"


def scrutiny_csv(result: Scrutiny) -> str:
    """The figures as CSV text, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(result))
    return buffer.getvalue()


register(Scrutiny, text=scrutiny_text, markdown=scrutiny_markdown, html=scrutiny_html)
