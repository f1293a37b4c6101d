"""The figures of a merged :class:`~spo_advisor.scrutiny.partial.Partial`.

Delays: the median is the middle value of the sorted days (the mean of the two middle
values for an even count); the 90th percentile is the nearest rank, the smallest number
of days at or above which no more than a tenth of the delays lie (the value at rank
``ceil(0.9 n)`` of the sorted days). Lists are sorted by count, most first, then by code.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from spo_advisor.advice.assess import library_version
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.result import RulesetInfo
from spo_advisor.scrutiny.outcome import NOT_RECORDED, TRACKED, CaseOutcome, Period
from spo_advisor.scrutiny.partial import (
    CASES,
    MISSED_NO_REASON,
    MONTH,
    ORDER_MEASURES,
    REASON_MEASURE,
    RELATIONSHIP,
    UNKNOWN_FACT,
    WHOLE,
    Partial,
)
from spo_advisor.scrutiny.result import (
    BadLineFigure,
    CaseDetail,
    Count,
    GroupFigures,
    ItemCount,
    OrderFigures,
    ReasonDetail,
    ReasonFigures,
    Scrutiny,
    TrackDetail,
)


def median(days: Sequence[int]) -> float | None:
    """The median of ``days``; None for none."""
    return float(statistics.median(days)) if days else None


def percentile_90(days: Sequence[int]) -> int | None:
    """The 90th percentile of ``days`` by nearest rank; None for none."""
    if not days:
        return None
    return sorted(days)[math.ceil(0.9 * len(days)) - 1]


def figures(partial: Partial, period: Period, rules: RuleSet, *,
            detail: bool = False) -> Scrutiny:
    """The scrutiny of a caseload from its merged partial aggregate."""
    orders = [order for order in TRACKED if order in rules.orders]
    relationships = sorted(partial.groups(RELATIONSHIP), key=lambda g: (g == NOT_RECORDED, g))
    return Scrutiny(
        date_from=period.date_from, date_to=period.date_to, as_of=period.stop,
        ruleset=RulesetInfo(name=rules.name, version=rules.version, sha256=rules.sha256),
        library_version=library_version(), lines=partial.lines,
        bad_lines=[BadLineFigure(line=bad.line, codes=list(bad.codes))
                   for bad in sorted(partial.bad, key=lambda bad: bad.line)],
        outside_period=partial.outside, undated=partial.undated,
        cases=_count(partial, (WHOLE, "", CASES, "", "")),
        orders=[_order(partial, WHOLE, "", order) for order in orders],
        spo_reasons=_reasons(partial),
        by_month=[_group(partial, MONTH, month, orders) for month in period.months()],
        by_relationship=[_group(partial, RELATIONSHIP, group, orders)
                         for group in relationships],
        detail=[_detail(outcome) for outcome in sorted(partial.details,
                                                       key=lambda o: o.case_id)]
        if detail else None)


def _count(partial: Partial, cell: tuple[str, str, str, str, str]) -> Count:
    ids = partial.ids(cell)
    return Count(count=len(ids), case_ids=ids)


def _items(partial: Partial, measure: str, order: str) -> list[ItemCount]:
    found = [ItemCount(item=item, **_count(partial, (WHOLE, "", measure, order, item))
                       .model_dump())
             for item in partial.items(measure, order)]
    return sorted(found, key=lambda entry: (-entry.count, entry.item))


def _order(partial: Partial, scope: str, group: str, order: str) -> OrderFigures:
    days = partial.delays.get((scope, group, order), [])
    counts = {measure: _count(partial, (scope, group, measure, order, ""))
              for measure in ORDER_MEASURES}
    return OrderFigures(order=order, delay_median_days=median(days),
                        delay_p90_days=percentile_90(days),
                        unknown_facts=_items(partial, UNKNOWN_FACT, order)
                        if scope == WHOLE else [], **counts)


def _group(partial: Partial, scope: str, group: str, orders: list[str]) -> GroupFigures:
    return GroupFigures(group=group, cases=_count(partial, (scope, group, CASES, "", "")),
                        orders=[_order(partial, scope, group, order) for order in orders])


def _reasons(partial: Partial) -> ReasonFigures:
    return ReasonFigures(
        legal_bars=_items(partial, REASON_MEASURE[True], "spo"),
        not_legal_bars=_items(partial, REASON_MEASURE[False], "spo"),
        not_judged=_items(partial, REASON_MEASURE[None], "spo"),
        no_reason_recorded=_count(partial, (WHOLE, "", MISSED_NO_REASON, "spo", "")))


def _detail(outcome: CaseOutcome) -> CaseDetail:
    return CaseDetail(
        case_id=outcome.case_id, entered_on=outcome.entered_on,
        relationship=outcome.relationship,
        orders=[TrackDetail(order=t.order, indicated_on=t.indicated_on,
                            indicated_as=t.indicated_as, applied_on=t.applied_on,
                            obtained_on=t.obtained_on, delay_days=t.delay_days,
                            final=t.final, unknown=list(t.unknown))
                for t in outcome.orders],
        reasons=[ReasonDetail(date=r.date, code=r.code, valid=r.valid)
                 for r in outcome.reasons])
