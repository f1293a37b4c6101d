"""Values in a rule's text: ``{derived.home_force|not recorded: find out where the suspect
lives}`` names a rule-visible field, filled with its value when an assessment explains
the rule (a force or borough by its name), or with the text after ``|`` when the value is
not known. So a reason can name, say, the force to refer a case to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from spo_advisor.model.places import label

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)(?:\|([^{}]*))?\}")
NOT_RECORDED = "not recorded"
"""What an unknown value reads as when the rule gives no text of its own."""


def placeholder_paths(text: str) -> list[str]:
    """The field paths a rule's text names, in order."""
    return [match[1] for match in PLACEHOLDER.finditer(text)]


def unknown_paths(text: str, known: Iterable[str]) -> list[str]:
    """The paths a rule's text names that are not rule-visible fields."""
    fields = set(known)
    return [path for path in placeholder_paths(text) if path not in fields]


def _in_words(value: Any) -> str:
    if isinstance(value, str):
        named = label(value)
        return named if named != value else value.replace("_", " ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with each placeholder replaced by its field's value in words, or by the
    placeholder's own text for an unknown value."""
    def value_of(match: re.Match[str]) -> str:
        value = values.get(match[1])
        if value is None:
            return match[2] if match[2] is not None else NOT_RECORDED
        return _in_words(value)

    return PLACEHOLDER.sub(value_of, text)


def as_written(text: str) -> str:
    """``text`` for a reader of the rule set: each placeholder as the field it names."""
    return PLACEHOLDER.sub(lambda match: f"[`{match[1]}`]", text)
