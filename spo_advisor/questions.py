"""What to find out next, for a reader: the changes of :mod:`spo_advisor.whatif` as ranked
questions in plain words, grouped by order, as text, Markdown and (in a notebook) HTML.

A question is built from the rule set's labels and the values its conditions name, never
from the case's own text; it is still passed through :func:`spo_advisor.safe_text.plain`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spo_advisor import safe_text
from spo_advisor.labels import Labels

if TYPE_CHECKING:
    from spo_advisor.whatif import Change

NOTHING = "Nothing left unknown in this record would change a decision."


class Questions(list["Change"]):
    """The changes, most impact first (a list, as :func:`~spo_advisor.whatif.what_would_change`
    always returned), with readable renderings grouped by order."""

    def __init__(self, changes: Iterable[Change] = (), labels: Labels | None = None) -> None:
        super().__init__(changes)
        self.labels = labels or Labels()

    def by_order(self) -> dict[str, list[Change]]:
        """Order → the changes that would change its decision, most impact first; orders in
        the order their first question ranks."""
        groups: dict[str, list[Change]] = {}
        for change in self:
            for item in change.changes:
                groups.setdefault(item.order, []).append(change)
        return groups

    def grouped(self) -> list[tuple[str, list[Change]]]:
        """Per order, a heading in words ("Stalking Protection Order (now consider)") and
        its changes."""
        return [(f"{self.labels.order(order)} (now {self.labels.decision(self._now(order, changes))})",
                 changes) for order, changes in self.by_order().items()]

    @staticmethod
    def _now(order: str, changes: list[Change]) -> str:
        return next(item.now.value for item in changes[0].changes if item.order == order)

    def explain(self) -> str:
        """Plain text: per order, its questions numbered, most impact first."""
        if not self:
            return NOTHING
        lines: list[str] = []
        for heading, changes in self.grouped():
            lines += ([""] if lines else []) + [heading]
            lines += [f"  {n}. {safe_text.plain(c.question)}" for n, c in enumerate(changes, 1)]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """Markdown: a heading per order and a numbered list of its questions."""
        if not self:
            return NOTHING + "\n"
        lines: list[str] = []
        for heading, changes in self.grouped():
            lines += ([""] if lines else []) + [f"### {heading}", ""]
            lines += [f"{n}. {safe_text.plain(c.question)}" for n, c in enumerate(changes, 1)]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML fragment; the raw field paths folded into ``<details>``."""
        from spo_advisor.render import render_template

        return render_template("questions.html.j2", questions=self, nothing=NOTHING)

    def _repr_html_(self) -> str:
        return self.to_html()
