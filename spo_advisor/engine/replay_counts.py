"""The counts of a rule set's ``count`` conditions on every date of a replay, made once.

A count asks how many records of a collection, known by the date (and within a window of
days before it, if it has one), match its ``where``. Evaluated afresh on each date, that
costs the number of records on every date: quadratic over a replay. Here each record's
``where`` verdict is taken once (it does not depend on the date unless the condition
reads ``as_of``; such counts are left to the evaluator), records are put in date order
with running totals, and each date's numbers are read by bisection. They are handed to
the evaluator through the scope's own count cache (:attr:`Scope.counts`), so both engines
read them exactly as if counted there; a test checks they are the same.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from spo_advisor.engine.facts import Prepared
from spo_advisor.language.conditions import (
    AS_OF_OPERAND,
    RECORD_DATE_FIELD,
    AllOf,
    AnyOf,
    Count,
    FieldTest,
    Node,
    Not,
    Scope,
    walk,
)
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.logic import Truth

Numbers = tuple[int, int, frozenset[str]]
"""Records that certainly match, that could match, and the fields left unknown."""


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, AllOf | AnyOf):
        for part in node.parts:
            yield from _nodes(part)
    elif isinstance(node, Not):
        yield from _nodes(node.part)


def _reads_the_date(where: Node | None) -> bool:
    return where is not None and any(
        isinstance(node, Count) or (isinstance(node, FieldTest) and node.operand is AS_OF_OPERAND)
        for node in _nodes(where))


@dataclass(frozen=True)
class _Series:
    """One count's matches, records in date order, with running totals."""

    node: Count
    undated: Numbers
    dates: list[date]
    verdicts: list[tuple[int, int, frozenset[str]]]
    certain: list[int]
    possible: list[int]
    unknown: list[frozenset[str]]
    found: dict[date, Numbers] = field(default_factory=dict, compare=False)
    """The numbers of each day asked (a replay asks again for each fact set aside)."""

    def on(self, day: date) -> Numbers:
        numbers = self.found.get(day)
        if numbers is None:
            numbers = self.found[day] = self._on(day)
        return numbers

    def _on(self, day: date) -> Numbers:
        high = bisect.bisect_right(self.dates, day)
        low = 0
        if self.node.within_days is not None:
            low = bisect.bisect_left(self.dates, day - timedelta(days=self.node.within_days))
            unknown = frozenset().union(*(v[2] for v in self.verdicts[low:high]))
        else:
            unknown = self.unknown[high]
        certain, possible, fields = self.undated
        return (certain + self.certain[high] - self.certain[low],
                possible + self.possible[high] - self.possible[low], fields | unknown)


def _series(node: Count, rows: list[tuple[date | None, dict[str, Any]]], day: date) -> _Series:
    inner = Scope(day, {}, {}, {}, f"{node.collection}.")

    def verdict(row: dict[str, Any]) -> tuple[int, int, frozenset[str]]:
        if node.where is None:
            return 1, 1, frozenset()
        found = node.where.verdict(row, inner, None)
        return (int(found.truth is Truth.TRUE), int(found.truth is not Truth.FALSE),
                found.unknown_fields)

    undated = [verdict(row) for known, row in rows if known is None]
    dated = sorted(((known, verdict(row)) for known, row in rows if known is not None),
                   key=lambda item: item[0])
    certain, possible, unknown = [0], [0], [frozenset[str]()]
    for _, (sure, could, fields) in dated:
        certain.append(certain[-1] + sure)
        possible.append(possible[-1] + could)
        unknown.append(unknown[-1] | fields if fields else unknown[-1])
    return _Series(node, (sum(v[0] for v in undated), sum(v[1] for v in undated),
                          frozenset().union(*(v[2] for v in undated))),
                   [item[0] for item in dated], [item[1] for item in dated],
                   certain, possible, unknown)


class ReplayCounts:
    """The counts of ``ruleset`` over the records of one prepared case, on any date."""

    def __init__(self, ruleset: RuleSet, prepared: Prepared, first: date) -> None:
        nodes: dict[Hashable, Count] = {}
        for rule in ruleset.rules:
            for node in walk(rule.when):
                if isinstance(node, Count) and node.dated_after is None \
                        and not _reads_the_date(node.where):
                    # a count dated after other records reads which of them are known by
                    # the date: left to the evaluator
                    nodes.setdefault(node.counted, node)
        self._series = {}
        for counted, node in nodes.items():
            rows = prepared.rows.get(node.collection, [])
            if node.within_days is not None and any(
                    known != row.get(RECORD_DATE_FIELD) for known, row in rows):
                continue  # windows are over the record's own date: only where it is the one known
            self._series[counted] = _series(node, rows, first)

    def fill(self, scope: Scope, changed: frozenset[str] = frozenset()) -> Scope:
        """``scope`` with the numbers of every count kept here in its count cache, but
        those over the collections ``changed`` (a scope of a changed case)."""
        for counted, series in self._series.items():
            if series.node.collection not in changed:
                scope.counts[counted] = series.on(scope.as_of)
        return scope
