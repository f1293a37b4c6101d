"""The partial aggregate of a caseload: a monoid, so that a caseload split any way (into
worker processes, Dask partitions, files) and merged gives exactly the figures of the
whole.

It holds counts as the lists of case ids behind them and delays as lists of days, never a
median or a percentile (those are worked out once, from the merged lists, by
:mod:`spo_advisor.scrutiny.figures`). :meth:`Partial.merge` concatenates lists and adds
counts: associative, with the empty :class:`Partial` as its identity; the figures sort
what they read, so the order of merging does not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spo_advisor.model.logic import Decision
from spo_advisor.scrutiny.outcome import CaseOutcome, OrderTrack

Cell = tuple[str, str, str, str, str]
"""(scope, group, measure, order, item): scope ``all`` (group ``""``), ``month`` (group
``YYYY-MM``, the month of entry) or ``relationship`` (group: the relationship code)."""

WHOLE, MONTH, RELATIONSHIP = "all", "month", "relationship"

CASES = "cases"
ORDER_MEASURES = ("indicated", "first_recommended", "first_consider", "applied", "obtained",
                  "applied_after_indication", "applied_without_indication", "missed",
                  "not_judged")
"""Counts kept for each followed order, in every scope."""
UNKNOWN_FACT = "unknown_fact"
REASON_MEASURE = {True: "reason_legal_bar", False: "reason_not_legal_bar",
                  None: "reason_not_judged"}
"""A recorded reason for a missed SPO, by its judgement (true: a legal bar or sound reason;
false: not a legal bar; null: cannot be judged on the record)."""
MISSED_NO_REASON = "missed_no_reason"


@dataclass
class BadLine:
    """An input line (or item) that is not a valid case: its number and problem codes."""

    line: int
    codes: tuple[str, ...]


@dataclass
class Partial:
    """A partial aggregate (see the module docstring). ``details`` holds each case's
    outcome only when the caller asks for the detail."""

    lines: int = 0
    outside: int = 0
    undated: int = 0
    bad: list[BadLine] = field(default_factory=list)
    cells: dict[Cell, list[str]] = field(default_factory=dict)
    delays: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    details: list[CaseOutcome] = field(default_factory=list)

    def add(self, outcome: CaseOutcome, *, detail: bool = False) -> None:
        """Count one case in the period."""
        self.lines += 1
        scopes = ((WHOLE, ""), (MONTH, outcome.month), (RELATIONSHIP, outcome.relationship))
        for scope, group in scopes:
            self._count(outcome.case_id, (scope, group, CASES, "", ""))
            for track in outcome.orders:
                for measure in _order_measures(track):
                    self._count(outcome.case_id, (scope, group, measure, track.order, ""))
                if track.delay_days is not None:
                    self.delays.setdefault((scope, group, track.order), []).append(
                        track.delay_days)
        for track in outcome.orders:
            for path in track.unknown:
                self._count(outcome.case_id, (WHOLE, "", UNKNOWN_FACT, track.order, path))
        if any(track.order == "spo" and track.missed for track in outcome.orders):
            judged = {(REASON_MEASURE[reason.valid], reason.code) for reason in outcome.reasons}
            for measure, code in sorted(judged, key=str):
                self._count(outcome.case_id, (WHOLE, "", measure, "spo", code))
            if not judged:
                self._count(outcome.case_id, (WHOLE, "", MISSED_NO_REASON, "spo", ""))
        if detail:
            self.details.append(outcome)

    def add_outside(self) -> None:
        """Count a valid case whose entry date is outside the period."""
        self.lines += 1
        self.outside += 1

    def add_undated(self) -> None:
        """Count a valid case with no dated record (it cannot be placed in a period)."""
        self.lines += 1
        self.undated += 1

    def add_bad(self, line: int, codes: Iterable[str]) -> None:
        """Count a line that is not a valid case: its number and problem codes only."""
        self.lines += 1
        self.bad.append(BadLine(line, tuple(codes)))

    def merge(self, other: Partial) -> Partial:
        """Add ``other`` into this aggregate (in place) and return it."""
        self.lines += other.lines
        self.outside += other.outside
        self.undated += other.undated
        self.bad.extend(other.bad)
        for cell, ids in other.cells.items():
            self.cells.setdefault(cell, []).extend(ids)
        for key, days in other.delays.items():
            self.delays.setdefault(key, []).extend(days)
        self.details.extend(other.details)
        return self

    def ids(self, cell: Cell) -> list[str]:
        """The case ids behind a cell, sorted."""
        return sorted(self.cells.get(cell, ()))

    def groups(self, scope: str) -> set[str]:
        """The groups of a scope that hold at least one case."""
        return {cell[1] for cell in self.cells if cell[0] == scope}

    def items(self, measure: str, order: str) -> set[str]:
        """The items (reason codes, fact paths) counted under a whole-period measure."""
        return {cell[4] for cell in self.cells
                if cell[0] == WHOLE and cell[2] == measure and cell[3] == order}

    def _count(self, case_id: str, cell: Cell) -> None:
        self.cells.setdefault(cell, []).append(case_id)


def combine(partials: Iterable[Partial]) -> Partial:
    """All ``partials`` merged into a new aggregate (the empty one for none)."""
    total = Partial()
    for partial in partials:
        total.merge(partial)
    return total


def _order_measures(track: OrderTrack) -> list[str]:
    measures = []
    if track.indicated_on is not None:
        measures += ["indicated", "first_recommended"
                     if track.indicated_as is Decision.RECOMMENDED else "first_consider"]
    acted = track.acted_on
    if acted is not None:
        measures.append("applied")
        if track.obtained_on is not None:
            measures.append("obtained")
        measures.append("applied_after_indication" if track.delay_days is not None
                        else "applied_without_indication")
    if track.missed:
        measures.append("missed")
    if track.unknown:  # consider on the stop date, turning on unknown facts
        measures.append("not_judged")
    return measures
