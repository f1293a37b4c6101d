"""A case as the flat facts both evaluators read, cut to what was known on a date."""

from __future__ import annotations

import enum
from datetime import date
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


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if data is None:
            return None
        data = getattr(data, part)
    return _plain(data)


def case_scope(case: Case, as_of: date) -> Scope:
    """The values of every rule-visible field, and the records dated on or before ``as_of``.

    A record dated after ``as_of`` was not known on that date, so it is left out.
    """
    fields = case_fields()
    values = {path: _lookup(case, path) for path in fields.scalars if path != AS_OF}
    values[AS_OF] = as_of
    records: dict[str, list[dict[str, Any]]] = {}
    for collection, record_fields in fields.collections.items():
        rows = []
        for record in getattr(case, collection):
            row = {name: _plain(getattr(record, name)) for name in record_fields}
            if RECORD_DATE_FIELD in row and row[RECORD_DATE_FIELD] > as_of:
                continue
            rows.append(row)
        records[collection] = rows
    return Scope(as_of, values, records, {})
