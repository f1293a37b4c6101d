"""Readable renderings of an Assessment: plain text, Markdown and self-contained HTML."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from spo_advisor import safe_text
from spo_advisor.result import Assessment, Recommendation, RuleRef

DECISION_LABEL = {
    "recommended": "RECOMMENDED",
    "consider": "CONSIDER",
    "not_recommended": "not recommended",
    "not_available": "not available",
}
DECISION_COLOUR = {
    "recommended": "#1b5e20",
    "consider": "#8a5a00",
    "not_recommended": "#555555",
    "not_available": "#777777",
}
DRAFTING_NOTE = ("Drafting prompts for the officer, not advice to the court: each term must "
                 "itself be necessary (SPA 2019 s.2(2)) and, so far as practicable, avoid "
                 "conflict with religious beliefs, work and education (s.2(3)).")


def _header_lines(a: Assessment) -> list[str]:
    return [
        f"Case {safe_text.plain(a.case_id)} as of {a.as_of.isoformat()}",
        (f"Rule set {a.ruleset.name} {a.ruleset.version} (sha256 {a.ruleset.sha256[:12]}…), "
         f"engine {a.engine}"),
        f"Risk: {a.risk.level}" + (f" ({', '.join(a.risk.indicators)})" if a.risk.indicators else "")
        + (f"; could be higher if known: {', '.join(a.risk.unknown)}" if a.risk.unknown else ""),
        "Stalking: FOUR " + {True: "met", False: "not met", None: "not known"}[a.stalking.four_met]
        + (f"; acts: {', '.join(a.stalking.acts)}" if a.stalking.acts else "; no acts recorded"),
    ]


def assessment_text(a: Assessment) -> str:
    """Plain text for a terminal or a case note."""
    lines = _header_lines(a) + [""]
    for rec in a.recommendations:
        lines.append(f"{rec.title} [{rec.order}]: {DECISION_LABEL[rec.decision.value]}")
        lines += [f"  because  {r.text} ({r.citation}) [{r.rule}]" for r in rec.reasons]
        lines += [f"  not met  {r.text} ({r.citation}) [{r.rule}]" for r in rec.unmet]
        if rec.unknown:
            lines.append(f"  unknown  {', '.join(rec.unknown)}")
        if rec.court_terms:
            lines.append("  terms to consider asking for (drafting prompts):")
            lines += [f"    - {t.term} (because {t.because}; {t.citation})" for t in rec.court_terms]
    if any(rec.court_terms for rec in a.recommendations):
        lines += ["", DRAFTING_NOTE]
    return "\n".join(lines)


def _md_refs(title: str, refs: list[RuleRef]) -> list[str]:
    if not refs:
        return []
    return [f"- **{title}**"] + [f"  - {r.text} — *{r.citation}* (`{r.rule}`)" for r in refs]


def assessment_markdown(a: Assessment) -> str:
    """Markdown, for a case file or a pull request."""
    lines = [f"# Assessment of case {safe_text.markdown(a.case_id)}", ""]
    lines += [f"- {line}" for line in _header_lines(a)[1:]] + [f"- As of {a.as_of.isoformat()}", ""]
    lines += ["| Order | Decision |", "|---|---|"]
    lines += [f"| {rec.title} | {DECISION_LABEL[rec.decision.value]} |" for rec in a.recommendations]
    for rec in a.recommendations:
        lines += ["", f"## {rec.title}: {DECISION_LABEL[rec.decision.value]}", ""]
        lines += _md_refs("Because", rec.reasons) + _md_refs("Not met", rec.unmet)
        if rec.unknown:
            lines.append("- **Not known:** " + ", ".join(f"`{u}`" for u in rec.unknown))
        if rec.court_terms:
            lines.append("- **Terms to consider (drafting prompts):**")
            lines += [f"  - {t.term} — because {t.because} (*{t.citation}*)" for t in rec.court_terms]
    if any(rec.court_terms for rec in a.recommendations):
        lines += ["", f"> {DRAFTING_NOTE}"]
    return "\n".join(lines) + "\n"


def _html_refs(label: str, refs: list[RuleRef]) -> str:
    if not refs:
        return ""
    items = "".join(f"<li>{escape(r.text)} <cite>{escape(r.citation)}</cite> "
                    f"<code>{escape(r.rule)}</code></li>" for r in refs)
    return f"<p class='label'>{escape(label)}</p><ul>{items}</ul>"


def _html_recommendation(rec: Recommendation) -> str:
    colour = DECISION_COLOUR[rec.decision.value]
    body = _html_refs("Because", rec.reasons) + _html_refs("Not met", rec.unmet)
    if rec.unknown:
        body += ("<p class='label'>Not known</p><p>"
                 + ", ".join(f"<code>{escape(u)}</code>" for u in rec.unknown) + "</p>")
    if rec.court_terms:
        items = "".join(f"<li>{escape(t.term)} — because {escape(t.because)} "
                        f"<cite>{escape(t.citation)}</cite></li>" for t in rec.court_terms)
        body += f"<p class='label'>Terms to consider (drafting prompts)</p><ul>{items}</ul>"
    return (f"<section><h3>{escape(rec.title)} <span class='decision' style='background:{colour}'>"
            f"{escape(DECISION_LABEL[rec.decision.value])}</span></h3>{body}</section>")


STYLE = ("<style>.spo{font-family:system-ui,sans-serif;max-width:60em}"
         ".spo .decision{color:#fff;border-radius:4px;padding:1px 6px;font-size:80%}"
         ".spo .label{font-weight:bold;margin:.4em 0 0}.spo cite{color:#555}"
         ".spo table{border-collapse:collapse}.spo td,.spo th{border:1px solid #ccc;"
         "padding:2px 8px;text-align:left}</style>")


def assessment_html(a: Assessment) -> str:
    """A self-contained HTML fragment (inline style, no external assets)."""
    rows = "".join(f"<tr><td>{escape(rec.title)}</td><td>{escape(DECISION_LABEL[rec.decision.value])}"
                   f"</td></tr>" for rec in a.recommendations)
    header = "".join(f"<p>{escape(line)}</p>" for line in _header_lines(a))
    sections = "".join(_html_recommendation(rec) for rec in a.recommendations)
    note = (f"<p><em>{escape(DRAFTING_NOTE)}</em></p>"
            if any(rec.court_terms for rec in a.recommendations) else "")
    return (f"<div class='spo'>{STYLE}<h2>Assessment of case {escape(a.case_id)}</h2>{header}"
            f"<table><tr><th>Order</th><th>Decision</th></tr>{rows}</table>{sections}{note}</div>")


def html_document(fragments: Sequence[str], title: str) -> str:
    """A complete HTML page holding the given fragments (for files and browsers)."""
    body = "<hr>".join(fragments)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title></head><body>{body}</body></html>\n")
