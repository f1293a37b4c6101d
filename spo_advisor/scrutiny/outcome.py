"""One case of a caseload, replayed as the review replays it, reduced to what the
scrutiny counts.

Which cases are in the period: a case's **entry date** is the earliest date it records
(an incident, a recorded action or a risk assessment); the case is in the period when that
date falls from ``date_from`` to ``date_to``, both included. A case with no dated record
cannot be placed in any period and is counted apart.

Where a replay stops: every case is replayed up to the same **stop date**, ``date_to``
unless a later ``as_of`` is given (to let actions taken after the period count). Records
dated after it are left out, and the case's own ``assessed_on`` is not used, so every case
is judged on what the force could have known by the same day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.errors import SpoAdvisorError
from spo_advisor.model.logic import Decision
from spo_advisor.review.findings import ACTIONS, DECLINED, NO_ACTION
from spo_advisor.review.replay import review
from spo_advisor.review.result import Review

TRACKED: tuple[str, ...] = ("spo", "interim_spo", "dvpn_dvpo", "dapn_dapo")
"""The orders the scrutiny follows, in the order it reports them."""

INDICATED = frozenset({Decision.RECOMMENDED, Decision.CONSIDER})
"""The decisions that indicate an order: the police should apply, or look at it."""

APPLICATION: dict[str, str] = {order: action for action, (order, _) in ACTIONS.items()
                               if order in TRACKED and action not in (DECLINED, NO_ACTION)}
"""Each followed order and the recorded action that applies for (or issues) it."""

MADE_ORDER = {"spo": "spo", "interim_spo": "interim_spo", "dvpn_dvpo": "dvpo",
              "dapn_dapo": "dapo"}
"""Each followed order and the ``existing_orders`` type that shows it was obtained."""

NOT_APPLYING = frozenset({DECLINED, NO_ACTION})
"""Recorded actions that are a decision not to apply for an SPO; their reasons are the
reasons recorded for not applying."""

NOT_RECORDED = "not_recorded"
"""The relationship group of a case that does not record one."""


class PeriodError(SpoAdvisorError, ValueError):
    """A period that cannot be scrutinised (it ends before it begins, or stops early)."""


@dataclass(frozen=True)
class Period:
    """The period scrutinised, and the stop date of every replay."""

    date_from: date
    date_to: date
    stop: date

    @classmethod
    def of(cls, date_from: date, date_to: date, as_of: date | None = None) -> Period:
        """The period from ``date_from`` to ``date_to``, replays stopping at ``as_of``
        (default ``date_to``). Raises :class:`PeriodError` when the dates are out of order."""
        if date_to < date_from:
            raise PeriodError("the period ends before it begins (--to is before --from)")
        stop = date_to if as_of is None else as_of
        if stop < date_to:
            raise PeriodError("replays must run at least to the end of the period "
                              "(--as-of is before --to)")
        return cls(date_from, date_to, stop)

    def months(self) -> list[str]:
        """Every month the period touches, ``YYYY-MM``, in order."""
        year, month = self.date_from.year, self.date_from.month
        found = []
        while (year, month) <= (self.date_to.year, self.date_to.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


@dataclass(frozen=True)
class OrderTrack:
    """One followed order in one case.

    ``indicated_on`` is the first replay date its decision was recommended or consider
    (``indicated_as`` says which); ``applied_on`` the first recorded application;
    ``obtained_on`` the first order of its kind made from the entry date to the stop
    date; ``final`` the decision on the stop date and, when that is consider, ``unknown``
    the facts not known that it turned on (none when it turned on judgement alone).
    """

    order: str
    indicated_on: date | None
    indicated_as: Decision | None
    applied_on: date | None
    obtained_on: date | None
    final: Decision
    unknown: tuple[str, ...] = ()

    @property
    def acted_on(self) -> date | None:
        """The earlier of the first application and the order being made."""
        return min((d for d in (self.applied_on, self.obtained_on) if d is not None),
                   default=None)

    @property
    def delay_days(self) -> int | None:
        """Days from first indication to application (or the order), when both happened
        and the application did not come first."""
        acted = self.acted_on
        if self.indicated_on is None or acted is None or acted < self.indicated_on:
            return None
        return (acted - self.indicated_on).days

    @property
    def missed(self) -> bool:
        """Indicated, and neither applied for nor obtained by the stop date."""
        return self.indicated_on is not None and self.acted_on is None


@dataclass(frozen=True)
class JudgedReason:
    """A reason recorded for not applying for an SPO, as the review judged it."""

    date: date
    code: str
    valid: bool | None


@dataclass(frozen=True)
class CaseOutcome:
    """What the scrutiny counts of one case in the period.

    ``reasons`` are the reasons recorded for not applying for an SPO on or after the SPO
    was first indicated (empty when it never was).
    """

    case_id: str
    entered_on: date
    relationship: str
    orders: tuple[OrderTrack, ...]
    reasons: tuple[JudgedReason, ...]

    @property
    def month(self) -> str:
        return f"{self.entered_on.year:04d}-{self.entered_on.month:02d}"

    def order(self, order: str) -> OrderTrack:
        return next(track for track in self.orders if track.order == order)


def entry_date(case: Case) -> date | None:
    """The earliest date the case records; None when it records none."""
    dates = [*(i.date for i in case.incidents), *(a.date for a in case.actions),
             *(r.date for r in case.risk_assessments)]
    return min(dates, default=None)


def outcome_of(case: Case, entered: date, period: Period, rules: RuleSet) -> CaseOutcome:
    """Replay ``case``, entered on ``entered`` (:func:`entry_date`), up to the stop date
    of ``period`` and reduce it to a :class:`CaseOutcome`. Raises
    :class:`~spo_advisor.model.errors.CaseError` for a case the review refuses."""
    replay = review(case, period.stop, rules=rules)
    tracks = tuple(_track(case, replay, order, entered) for order in TRACKED
                   if order in rules.orders)
    spo = next((track for track in tracks if track.order == "spo"), None)
    reasons = () if spo is None or spo.indicated_on is None else tuple(
        JudgedReason(action.date, reason.code, reason.valid)
        for action in replay.actions
        if action.action in NOT_APPLYING and action.date >= spo.indicated_on
        for reason in action.reasons)
    relationship = NOT_RECORDED if case.relationship is None else case.relationship.value
    return CaseOutcome(case.case_id, entered, relationship, tracks, reasons)


def _decisions(replay: Review) -> Iterator[tuple[date, Decision, str]]:
    """Each replay date's decisions, then the stop date's (when it has no row of its own)."""
    for row in replay.timeline:
        for order, decision in row.decisions.items():
            yield row.date, decision, order
    if not replay.timeline or replay.timeline[-1].date < replay.as_of:
        for recommendation in replay.assessment.recommendations:
            yield replay.as_of, recommendation.decision, recommendation.order


def _track(case: Case, replay: Review, order: str, entered: date) -> OrderTrack:
    first = next(((when, decision) for when, decision, name in _decisions(replay)
                  if name == order and decision in INDICATED), (None, None))
    applied = next((a.date for a in replay.actions if a.action == APPLICATION[order]), None)
    made = [o.made_on for o in case.existing_orders
            if o.type.value == MADE_ORDER[order] and o.made_on is not None
            and entered <= o.made_on <= replay.as_of]
    final = replay.assessment.recommendation(order)
    unknown = tuple(final.unknown) if final.decision is Decision.CONSIDER else ()
    return OrderTrack(order, first[0], first[1], applied, min(made, default=None),
                      final.decision, unknown)
