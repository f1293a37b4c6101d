"""Readable renderings of a Review: plain text, Markdown, and HTML (a Jinja2 template with
autoescaping, ``templates/review.html.j2``).

Each names the case in its first heading and gives the findings, the decisions at a
glance, each recorded action with its reasons judged against the law, the timeline (what
was recorded on each date and which decisions changed), and what to find out next. Every
code is said in words from the rule set's label table (:mod:`spo_advisor.language.labels`); raw
codes and rule ids are left to the JSON and, in HTML, to ``<details>``. The HTML adds a
chart with one lane per order (:mod:`spo_advisor.report.chart`) and prints on A4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from spo_advisor.advice.assess import load_rules
from spo_advisor.language.labels import Labels, labels_for
from spo_advisor.model import safe_text
from spo_advisor.model.display import register
from spo_advisor.report import chart
from spo_advisor.report.render import DECISION_COLOUR, assessment_html, assessment_markdown
from spo_advisor.review.result import ActionReview, Review, TimelineRow

VERDICT_LABEL = {False: "not a legal bar", True: "sound reason", None: "cannot be judged"}
"""How a judged reason's ``valid`` reads."""

UNDATED_NOTE = ("Risk facts come from the dated risk assessments known on each date; facts "
                "recorded without a date (the undated risk facts no assessment holds, orders "
                "without the date made, a criminal-justice stage without its date) are read "
                "as known on every date, and listed as assumptions where a decision turned "
                "on them.")
NOTHING_TO_FIND = "No single unknown fact would change a decision of consider or not recommended."
CHART_LEGEND = ("One lane per order; each column is a date of the record, in order (not to "
                "scale). Green: recommended; amber: consider; grey: not recommended; light "
                "grey: not available. Top lane: incidents (red where violence or threats were "
                "recorded, grey where none were, white where not known). Dashed lines: "
                "recorded actions, labelled below.")
TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def review_labels(r: Review) -> Labels:
    """The labels of the rule set that made ``r``: the shipped table when its sha256
    matches, else an empty table (codes shown as words)."""
    shipped = load_rules()
    return labels_for(shipped) if shipped.sha256 == r.ruleset.sha256 else Labels()


@dataclass(frozen=True)
class _Reason:
    code: str
    label: str
    verdict: str
    text: str
    citation: str


@dataclass(frozen=True)
class _Action:
    date: str
    code: str
    what: str
    then: str
    reasons: list[_Reason]


@dataclass(frozen=True)
class _Glance:
    name: str
    first: str
    now: str
    colour: str


@dataclass(frozen=True)
class _Row:
    date: str
    events: str
    decisions: str


@dataclass(frozen=True)
class _View:
    """A review in words, shared by the three renderings."""

    case_id: str
    as_of: str
    header: list[str]
    findings: list[str]
    glance: list[_Glance]
    actions: list[_Action]
    timeline: list[_Row]
    next_steps: list[str]
    assumptions: list[str]


def _header(r: Review) -> list[str]:
    tables = (f"reason codes sha256 {r.reason_codes_sha256[:12]}…" if r.reason_codes_sha256
              else "no reason-code table")
    return [f"As of {r.as_of}",
            (f"Rule set {r.ruleset.name} {r.ruleset.version} (sha256 {r.ruleset.sha256[:12]}…), "
             f"{tables}"),
            f"Engine {r.engine}, library {r.library_version}, input sha256 {r.input_sha256[:12]}…"]


def _decisions(labels: Labels, decisions: dict[str, Any]) -> str:
    return "; ".join(f"{labels.order(order)}: {labels.decision(d.value)}"
                     for order, d in decisions.items())


def _events(labels: Labels, row: TimelineRow) -> str:
    parts = [f"{row.incidents} incident{'' if row.incidents == 1 else 's'}"] if row.incidents \
        else []
    parts += [labels.action(action) for action in row.actions]
    if row.risk_assessments:
        parts.append("risk assessment" if row.risk_assessments == 1
                     else f"{row.risk_assessments} risk assessments")
    return ", ".join(parts)


def _changes(labels: Labels, rows: Sequence[TimelineRow]) -> list[str]:
    """For each row: every decision on the first date, then only the decisions that changed."""
    found, before = [], None
    for row in rows:
        if before is None:
            found.append(_decisions(labels, row.decisions))
        else:
            changed = [f"{labels.order(order)}: {labels.decision(before[order].value)} → "
                       f"{labels.decision(d.value)}" for order, d in row.decisions.items()
                       if before.get(order) is not d]
            found.append("; ".join(changed) or "no change")
        before = row.decisions
    return found


def _action(labels: Labels, action: ActionReview) -> _Action:
    return _Action(
        date=str(action.date), code=action.action, what=labels.action(action.action),
        then=_decisions(labels, action.decisions_then),
        reasons=[_Reason(reason.code, labels.reason_code(reason.code), VERDICT_LABEL[reason.valid],
                         reason.text, reason.citation) for reason in action.reasons])


