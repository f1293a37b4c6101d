"""A case as the flat facts both evaluators read, cut to what was known on a date."""

from __future__ import annotations

import enum
from datetime import date
from functools import cache
from typing import Any

from spo_advisor.case import Case
from spo_advisor.conditions import RECORD_DATE_FIELD, Scope
from spo_advisor.fields import AS_OF, case_fields


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@cache
def _scalar_paths() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each rule-visible field of the case, and its path split into steps."""
    return tuple((path, tuple(path.split("."))) for path in case_fields().scalars
                 if path != AS_OF)


def case_scope(case: Case, as_of: date) -> Scope:
    """The values of every rule-visible field, and the records dated on or before ``as_of``.

    A record dated after ``as_of`` was not known on that date, so it is left out.
    """
    data = case.model_dump()
    values: dict[str, Any] = {}
    for path, steps in _scalar_paths():
        value: Any = data
        for step in steps:
            value = value[step]
            if value is None:
                break
        values[path] = _plain(value)
    values[AS_OF] = as_of
    records: dict[str, list[dict[str, Any]]] = {}
    for collection, record_fields in case_fields().collections.items():
        rows = []
        for record in data[collection]:
            if RECORD_DATE_FIELD in record and record[RECORD_DATE_FIELD] > as_of:
                continue
            rows.append({name: _plain(record[name]) for name in record_fields})
        records[collection] = rows
    return Scope(as_of, values, records, {})
