"""The risk facts known on a date: the dated risk assessments merged with the undated blocks.

docs/contract.md, "Decisions" (dated risk assessments): the undated ``victim``, ``indicators``,
``four`` and ``dash_yes_count`` describe the record as of ``assessed_on``. On or after that
date their non-null values win. Before it, each fact takes the value of the latest
assessment dated on or before the date that holds it non-null (later in the list wins a
tie; a list such as ``fears`` is replaced whole). Where no assessment holds it, the
undated value is used and the fact is reported as an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from spo_advisor.model.case import Case

RISK_BLOCKS = ("victim", "indicators", "four")
RISK_SCALARS = ("dash_yes_count",)


@dataclass(frozen=True)
class RiskFacts:
    """Risk facts by dotted path, and the paths taken as known from the undated record."""

    values: dict[str, Any]
    assumed: tuple[str, ...]


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    flat = {f"{block}.{name}": value for block in RISK_BLOCKS
            for name, value in (data.get(block) or {}).items()}
    flat.update({name: data.get(name) for name in RISK_SCALARS})
    return flat


def risk_facts_on(case: Case, day: date) -> RiskFacts:
    """The risk facts as known on ``day``, and which of them are assumed known."""
    undated = _flat(case.model_dump(include={*RISK_BLOCKS, *RISK_SCALARS}))
    assessed: dict[str, Any] = {}
    dated = sorted(((entry.date, index, entry) for index, entry in
                    enumerate(case.risk_assessments) if entry.date <= day),
                   key=lambda item: (item[0], item[1]))
    for _, _, entry in dated:
        for path, value in _flat(entry.model_dump()).items():
            if value is not None:
                assessed[path] = value
    current = case.assessed_on is None or day >= case.assessed_on
    values: dict[str, Any] = {}
    assumed: list[str] = []
    for path, value in undated.items():
        known = value is not None
        if current and known:
            values[path] = value
        elif path in assessed:
            values[path] = assessed[path]
        else:
            values[path] = value
            if known:
                assumed.append(path)
    return RiskFacts(values, tuple(assumed))
