"""Decision records: the JSON of an assessment or a review, checked later by re-running it.

Both carry what is needed to reproduce them: the library version, the rule set's name,
version and sha256, the date (``as_of``) and the sha256 of the input case. :func:`verify`
re-runs the record's kind on the case, on the record's date, and lists every JSON path
whose value differs (old → new).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from spo_advisor.assess import EngineChoice, assess, load_rules
from spo_advisor.case import Case, _parse_json, _read_text, load_case
from spo_advisor.errors import CaseError, Problem, ProblemsError
from spo_advisor.review import review
from spo_advisor.rules import RuleSet
from spo_advisor.safe_text import plain

RecordKind = Literal["assessment", "review"]

NOT_A_RECORD = "not a decision record (expected the JSON of an assessment or a review)"
LIST_KEYS = ("order", "code", "field", "date", "rule")
"""Keys that name the items of a list, tried in this order, for readable paths."""
SHOWN_CHARACTERS = 60


class RecordError(ProblemsError):
    """A decision record that cannot be read, or is not a record."""


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT = _Absent()
"""The value on the side of a difference where the path does not exist."""


@dataclass(frozen=True)
class Difference:
    """One JSON path whose value differs between the record and the re-run."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return plain(f"{self.path}: {_show(self.old)} → {_show(self.new)}")


@dataclass(frozen=True)
class Verification:
    """The outcome of re-running a decision record."""

    kind: RecordKind
    differences: list[Difference]

    @property
    def identical(self) -> bool:
        return not self.differences


def load_record(source: str | Path) -> dict[str, Any]:
    """Read a decision record (JSON). Raises :class:`RecordError` for bad input."""
    name = str(source)
    try:
        data = _parse_json(_read_text(Path(source)), name)
    except CaseError as error:
        raise RecordError(error.problems) from None
    if not isinstance(data, dict):
        raise RecordError([Problem("not_a_record", NOT_A_RECORD, file=name)])
    return data


def record_kind(record: Mapping[str, Any], name: str | None = None) -> tuple[RecordKind, date]:
    """Whether ``record`` is an assessment or a review, and its date."""
    if "timeline" in record and "actions" in record:
        kind: RecordKind = "review"
    elif "recommendations" in record:
        kind = "assessment"
    else:
        raise RecordError([Problem("not_a_record", NOT_A_RECORD, file=name)])
    try:
        return kind, date.fromisoformat(record["as_of"])
    except (KeyError, TypeError, ValueError):
        raise RecordError([Problem("invalid_date", "not a valid date (expected YYYY-MM-DD)",
                                   "as_of", file=name)]) from None


def verify(record: Mapping[str, Any] | str | Path,
           case: Case | dict[str, Any] | str | Path, *,
           rules: RuleSet | str | Path | None = None) -> Verification:
    """Re-run the assessment or review that ``record`` holds on ``case`` as of the
    record's date, and list what differs.

    Raises :class:`RecordError` for a bad record and
    :class:`~spo_advisor.errors.CaseError` for a bad case.
    """
    name = None if isinstance(record, Mapping) else str(record)
    data = record if isinstance(record, Mapping) else load_record(record)
    kind, day = record_kind(data, name)
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    if kind == "review":
        again = review(case, day, rules=ruleset).model_dump(mode="json")
    else:
        engine: EngineChoice = "python" if data.get("engine") == "python" else "auto"
        again = assess(case, day, rules=ruleset, engine_choice=engine).model_dump(mode="json")
    return Verification(kind, differences(data, again))


def differences(old: Any, new: Any, path: str = "") -> list[Difference]:
    """Every path at which two JSON values differ. List items are matched by a naming key
    (``order``, ``code``, ``field``, ``date``, ``rule``) when one is present and unique in
    both lists, else by position."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[Difference] = []
        for key in [*old, *(k for k in new if k not in old)]:
            found += differences(old.get(key, ABSENT), new.get(key, ABSENT),
                                 f"{path}.{key}" if path else str(key))
        return found
    if _is_list(old) and _is_list(new):
        return _list_differences(old, new, path)
    return [] if old == new and type(old) is type(new) else [Difference(path or "$", old, new)]


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _list_differences(old: Sequence[Any], new: Sequence[Any], path: str) -> list[Difference]:
    key = _naming_key(old, new)
    if key is None:
        return [difference for index in range(max(len(old), len(new)))
                for difference in differences(old[index] if index < len(old) else ABSENT,
                                              new[index] if index < len(new) else ABSENT,
                                              f"{path}[{index}]")]
    old_items = {item[key]: item for item in old}
    new_items = {item[key]: item for item in new}
    names = [*old_items, *(name for name in new_items if name not in old_items)]
    return [difference for name in names
            for difference in differences(old_items.get(name, ABSENT), new_items.get(name, ABSENT),
                                          f"{path}[{key}={name}]")]


def _naming_key(old: Sequence[Any], new: Sequence[Any]) -> str | None:
    items = [*old, *new]
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for key in LIST_KEYS:
        if all(key in item and isinstance(item[key], str | int) for item in items) and all(
                len({item[key] for item in side}) == len(side) for side in (old, new)):
            return key
    return None


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"
