"""Three-valued truth and the four decisions: the vocabulary every module shares."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Truth(enum.Enum):
    """Kleene's three values. ``UNKNOWN`` is never treated as false."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Truth:
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE

    def as_bool(self) -> bool | None:
        return None if self is Truth.UNKNOWN else self is Truth.TRUE


def all_of(values: Iterable[Truth]) -> Truth:
    """Kleene conjunction: any false wins, then any unknown."""
    seen_unknown = False
    for value in values:
        if value is Truth.FALSE:
            return Truth.FALSE
        seen_unknown |= value is Truth.UNKNOWN
    return Truth.UNKNOWN if seen_unknown else Truth.TRUE


def any_of(values: Iterable[Truth]) -> Truth:
    """Kleene disjunction: any true wins, then any unknown."""
    seen_unknown = False
    for value in values:
        if value is Truth.TRUE:
            return Truth.TRUE
        seen_unknown |= value is Truth.UNKNOWN
    return Truth.UNKNOWN if seen_unknown else Truth.FALSE


def negate(value: Truth) -> Truth:
    if value is Truth.UNKNOWN:
        return value
    return Truth.FALSE if value is Truth.TRUE else Truth.TRUE


class Decision(enum.StrEnum):
    """The contract's four decisions for an order."""

    RECOMMENDED = "recommended"
    CONSIDER = "consider"
    NOT_RECOMMENDED = "not_recommended"
    NOT_AVAILABLE = "not_available"

    @property
    def rank(self) -> int:
        """0 for the most favourable to protection, 3 for the least."""
        return _DECISION_RANK[self]


_DECISION_RANK = {decision: index for index, decision in enumerate(Decision)}
