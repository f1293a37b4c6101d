"""Readable renderings of an Assessment: plain text, Markdown and self-contained HTML.

Each opens with the overview (:mod:`spo_advisor.report.overview`): the case, the date and the
risk on one line, then one line per order with its decision in words, most urgent first.
Then, once, the risk and the recognition of stalking; then each order's limbs grouped by
the statutory test. Raw rule ids appear only in the verbose text and, in HTML, folded
into ``<details>``. HTML is built from Jinja2 templates with autoescaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader

from spo_advisor.language.labels import Labels
from spo_advisor.language.rules import RuleSet
from spo_advisor.model import safe_text
from spo_advisor.model.display import register
from spo_advisor.model.result import Assessment, Limb, Recommendation
from spo_advisor.report import overview

DECISION_COLOUR = {
    "recommended": "#1b5e20",
    "consider": "#8a5a00",
    "not_recommended": "#555555",
    "not_available": "#777777",
}
DRAFTING_NOTE = ("Drafting prompts for the officer, not advice to the court: each term must "
                 "itself be necessary (SPA 2019 s.2(2)) and, so far as practicable, avoid "
                 "conflict with religious beliefs, work and education (s.2(3)).")
DETAIL_HINT = ("The rules behind each limb: spo-advisor assess FILE --verbose; every key: "
               "--format json.")
STYLE = ("<style>.spo{font-family:system-ui,sans-serif;max-width:60em}"
         ".spo .decision{color:#fff;border-radius:4px;padding:1px 6px;font-size:80%}"
         ".spo .label{font-weight:bold;margin:.4em 0 0}.spo cite{color:#555}"
         ".spo table{border-collapse:collapse}.spo td,.spo th{border:1px solid #ccc;"
         "padding:2px 8px;text-align:left}</style>")


def _status_word(limb: Limb, labels: Labels) -> str:
    return f"[{labels.status(limb.status)}]"


def _limb_text(limb: Limb, labels: Labels, verbose: bool) -> list[str]:
    trigger = " (trigger)" if limb.trigger else ""
    law = f" — {limb.citation}" if limb.citation else ""
    rules = f" [{', '.join(limb.rules)}]" if verbose and limb.rules else ""
    lines = [f"    {_status_word(limb, labels):12}{limb.text}{trigger}{law}{rules}"]
    questions = overview.to_find_out(limb, labels)
    if questions and limb.status != "met":
        lines.append(f"    {'':12}to find out: {questions}")
    return lines


def _recommendation_text(rec: Recommendation, labels: Labels, verbose: bool) -> list[str]:
    heading = f"{overview.order_name(rec, labels)} — {labels.decision(rec.decision.value)}"
    lines = [heading + (f" [{rec.order}; decided by {rec.deciding_rule}]" if verbose else "")]
    for group in overview.limb_groups(rec):
        folded = None if verbose else overview.all_met_gates(group)
        lines.append(f"  {group.title}: {folded}" if folded else f"  {group.title}:")
        if not folded:
            lines += [line for limb in group.limbs for line in _limb_text(limb, labels, verbose)]
    if rec.court_terms:
        lines.append("  Terms to consider asking for (drafting prompts):")
        lines += [f"    - {t.term} (because {t.because}; {t.citation})" for t in rec.court_terms]
    return lines


def overview_text(a: Assessment, labels: Labels) -> list[str]:
    """The overview as lines of plain text (the case id escaped)."""
    lines = [overview.headline(a, labels, safe_text.plain(a.case_id))]
    lines += [f"  {line}" for line in overview.order_lines(a, labels)]
    excluded = overview.excluded_line(a)
    return lines + ([excluded] if excluded else [])


def assessment_text(a: Assessment, *, rules: RuleSet | None = None, verbose: bool = False) -> str:
    """Plain text for a terminal or a case note: the overview first, then the detail;
    ``verbose`` adds the rule ids behind each limb."""
    labels = overview.assessment_labels(a, rules)
    lines = overview_text(a, labels) + [""]
    risk = overview.risk_lines(a, labels)
    lines += risk[:1] + [f"  {line}" for line in risk[1:]]
    lines += [overview.stalking_line(a, labels)]
    for rec in a.recommendations:
        lines += [""] + _recommendation_text(rec, labels, verbose)
    if any(rec.court_terms for rec in a.recommendations):
        lines += ["", DRAFTING_NOTE]
    lines += ["", (f"Rule set {a.ruleset.name} {a.ruleset.version} "
                   f"(sha256 {a.ruleset.sha256[:12]}…), engine {a.engine}.")]
    if not verbose:
        lines.append(DETAIL_HINT)
    return "\n".join(lines)


def _limb_markdown(limb: Limb, labels: Labels) -> list[str]:
    trigger = " (trigger)" if limb.trigger else ""
    law = f" *({limb.citation})*" if limb.citation else ""
    lines = [f"- **{labels.status(limb.status)}** — {limb.text}{trigger}{law}"]
    questions = overview.to_find_out(limb, labels)
    if questions and limb.status != "met":
        lines.append(f"  - to find out: {questions}")
    return lines


def assessment_markdown(a: Assessment, *, rules: RuleSet | None = None) -> str:
    """Markdown, for a case file or a pull request: the overview first, then the detail."""
    labels = overview.assessment_labels(a, rules)
    lines = [f"# Assessment of case {safe_text.markdown(a.case_id)}", "",
             overview.headline(a, labels, safe_text.markdown(a.case_id)), ""]
    lines += [f"- {line}" for line in overview.order_lines(a, labels)]
    excluded = overview.excluded_line(a)
    lines += ["", excluded] if excluded else []
    risk = overview.risk_lines(a, labels)
    lines += ["", "## Risk and stalking", "", f"- **{risk[0]}**"]
    lines += [f"  - {line}" for line in risk[1:]] + [f"- {overview.stalking_line(a, labels)}"]
    for rec in a.recommendations:
        name = overview.order_name(rec, labels)
        lines += ["", f"## {name} — {labels.decision(rec.decision.value)}"]
        for group in overview.limb_groups(rec):
            folded = overview.all_met_gates(group)
            lines += ["", f"**{group.title}**" + (f": {folded}" if folded else ""), ""]
            if not folded:
                lines += [line for limb in group.limbs for line in _limb_markdown(limb, labels)]
        if rec.court_terms:
            lines += ["", "**Terms to consider (drafting prompts)**", ""]
            lines += [f"- {t.term} — because {t.because} (*{t.citation}*)" for t in rec.court_terms]
    if any(rec.court_terms for rec in a.recommendations):
        lines += ["", f"> {DRAFTING_NOTE}"]
    return "\n".join(lines) + "\n"


@cache
def templates() -> Environment:
    """The Jinja2 environment of the HTML templates (autoescaping on)."""
    return Environment(loader=PackageLoader("spo_advisor.report", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def render_template(name: str, **context: Any) -> str:
    """One template of ``spo_advisor/templates`` rendered with ``context``."""
    return templates().get_template(name).render(**context)


def assessment_html(a: Assessment, *, rules: RuleSet | None = None) -> str:
    """A self-contained HTML fragment (inline style, no external assets): the overview,
    then a limb diagram per order with the detail folded into ``<details>``."""
    labels = overview.assessment_labels(a, rules)
    return render_template(
        "assessment.html.j2", a=a, labels=labels, ov=overview, style=STYLE,
        drafting_note=DRAFTING_NOTE if any(rec.court_terms for rec in a.recommendations) else "")


def html_document(fragments: Sequence[str], title: str) -> str:
    """A complete HTML page holding the given fragments (for files and browsers)."""
    body = "<hr>".join(fragments)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title></head><body>{body}</body></html>\n")


class AssessmentReport:
    """An assessment rendered with the labels of the rule set that produced it (a rule set
    given as a directory, not only the shipped one), its text optionally ``verbose``: what
    the command line prints."""

    def __init__(self, assessment: Assessment, rules: RuleSet, verbose: bool = False) -> None:
        self.assessment, self.rules, self.verbose = assessment, rules, verbose

    def model_dump(self, *, mode: str) -> dict[str, Any]:
        return self.assessment.model_dump(mode=mode)

    def explain(self) -> str:
        return assessment_text(self.assessment, rules=self.rules, verbose=self.verbose)

    def to_markdown(self) -> str:
        return assessment_markdown(self.assessment, rules=self.rules)

    def to_html(self) -> str:
        return assessment_html(self.assessment, rules=self.rules)


register(Assessment, text=assessment_text, markdown=assessment_markdown, html=assessment_html)
