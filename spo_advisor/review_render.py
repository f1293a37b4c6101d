"""Readable renderings of a Review: plain text, Markdown and self-contained HTML.

Each gives the findings, the decisions at a glance, each recorded action with its
reasons judged against the law, the timeline as a table, what to find out next, and the
assessment on the review date (the officer's report, with reasons, unmet conditions and
unknown facts). The HTML adds an inline SVG chart of conduct over time. Nothing is
loaded from outside the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from spo_advisor import safe_text
from spo_advisor.render import (
    DECISION_COLOUR,
    DECISION_LABEL,
    STYLE,
    assessment_html,
    assessment_markdown,
    assessment_text,
)
from spo_advisor.review import ActionReview, Review
from spo_advisor.whatif import Change

SHORT_LABEL = {"recommended": "REC", "consider": "consider", "not_recommended": "no",
               "not_available": "n/a"}
"""Decisions in the timeline table, where space is short."""
SHORT_LEGEND = "REC = recommended; no = not recommended; n/a = not available"

VERDICT_LABEL = {False: "not a legal bar", True: "sound reason", None: "cannot be judged"}
"""How a judged reason's ``valid`` reads."""

UNDATED_NOTE = ("Facts without a date (about the victim, the suspect, the indicators, the "
                "criminal justice position and existing orders) are read as recorded, on "
                "every date: the record does not say when each became known. Incidents and "
                "actions count from their own dates.")
NOTHING_TO_FIND = "No single unknown fact would change a decision of consider or not recommended."

MARK_COLOUR = {True: "#b71c1c", False: "#455a64", None: "#ffffff"}
ACTION_COLOUR = "#1565c0"
INDICATED_COLOUR = "#1b5e20"


# ----------------------------------------------------------------------------- shared


def _header(r: Review) -> list[str]:
    tables = (f"reason codes sha256 {r.reason_codes_sha256[:12]}…" if r.reason_codes_sha256
              else "no reason-code table")
    return [
        f"As of {r.as_of}",
        (f"Rule set {r.ruleset.name} {r.ruleset.version} (sha256 {r.ruleset.sha256[:12]}…), "
        f"{tables}"),
        f"Engine {r.engine}, library {r.library_version}, input sha256 {r.input_sha256[:12]}…",
    ]


def _titles(r: Review) -> dict[str, str]:
    return {rec.order: rec.title for rec in r.assessment.recommendations}


def _glance(r: Review) -> list[tuple[str, str, str]]:
    """(order title, first recommended, decision on the review date) for every order."""
    titles, now = _titles(r), r.assessment.decisions()
    return [(titles.get(order, order), str(first) if first else "never", now[order].value)
            for order, first in r.first_recommended.items()]


def _glance_rows(r: Review) -> list[list[str]]:
    return [[title, first, DECISION_LABEL[decision]] for title, first, decision in _glance(r)]


def _orders(r: Review) -> list[str]:
    return list(r.first_recommended)


def _then(action: ActionReview) -> str:
    return "; ".join(f"{order} {DECISION_LABEL[decision.value]}"
                     for order, decision in action.decisions_then.items())


def _events(incidents: int, actions: Sequence[str]) -> str:
    parts = [f"{incidents} incident{'' if incidents == 1 else 's'}"] if incidents else []
    return ", ".join(parts + list(actions))


def _changes(changes: list[Change]) -> list[str]:
    return [change.text for change in changes] or [NOTHING_TO_FIND]


# ------------------------------------------------------------------------------- text


def _text_table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            .rstrip() for row in rows]


def review_text(r: Review) -> str:
    """Plain text for a terminal or a case note."""
    lines = [f"Review of case {safe_text.plain(r.case_id)}", *_header(r), "", "Findings"]
    lines += [f"  - {finding}" for finding in r.findings] or ["  (none)"]
    lines += ["", "Decisions at a glance"]
    lines += _text_table([["Order", "First recommended", f"On {r.as_of}"],
                          *_glance_rows(r)])
    lines += ["", "Recorded actions"]
    for action in r.actions:
        lines += [f"  {action.date} {action.action}", f"    decisions then: {_then(action)}"]
        lines += [f"    reason {reason.code}: {VERDICT_LABEL[reason.valid]}: {reason.text}"
                  + (f" ({reason.citation})" if reason.citation else "")
                  for reason in action.reasons]
    if not r.actions:
        lines.append("  (none recorded)")
    lines += ["", "Timeline"]
    if r.timeline:
        lines += _text_table([["Date", "Events", *_orders(r)],
                              *[[str(row.date), _events(row.incidents, row.actions),
                                 *[SHORT_LABEL[d.value] for d in row.decisions.values()]]
                                for row in r.timeline]])
        lines.append(f"  ({SHORT_LEGEND})")
    else:
        lines.append("  (no dated incidents or actions)")
    lines += ["", "What to find out next"] + [f"  - {text}" for text in _changes(r.what_would_change)]
    lines += ["", f"Where things stand on {r.as_of}"]
    lines += [f"  {line}" if line else "" for line in assessment_text(r.assessment).splitlines()]
    lines += ["", f"Note: {UNDATED_NOTE}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(map(_cell, head)) + " |", "|" + "---|" * len(head)] + [
        "| " + " | ".join(map(_cell, row)) + " |" for row in rows]


