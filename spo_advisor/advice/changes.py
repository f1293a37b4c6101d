"""What would change a decision: the output of :func:`spo_advisor.advice.whatif.what_would_change`.

Each :class:`Change` is an unknown fact that, once established, changes decisions; the
:class:`Questions` list holds them most impact first and groups them by order for a
reader, in the words of the rule set's labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from spo_advisor.language.labels import Labels
from spo_advisor.model.display import Displayable
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import OutputModel


class OrderChange(OutputModel):
    """One order whose decision would change."""

    order: str
    now: Decision
    to: Decision


class Change(OutputModel):
    """An unknown fact that, once established as ``condition`` says, changes decisions."""

    field: str = Field(description="The case field, e.g. victim.very_frightened")
    condition: str = Field(description="What the field would have to be, e.g. 'is true'")
    values: list[Any] = Field(description="The values tried that give this change")
    records: int | None = Field(
        description="For a field of dated records: on how many records it is not recorded")
    changes: list[OrderChange]
    text: str = Field(description="e.g. 'spo: recommended if victim.very_frightened is true'")
    question: str = Field(description="The change as a question in plain words, e.g. 'Is the "
                                      "victim very frightened? If yes: Stalking Protection "
                                      "Order becomes recommended.'")


class Questions(Displayable, list[Change]):
    """The changes, most impact first (a list, as :func:`~spo_advisor.advice.whatif.what_would_change`
    always returned), grouped by order for the renderings (``explain()``,
    ``to_markdown()``, ``to_html()``, and in a notebook)."""

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