def _view(r: Review, labels: Labels, case_id: str) -> _View:
    now = r.assessment.decisions()
    return _View(
        case_id=case_id, as_of=str(r.as_of), header=_header(r), findings=list(r.findings),
        glance=[_Glance(labels.order(order), str(first) if first else "never",
                        labels.decision(now[order].value), DECISION_COLOUR[now[order].value])
                for order, first in r.first_recommended.items()],
        actions=[_action(labels, action) for action in r.actions],
        timeline=[_Row(str(row.date), _events(labels, row), change)
                  for row, change in zip(r.timeline, _changes(labels, r.timeline), strict=True)],
        next_steps=[change.text for change in r.what_would_change] or [NOTHING_TO_FIND],
        assumptions=list(r.assumptions))


# ------------------------------------------------------------------------------- text


def review_text(r: Review) -> str:
    """Plain text for a terminal or a case note."""
    v = _view(r, review_labels(r), safe_text.plain(r.case_id))
    lines = [f"Review of case {v.case_id}", *v.header, "", "Findings"]
    lines += [f"  - {finding}" for finding in v.findings] or ["  (none)"]
    lines += ["", "Decisions at a glance"]
    lines += [f"  {g.name}: first recommended {g.first}; on {v.as_of} {g.now}" for g in v.glance]
    lines += ["", "Recorded actions"]
    for action in v.actions:
        lines += [f"  {action.date} {action.what}", f"    decisions then: {action.then}"]
        lines += [f"    reason \"{reason.label}\": {reason.verdict}: {reason.text}"
                  + (f" ({reason.citation})" if reason.citation else "")
                  for reason in action.reasons]
    if not v.actions:
        lines.append("  (none recorded)")
    lines += ["", "Timeline"]
    lines += [f"  {row.date}  {row.events}: {row.decisions}" for row in v.timeline] or [
        "  (no dated incidents, actions or risk assessments)"]
    lines += ["", "What to find out next"] + [f"  - {text}" for text in v.next_steps]
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
    v = _view(r, review_labels(r), safe_text.markdown(r.case_id))
    lines = [f"# Review of case {v.case_id}", ""] + [f"- {line}" for line in v.header]
    lines += ["", "## Findings", ""] + ([f"- {finding}" for finding in v.findings] or ["(none)"])
    lines += ["", "## Decisions at a glance", ""]
    lines += _md_table(["Order", "First recommended", f"On {v.as_of}"],
                       [[g.name, g.first, g.now] for g in v.glance])
    lines += ["", "## Recorded actions"]
    for action in v.actions:
        lines += ["", f"### {action.date}: {action.what}", "", f"Decisions then: {action.then}"]
        if action.reasons:
            lines += [""] + _md_table(["Reason", "Judged", "Why", "Law"],
                                      [[reason.label, reason.verdict, reason.text, reason.citation]
                                       for reason in action.reasons])
    if not v.actions:
        lines += ["", "(none recorded)"]
    lines += ["", "## Timeline", ""]
    lines += _md_table(["Date", "Recorded", "Decisions"],
                       [[row.date, row.events, row.decisions] for row in v.timeline]) \
        if v.timeline else ["(no dated incidents, actions or risk assessments)"]
    lines += ["", "## What to find out next", ""] + [f"- {text}" for text in v.next_steps]
    lines += ["", f"## Where things stand on {v.as_of}", ""]
    lines += _demoted(assessment_markdown(r.assessment), 2)
    lines += ["", f"> {UNDATED_NOTE}"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- HTML


def review_chart(r: Review, labels: Labels) -> str:
    """The lanes chart of a review (:func:`spo_advisor.report.chart.lanes_svg`)."""
    dates = [row.date for row in r.timeline]
    lanes = [chart.Lane(labels.order(order), [(row.decisions[order].value,
                                               labels.decision(row.decisions[order].value))
                                              for row in r.timeline])
             for order in r.first_recommended]
    actions = [chart.Action(action.date, labels.action(action.action)) for action in r.actions]
    incidents = [chart.Incident(mark.date, ", ".join(labels.behaviour(b) for b in mark.behaviours)
                                or "no behaviour recorded", mark.violence_or_threats)
                 for mark in r.conduct]
    count = len(r.actions)
    title = (f"Decisions on each of {len(dates)} dates, one lane per order, with "
             f"{count} recorded action{'' if count == 1 else 's'}")
    return chart.lanes_svg(dates, lanes, actions, incidents, DECISION_COLOUR, title)


def review_html(r: Review) -> str:
    """A self-contained HTML fragment (inline style and SVG, no external assets)."""
    labels = review_labels(r)
    v = _view(r, labels, r.case_id)
    return _environment().get_template("review.html.j2").render(
        **vars(v), chart=Markup(review_chart(r, labels)), chart_legend=CHART_LEGEND,
        assessment=Markup(assessment_html(r.assessment)), note=UNDATED_NOTE)


def review_title(reviews: Sequence[Any]) -> str:
    """The ``<title>`` of an HTML page of reviews: the case ids it holds."""
    ids = ", ".join(str(r.case_id) for r in reviews)
    return f"Review of case{'s' if len(reviews) > 1 else ''} {ids}"


register(Review, text=review_text, markdown=review_markdown, html=review_html)
