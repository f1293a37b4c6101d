"""The findings of a review, in plain language, for a complaint reviewer.

Timing of each recorded action against the first date its order was recommended, orders
indicated but never acted on, recorded reasons that are not legal bars (and those whose
judgement changed after they were recorded), undated facts a decision turned on, and
records left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from spo_advisor.language.labels import Labels
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.logic import Decision
from spo_advisor.review.assumptions import STAGE

if TYPE_CHECKING:
    from spo_advisor.review.result import ActionReview

ORDER_NOUN = {
    "spo": "an SPO",
    "interim_spo": "an interim SPO",
    "spo_variation": "a variation or renewal of the SPO",
    "dvpn_dvpo": "a DVPN/DVPO",
    "dapn_dapo": "a DAPN/DAPO",
    "non_molestation_order": "a non-molestation order",
    "restraining_order": "a restraining order",
    "sexual_risk_order": "a Sexual Risk Order",
}
"""How findings name each order of the contract."""

ACTIONS: dict[str, tuple[str | None, str]] = {
    "spo_applied": ("spo", "SPO application"),
    "interim_spo_applied": ("interim_spo", "interim SPO application"),
    "dvpn_issued": ("dvpn_dvpo", "DVPN"),
    "dapn_issued": ("dapn_dapo", "DAPN"),
    "nmo_signposted": ("non_molestation_order", "signposting to a non-molestation order"),
    "restraining_order_requested": ("restraining_order", "request for a restraining order"),
    "spo_considered_not_applied": ("spo", "decision not to apply"),
    "no_action": (None, "record of no action"),
}
"""Each recorded action: the order it concerns and how findings name it."""

DECLINED = "spo_considered_not_applied"
NO_ACTION = "no_action"

VERDICT_WORDS = {True: "a sound reason", False: "not a legal bar", None: "open on the record"}
"""How a reason's judgement reads in a finding."""


@dataclass(frozen=True)
class Assumption:
    """An undated fact a decision turned on, the first date it did, and its value."""

    path: str
    first: date
    value: Any


@dataclass(frozen=True)
class ReasonChange:
    """A recorded reason whose judgement on a later replay date differs from its own."""

    recorded: date
    code: str
    then: bool | None
    changed_on: date
    later: bool | None


@dataclass(frozen=True)
class ReviewFacts:
    """What the findings are drawn from."""

    first: Mapping[str, date | None]
    actions: list[ActionReview]
    as_of: date
    left_out: int
    assumptions: list[Assumption]
    reason_changes: list[ReasonChange]


def _noun(ruleset: RuleSet, order: str) -> str:
    return ORDER_NOUN.get(order) or f"the {ruleset.orders[order].title}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def findings(ruleset: RuleSet, labels: Labels, facts: ReviewFacts) -> list[str]:
    """Plain-language findings (module docstring), in a fixed order."""
    found = [text for action in facts.actions
             for text in _action_findings(ruleset, facts.first, action)]
    found += _never_acted_on(ruleset, facts)
    found += [_reason_change(labels, change) for change in facts.reason_changes]
    found += _reason_counts(facts.actions)
    found += [_assumption(labels, assumption) for assumption in facts.assumptions]
    if facts.left_out:
        found.append(f"{_plural(facts.left_out, 'record')} dated after {facts.as_of} "
                     + ("was" if facts.left_out == 1 else "were") + " left out.")
    return found


def _never_acted_on(ruleset: RuleSet, facts: ReviewFacts) -> list[str]:
    taken = {ACTIONS[action.action][0] for action in facts.actions
             if action.action not in (DECLINED, NO_ACTION)}
    found = []
    for action_type, (order, label) in ACTIONS.items():
        if action_type in (DECLINED, NO_ACTION) or order not in ruleset.orders:
            continue
        start = facts.first.get(order)
        if start is not None and order not in taken:
            found.append(f"No {label} is recorded although {_noun(ruleset, order)} was first "
                         f"indicated on {start}.")
    return found


def _reason_counts(actions: list[ActionReview]) -> list[str]:
    reasons = [reason for action in actions for reason in action.reasons]
    not_bars = sum(reason.valid is False for reason in reasons)
    open_ = sum(reason.valid is None for reason in reasons)
    total = _plural(len(reasons), "recorded reason")
    found = []
    if not_bars:
        found.append(f"{not_bars} of {total} "
                     + ("is not a legal bar." if not_bars == 1 else "are not legal bars."))
    if open_:
        found.append(f"{open_} of {total} cannot be judged on what is recorded.")
    return found


def _reason_change(labels: Labels, change: ReasonChange) -> str:
    return (f"The reason recorded on {change.recorded}, \"{labels.reason_code(change.code)}\", "
            f"was {VERDICT_WORDS[change.then]} on that date but "
            f"{VERDICT_WORDS[change.later]} from {change.changed_on}.")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item).replace("_", " ") for item in value) or "none"
    return str(value).replace("_", " ")


def _assumption(labels: Labels, assumption: Assumption) -> str:
    """``Assumed known from 2021-01-12: …; no dated … records it.``"""
    start = f"Assumed known from {assumption.first}: "
    if assumption.path == STAGE:
        return (start + f"the criminal case had reached the stage "
                f"\"{_value(assumption.value)}\"; the stage has no date (stage_on).")
    if assumption.path.startswith("existing_orders["):
        return (start + f"the existing order {assumption.path} "
                f"({labels.order(str(assumption.value))}); it has no date made (made_on).")
    return (start + f"\"{labels.question(assumption.path)}\" {_value(assumption.value)}; "
            "no dated risk assessment records it.")


def _action_findings(ruleset: RuleSet, first: Mapping[str, date | None],
                     action: ActionReview) -> list[str]:
    order, label = ACTIONS[action.action]
    when = action.date
    if order is None:
        recommended = [_noun(ruleset, o) for o, d in action.decisions_then.items()
                       if d is Decision.RECOMMENDED]
        if not recommended:
            return []
        return [(f"On {when} no action was recorded although the rules recommended "
                f"{_join(recommended)}.")]
    if order not in ruleset.orders:
        return []
    noun = _noun(ruleset, order)
    start = first[order]
    if start is not None and start <= when:
        gap = (when - start).days
        if gap == 0:
            return [(f"{_capital(noun)} was first indicated on {when}, the day of the recorded "
                    f"{label}.")]
        return [(f"{_capital(noun)} was first indicated on {start}, {_plural(gap, 'day')} before "
                f"the recorded {label} on {when}.")]
    decided = action.decisions_then[order]
    if action.action == DECLINED and decided is Decision.CONSIDER:
        return [(f"On {when} the rules left {noun} to judgement (consider) when the recorded "
                f"decision was not to apply: the record should show the grounds.")]
    if action.action != DECLINED and decided is Decision.NOT_AVAILABLE:
        return [(f"The recorded {label} on {when} came when the rules show {noun} not available "
                f"on that date.")]
    return []


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
