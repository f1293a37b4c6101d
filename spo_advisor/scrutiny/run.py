"""One case of a caseload as a partial aggregate, and a caseload in one process.

:func:`scrutinize` is the unit every runner maps over the cases (the command's worker
processes, a Dask partition, a loop): a case is replayed and counted, or counted apart
(outside the period, undated, or not a valid case, by its number and problem codes only).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import CaseError
from spo_advisor.scrutiny.outcome import Period, entry_date, outcome_of
from spo_advisor.scrutiny.partial import Partial

CaseSource = Case | dict[str, Any] | str | Path

INTERNAL_ERROR = "internal_error"
"""The problem code of a case that failed for an unforeseen reason (a fault to report)."""


def scrutinize(case: CaseSource, number: int, period: Period, rules: RuleSet, *,
               detail: bool = False) -> Partial:
    """The partial aggregate of one case, the ``number``-th of the caseload (its line
    number in a file). A bad case is counted by number and problem codes, never stopping
    the run and never keeping a value of it."""
    partial = Partial()
    try:
        loaded = load_case(case)
        entered = entry_date(loaded)
        if entered is None:
            partial.add_undated()
        elif not period.date_from <= entered <= period.date_to:
            partial.add_outside()
        else:
            partial.add(outcome_of(loaded, entered, period, rules), detail=detail)
    except CaseError as error:
        partial.add_bad(number, [problem.code for problem in error.problems])
    except Exception:  # noqa: BLE001 - one bad case never stops a scrutiny
        partial.add_bad(number, [INTERNAL_ERROR])
    return partial


def scrutinize_all(cases: Iterable[CaseSource], period: Period, rules: RuleSet, *,
                   detail: bool = False, first: int = 1) -> Partial:
    """The partial aggregate of ``cases`` in one process, numbered from ``first``."""
    total = Partial()
    for number, case in enumerate(cases, first):
        total.merge(scrutinize(case, number, period, rules, detail=detail))
    return total
