"""Fields computed from the case in Python, so both engines read the same value.

Each is a rule-visible field under ``derived.``: what the condition language cannot say
by itself (a comparison of two windows, a date that stands in for a missing one, the kind
of force holding the case, a date a number of days after another).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from spo_advisor.engine.timeline import Timeline
from spo_advisor.language.fields import DERIVED_PREFIX
from spo_advisor.model.case import Case, ExistingOrder, OrderType
from spo_advisor.model.logic import Truth, all_of, any_of
from spo_advisor.model.places import (
    SPECIAL_FORCES,
    TERRITORIAL_FORCES,
    effective_home_force,
    effective_jurisdiction,
)

EXPIRY_NEAR_DAYS = 90
"""An SPO expiring within this many days is a reason to seek renewal (docs/contract.md,
"Decisions", spo_variation: a judgement aid of this library, not law)."""

NATIONAL_APPLICANTS = frozenset({"british_transport_police", "ministry_of_defence_police"})
"""Forces whose chief constables may apply for an SPO without an area restriction
(Stalking Protection Act 2019 s.1(3))."""

OVERRIDDEN_BY_RECORD = frozenset({
    f"{DERIVED_PREFIX}escalating", f"{DERIVED_PREFIX}unwanted",
    f"{DERIVED_PREFIX}four_rebutted", f"{DERIVED_PREFIX}psychological_harm_recorded"})
"""Derived fields where, by the contract, a recorded answer wins over what the rest of the
record shows (``indicators.escalating`` over the incident windows, ``four.unwanted: false``
over the victim's fear), or the absence of an answer counts (FOUR not recorded as neither
fixated nor obsessive is not a rebuttal; no psychological harm recorded). Learning a fact
may change them either way."""

HARM_FEARS = frozenset({"violence", "sexual_violence", "death", "harm_to_others",
                        "psychological_harm"})
"""Fears that record psychological harm for the SPO risk limb (SPA 2019 s.1(4)(a);
docs/contract.md, "Decisions": a fear of violence; also of death, of harm to others, whom
the risk may concern (s.1(1)(b)), and of psychological harm itself)."""


def force_kind(force: str | None) -> str | None:
    """The kind of the force holding the case, or None when it is not recorded."""
    if force is None:
        return None
    if force in TERRITORIAL_FORCES:
        return "territorial"
    if force in NATIONAL_APPLICANTS:
        return "national_applicant"
    return "not_an_applicant" if force in SPECIAL_FORCES else "outside"


def _any_spo_protecting(case: Case, as_of: date,
                        test: Callable[[ExistingOrder], Truth]) -> bool | None:
    """Does an SPO or interim SPO known by ``as_of`` protect the victim and pass ``test``?
    Three-valued: an order that may protect the victim, or that ``test`` cannot settle,
    leaves the answer unknown unless another order settles it."""
    verdicts = [all_of((Truth.of(order.protects_victim), test(order)))
                for order in case.existing_orders
                if order.type in (OrderType.SPO, OrderType.INTERIM_SPO)
                and (order.made_on is None or order.made_on <= as_of)]
    return any_of(verdicts).as_bool()


def _spo_expiry_near(case: Case, as_of: date) -> bool | None:
    """Does an SPO or interim SPO protecting the victim, known by ``as_of``, expire within
    the window? Its expiry not recorded (and not made until further order) is unknown."""
    horizon = as_of + timedelta(days=EXPIRY_NEAR_DAYS)

    def near(order: ExistingOrder) -> Truth:
        if order.until_further_order:
            return Truth.FALSE
        if order.expires_on is None:
            return Truth.UNKNOWN
        return Truth.of(as_of <= order.expires_on <= horizon)

    return _any_spo_protecting(case, as_of, near)


def _moved_since_order(case: Case, as_of: date) -> bool | None:
    """Has the suspect moved, by ``as_of``, since an SPO or interim SPO protecting the
    victim was made (SPA 2019 s.4)? No move recorded, or an order whose date is not
    recorded, is unknown; so is a move on the day the order was made (either came first)."""
    moved_on = case.suspect.moved_on

    def moved(order: ExistingOrder) -> Truth:
        if moved_on is not None and moved_on > as_of:
            return Truth.FALSE
        if moved_on is None or order.made_on is None or moved_on == order.made_on:
            return Truth.UNKNOWN
        return Truth.of(moved_on > order.made_on)

    return _any_spo_protecting(case, as_of, moved)


def unwanted(risk: Mapping[str, Any]) -> bool | None:
    """Unwanted: ``four.unwanted`` when recorded (false wins); else shown by a very
    frightened or fearful victim or a substantial adverse effect; else unknown."""
    if risk["four.unwanted"] is not None:
        return bool(risk["four.unwanted"])
    signs = (risk["victim.very_frightened"], bool(risk["victim.fears"]),
             risk["victim.substantial_adverse_effect"])
    return True if any(sign is True for sign in signs) else None


def psychological_harm_recorded(risk: Mapping[str, Any]) -> bool:
    """Psychological harm is recorded: a substantial adverse effect on the victim, or a
    fear of violence or harm (docs/contract.md, "Decisions"). Not recorded (false or
    unknown) reads as false: the contract refutes the SPO risk limb only where no such
    harm is recorded."""
    fears = risk["victim.fears"] or ()
    return risk["victim.substantial_adverse_effect"] is True or not HARM_FEARS.isdisjoint(fears)


def rederive(values: Mapping[str, Any]) -> dict[str, Any]:
    """The derived fields that follow from other rule-visible values alone (and
    ``derived.act_dates``), recomputed: for a scope whose values were changed (what would
    change), and for :func:`derived_values`."""
    dates = values[f"{DERIVED_PREFIX}act_dates"]
    repeated = values["four.repeated"]
    escalating = values["indicators.escalating"]
    derived = {
        f"{DERIVED_PREFIX}unwanted": unwanted(values),
        f"{DERIVED_PREFIX}psychological_harm_recorded": psychological_harm_recorded(values),
        f"{DERIVED_PREFIX}repeated": repeated if repeated is not None
        else (True if dates >= 2 else None),
        f"{DERIVED_PREFIX}four_rebutted": values["four.fixated"] is False
        and values["four.obsessive"] is False,
        f"{DERIVED_PREFIX}force_kind": force_kind(values["police_force"]),
        f"{DERIVED_PREFIX}jurisdiction": effective_jurisdiction(
            values["jurisdiction"], values["police_force"]),
        f"{DERIVED_PREFIX}home_force": effective_home_force(
            values["suspect.home_force"], values["police_force"],
            values["suspect.lives_in_force_area"], values["london_borough"]),
    }
    if escalating is not None:
        derived[f"{DERIVED_PREFIX}escalating"] = escalating
    return derived


def derived_values(case: Case, as_of: date, values: Mapping[str, Any],
                   timeline: Timeline | None = None) -> dict[str, Any]:
    """The value of every derived field for ``case`` on ``as_of``; ``values`` holds the
    rule-visible fields as known on that date (risk facts merged); ``timeline`` (of the
    case's incidents) saves sorting them again, for a replay on many dates. Every
    behaviour code counts as an act (docs/contract.md, "the acts pattern")."""
    timeline = timeline or Timeline(case.incidents)
    stage_on = case.criminal_justice.stage_on
    derived = {
        f"{DERIVED_PREFIX}act_dates": timeline.act_dates(as_of),
        f"{DERIVED_PREFIX}occasions": timeline.occasions(as_of),
        f"{DERIVED_PREFIX}escalating": timeline.escalating(as_of),
        f"{DERIVED_PREFIX}stage_on": stage_on if stage_on is not None and stage_on <= as_of
        else as_of,
        f"{DERIVED_PREFIX}spo_expiry_near": _spo_expiry_near(case, as_of),
        f"{DERIVED_PREFIX}moved_since_order": _moved_since_order(case, as_of),
    }
    derived.update(rederive({**values, **derived}))
    return derived
