"""What to find out next, for a reader: :class:`~spo_advisor.advice.changes.Questions` as ranked
questions in plain words, grouped by order, as text, Markdown and (in a notebook) HTML.

A question is built from the rule set's labels and the values its conditions name, never
from the case's own text; it is still passed through :func:`spo_advisor.model.safe_text.plain`.
"""

from __future__ import annotations

from spo_advisor.advice.changes import Questions
from spo_advisor.model import safe_text
from spo_advisor.model.display import register
from spo_advisor.report.render import render_template

NOTHING = "Nothing left unknown in this record would change a decision."


def questions_text(questions: Questions) -> str:
    """Plain text: per order, its questions numbered, most impact first."""
    if not questions:
        return NOTHING
    lines: list[str] = []
    for heading, changes in questions.grouped():
        lines += ([""] if lines else []) + [heading]
        lines += [f"  {n}. {safe_text.plain(c.question)}" for n, c in enumerate(changes, 1)]
    return "\n".join(lines)


def questions_markdown(questions: Questions) -> str:
    """Markdown: a heading per order and a numbered list of its questions."""
    if not questions:
        return NOTHING + "\n"
    lines: list[str] = []
    for heading, changes in questions.grouped():
        lines += ([""] if lines else []) + [f"### {heading}", ""]
        lines += [f"{n}. {safe_text.plain(c.question)}" for n, c in enumerate(changes, 1)]
    return "\n".join(lines) + "\n"


def questions_html(questions: Questions) -> str:
    """A self-contained HTML fragment; the raw field paths folded into ``<details>``."""
    return render_template("questions.html.j2", questions=questions, nothing=NOTHING)


register(Questions, text=questions_text, markdown=questions_markdown, html=questions_html)