def _demoted(markdown: str, levels: int) -> list[str]:
    """Markdown with every heading moved ``levels`` deeper, to sit inside another document."""
    return [("#" * levels + line) if line.startswith("#") else line
            for line in markdown.splitlines()]


def review_markdown(r: Review) -> str:
    """Markdown, for a case file or a complaint response."""
    lines = [f"# Review of case {safe_text.markdown(r.case_id)}", ""]
    lines += [f"- {line}" for line in _header(r)]
    lines += ["", "## Findings", ""] + ([f"- {finding}" for finding in r.findings] or ["(none)"])
    lines += ["", "## Decisions at a glance", ""]
    lines += _md_table(["Order", "First recommended", f"On {r.as_of}"],
                       _glance_rows(r))
    lines += ["", "## Recorded actions"]
    for action in r.actions:
        lines += ["", f"### {action.date}: {action.action}", "", f"Decisions then: {_then(action)}"]
        if action.reasons:
            lines += [""] + _md_table(
                ["Reason", "Judged", "Why", "Law"],
                [[f"`{reason.code}`", VERDICT_LABEL[reason.valid], reason.text, reason.citation]
                 for reason in action.reasons])
    if not r.actions:
        lines += ["", "(none recorded)"]
    lines += ["", "## Timeline", ""]
    if r.timeline:
        lines += _md_table(["Date", "Events", *_orders(r)],
                           [[str(row.date), _events(row.incidents, row.actions),
                             *[SHORT_LABEL[d.value] for d in row.decisions.values()]]
                            for row in r.timeline])
        lines += ["", f"*{SHORT_LEGEND}*"]
    else:
        lines.append("(no dated incidents or actions)")
    lines += ["", "## What to find out next", ""] + [f"- {t}" for t in _changes(r.what_would_change)]
    lines += ["", f"## Where things stand on {r.as_of}", ""]
    lines += _demoted(assessment_markdown(r.assessment), 2)
    lines += ["", f"> {UNDATED_NOTE}"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- HTML

REVIEW_STYLE = ("<style>.spo-review svg{max-width:100%;height:auto;border:1px solid #ddd}"
                ".spo-review .timeline{overflow-x:auto}"
                ".spo-review .timeline td:first-child{white-space:nowrap}"
                ".spo-review .legend{font-size:85%;color:#444}</style>")


def _badge(decision: str, text: str) -> str:
    return (f"<span class='decision' style='background:{DECISION_COLOUR[decision]}'>"
            f"{escape(text)}</span>")


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    """A table; cells are HTML already escaped by the caller. Long snake_case headings
    may break after an underscore."""
    header = "".join(f"<th>{escape(cell).replace('_', '_<wbr>')}</th>" for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"


def _html_action(action: ActionReview) -> str:
    then = " ".join(_badge(d.value, f"{order}: {DECISION_LABEL[d.value]}")
                    for order, d in action.decisions_then.items())
    rows = [[f"<code>{escape(reason.code)}</code>", escape(VERDICT_LABEL[reason.valid]),
             escape(reason.text), f"<cite>{escape(reason.citation)}</cite>"]
            for reason in action.reasons]
    reasons = _html_table(["Reason", "Judged", "Why", "Law"], rows) if rows else \
        "<p>No reason recorded.</p>"
    return (f"<section class='action'><h4>{action.date}: {escape(action.action)}</h4>"
            f"<p class='label'>Decisions then</p><p>{then}</p>{reasons}</section>")


def _html_timeline(r: Review) -> str:
    if not r.timeline:
        return "<p>No dated incidents or actions.</p>"
    rows = []
    for row in r.timeline:
        cells = [f"{row.date}", escape(_events(row.incidents, row.actions))]
        cells += [_badge(d.value, SHORT_LABEL[d.value]) for d in row.decisions.values()]
        rows.append(cells)
    return (f"<div class='timeline'>{_html_table(['Date', 'Events', *_orders(r)], rows)}</div>"
            f"<p class='legend'>{escape(SHORT_LEGEND)}</p>")


def conduct_svg(r: Review, width: int = 640, height: int = 200) -> str:
    """An inline SVG chart of conduct over time: one mark per incident at its date and its
    running count, a dashed line per recorded action, and a solid line where an SPO was
    first recommended."""
    marks, actions = r.conduct, r.actions
    indicated = r.first_recommended.get("spo")
    days = [m.date for m in marks] + [a.date for a in actions] + ([indicated] if indicated else [])
    if not days:
        return "<p>No incidents or actions recorded.</p>"
    left, right, top, bottom, inset = 44, 16, 16, 36, 10
    start, end = min(days), max(days)
    span = max((end - start).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    total = max(len(marks), 1)

    def x(day: date) -> float:
        return round(left + inset + (day - start).days / span * (plot_w - 2 * inset), 1)

    def y(count: int) -> float:
        return round(top + plot_h - count / total * plot_h, 1)

    parts = [(f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
             f"stroke='#999'/>"),
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#999'/>",
             f"<text x='{left - 6}' y='{top + 4}' text-anchor='end' font-size='11'>{total}</text>",
             f"<text x='{left - 6}' y='{top + plot_h}' text-anchor='end' font-size='11'>0</text>",
             f"<text x='{x(start)}' y='{height - 10}' font-size='11'>{start}</text>",
             f"<text x='{x(end)}' y='{height - 10}' text-anchor='end' font-size='11'>{end}</text>"]
    if indicated:
        parts.append(f"<line class='indicated' x1='{x(indicated)}' y1='{top}' x2='{x(indicated)}' "
                     f"y2='{top + plot_h}' stroke='{INDICATED_COLOUR}' stroke-width='2'>"
                     f"<title>SPO first recommended {indicated}</title></line>")
    for action in actions:
        parts.append(f"<line class='action' x1='{x(action.date)}' y1='{top}' x2='{x(action.date)}' "
                     f"y2='{top + plot_h}' stroke='{ACTION_COLOUR}' stroke-dasharray='4 3'>"
                     f"<title>{action.date}: {escape(action.action)}</title></line>")
    for count, mark in enumerate(marks, start=1):
        what = ", ".join(mark.behaviours) or "no behaviour recorded"
        parts.append(f"<circle class='incident' cx='{x(mark.date)}' cy='{y(count)}' r='5' "
                     f"fill='{MARK_COLOUR[mark.violence_or_threats]}' stroke='#263238'>"
                     f"<title>{mark.date}: {escape(what)}</title></circle>")
    label = (f"Conduct over time: {len(marks)} incident{'' if len(marks) == 1 else 's'}, "
             f"{len(actions)} recorded action{'' if len(actions) == 1 else 's'}")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{label}' "
            f"width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
            f"<title>{label}</title>{''.join(parts)}</svg>")


CHART_LEGEND = ("Each dot is an incident, placed at its date and the running count of "
                "incidents: red where violence or threats were recorded, grey where none "
                "were, white where not known. Dashed blue lines: recorded actions. Solid "
                "green line: the date an SPO was first recommended.")


def review_html(r: Review) -> str:
    """A self-contained HTML fragment (inline style and SVG, no external assets)."""
    findings = "".join(f"<li>{escape(f)}</li>" for f in r.findings) or "<li>(none)</li>"
    glance = _html_table(["Order", "First recommended", f"On {r.as_of}"],
                         [[escape(title), escape(first), _badge(decision, DECISION_LABEL[decision])]
                          for title, first, decision in _glance(r)])
    actions = "".join(_html_action(action) for action in r.actions) or \
        "<p>No action recorded.</p>"
    changes = "".join(f"<li>{escape(t)}</li>" for t in _changes(r.what_would_change))
    header = "".join(f"<p>{escape(line)}</p>" for line in _header(r))
    return (f"<div class='spo spo-review'>{STYLE}{REVIEW_STYLE}"
            f"<h2>Review of case {escape(r.case_id)}</h2>{header}"
            f"<h3>Findings</h3><ul class='findings'>{findings}</ul>"
            f"<h3>Decisions at a glance</h3>{glance}"
            f"<h3>Recorded actions</h3>{actions}"
            f"<h3>Conduct over time</h3>{conduct_svg(r)}"
            f"<p class='legend'>{escape(CHART_LEGEND)}</p>"
            f"<h3>Timeline</h3>{_html_timeline(r)}"
            f"<h3>What to find out next</h3><ul class='changes'>{changes}</ul>"
            f"<h3>Where things stand on {r.as_of}</h3>{assessment_html(r.assessment)}"
            f"<p><em>{escape(UNDATED_NOTE)}</em></p></div>")
