"""From rule verdicts to each order's limbs, and from the limbs to its decision.

docs/contract.md, "Decisions": an order's test is a list of limbs, each ``met``, ``not_met`` or
``unknown``; gate limbs are about availability, one limb is the trigger. The decision
follows from the limbs alone:

- ``not_available``: a gate is ``not_met``;
- ``not_recommended``: no gate ``not_met``, and the trigger or another limb ``not_met``;
- ``recommended``: every limb ``met``;
- ``consider``: otherwise.

Only rule truths are needed, so both engines share this; the explanations (rules and
unknown facts of each limb) are read from the evaluator's verdicts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spo_advisor.engine.evaluator import Evaluation
from spo_advisor.language.fields import case_paths
from spo_advisor.language.rule_specs import LimbSpec
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.logic import Decision, Truth, any_of, negate


class LimbStatus(enum.StrEnum):
    """Where one limb of an order's test stands on the record."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LimbResult:
    """One limb, its status, the rules that decided it and the facts that could change it."""

    spec: LimbSpec
    status: LimbStatus
    rules: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class OrderDecision:
    """The decision for one order, its limbs, and the rules behind it."""

    order: str
    decision: Decision
    deciding_rule: str | None
    limbs: tuple[LimbResult, ...]
    reasons: tuple[str, ...]
    unmet: tuple[str, ...]
    unknown: tuple[str, ...]


def fact_truths(ruleset: RuleSet, truths: Mapping[str, Truth]) -> dict[str, Truth]:
    """Each derived fact's truth from its rules' truths: it holds if any rule holds."""
    return {fact: any_of(truths[rule.id] for rule in rules)
            for fact, rules in ruleset.rules_for_fact.items()}


def limb_status(limb: LimbSpec, facts: Mapping[str, Truth]) -> LimbStatus:
    """The status of one limb (see :class:`~spo_advisor.language.rule_specs.LimbSpec`)."""
    truth = _truth(limb, facts)
    if truth is Truth.TRUE:
        return LimbStatus.MET
    shown = facts[limb.shown] if limb.shown is not None else truth
    if limb.trigger and shown is not Truth.TRUE:
        return LimbStatus.NOT_MET
    if limb.not_met is not None:
        return LimbStatus.NOT_MET if facts[limb.not_met] is Truth.TRUE else LimbStatus.UNKNOWN
    if truth is Truth.FALSE and not limb.judgement:
        return LimbStatus.NOT_MET
    return LimbStatus.UNKNOWN


def _truth(limb: LimbSpec, facts: Mapping[str, Truth]) -> Truth:
    if limb.fact is not None:
        return facts[limb.fact]
    return negate(facts[limb.unless]) if limb.unless is not None else Truth.UNKNOWN


def decision_from_limbs(limbs: Sequence[tuple[LimbSpec, LimbStatus]]) -> Decision:
    """The contract's decision table."""
    if any(spec.gate and status is LimbStatus.NOT_MET for spec, status in limbs):
        return Decision.NOT_AVAILABLE
    if any(status is LimbStatus.NOT_MET for _, status in limbs):
        return Decision.NOT_RECOMMENDED
    if all(status is LimbStatus.MET for _, status in limbs):
        return Decision.RECOMMENDED
    return Decision.CONSIDER


def decide_all(ruleset: RuleSet, truths: Mapping[str, Truth]) -> dict[str, Decision]:
    """Only the decisions, from every rule's truth: what the engine cross-check compares."""
    return _decisions(ruleset, fact_truths(ruleset, truths))


def decide_evaluated(ruleset: RuleSet, evaluation: Evaluation) -> dict[str, Decision]:
    """Only the decisions, from the facts the evaluator derived (as :func:`decide_all`
    finds them from its rules' truths): what the replay and what-if compare."""
    return _decisions(ruleset, evaluation.derived_truths())


def _decisions(ruleset: RuleSet, facts: Mapping[str, Truth]) -> dict[str, Decision]:
    """Each order's decision, kept by the truths of the facts the limbs read (a replay
    meets the same ones on date after date)."""
    read, made = _limb_facts(ruleset)
    key = tuple(map(facts.__getitem__, read))
    decisions = made.get(key)
    if decisions is None:
        if len(made) >= MOST_KEPT:
            made.clear()
        decisions = made[key] = {
            order: decision_from_limbs([(limb, limb_status(limb, facts))
                                        for limb in spec.limbs])
            for order, spec in ruleset.orders.items()}
    return dict(decisions)


@lru_cache(maxsize=16)
def _limb_facts(ruleset: RuleSet) -> tuple[tuple[str, ...],
                                           dict[tuple[Truth, ...], dict[str, Decision]]]:
    """Every fact an order's limbs read, and the decisions made so far by their truths."""
    read = _unique(name for spec in ruleset.orders.values() for limb in spec.limbs
                   for _, name in limb.facts())
    return read, {}


_WANTED = {LimbStatus.MET: Truth.TRUE, LimbStatus.NOT_MET: Truth.FALSE,
           LimbStatus.UNKNOWN: Truth.UNKNOWN}
"""The truth of the rules that explain a limb of each status."""
_WANTED_UNLESS = {status: negate(truth) for status, truth in _WANTED.items()}
"""The same for a limb met by a fact failing (``unless``)."""


@dataclass(frozen=True)
class _LimbPlan:
    """One limb as its explanation reads it, worked out once per rule set: the facts it
    reads and the rules concluding them; the same for its ``not_met`` fact alone."""

    spec: LimbSpec
    facts: tuple[str, ...]
    rules: tuple[str, ...]
    not_met_rules: tuple[str, ...]
    wanted: Mapping[LimbStatus, Truth]
    """The truth of the rules that explain each status (negated for an ``unless`` limb)."""


@dataclass(frozen=True)
class _OrderPlan:
    """An order's limbs planned, and their positions with the trigger first (the order
    in which reasons and unmet rules are listed); the rules whose verdicts the order's
    explanation reads, and the explanations already made, by those verdicts."""

    limbs: tuple[_LimbPlan, ...]
    trigger_first: tuple[int, ...]
    read_rules: tuple[str, ...]
    made: dict[tuple[object, ...], OrderDecision] = field(default_factory=dict, compare=False)


MOST_KEPT = 1024
"""Outcomes kept (explanations per order; decisions; recommendations): enough for those
a caseload meets again and again (a batch's cases differ, their orders' outcomes mostly
do not), few enough to keep memory flat (``make bench`` measures it). When full, each
store is emptied and fills again with what recurs."""


@lru_cache(maxsize=16)
def _plans(ruleset: RuleSet) -> dict[str, _OrderPlan]:
    """Each order's limbs, planned."""
    def concluding(facts: Iterable[str]) -> tuple[str, ...]:
        return _unique(rule.id for fact in facts for rule in ruleset.rules_for_fact[fact])

    def limb_plan(limb: LimbSpec) -> _LimbPlan:
        facts = tuple(name for _, name in limb.facts())
        return _LimbPlan(limb, facts, concluding(facts),
                         concluding([limb.not_met] if limb.not_met else []),
                         _WANTED_UNLESS if limb.unless is not None else _WANTED)

    plans = {}
    for order, spec in ruleset.orders.items():
        first = sorted(range(len(spec.limbs)), key=lambda index: not spec.limbs[index].trigger)
        read = concluding(name for limb in spec.limbs for _, name in limb.facts())
        plans[order] = _OrderPlan(tuple(map(limb_plan, spec.limbs)), tuple(first), read)
    return plans


def explain_order(ruleset: RuleSet, order: str, evaluation: Evaluation) -> OrderDecision:
    """The decision for ``order`` with its limbs, reasons, unmet limbs and unknown facts.

    The explanation reads nothing but the verdicts of the rules concluding the facts its
    limbs name (each fact's verdict follows from those, and the unknown fields with it),
    so an explanation made once is the explanation for any evaluation with the same
    verdicts of those rules: it is kept, by them, and reused (it is immutable)."""
    plan = _plans(ruleset)[order]
    verdicts = evaluation.rules
    unknown = Truth.UNKNOWN
    key = tuple([verdict.unknown_fields if verdict.truth is unknown
                 else verdict.truth is Truth.TRUE
                 for verdict in map(verdicts.__getitem__, plan.read_rules)])
    made = plan.made.get(key)
    if made is None:
        made = _explained(plan, order, evaluation)
        if len(plan.made) >= MOST_KEPT:
            plan.made.clear()
        plan.made[key] = made
    return made


def _explained(plan: _OrderPlan, order: str, evaluation: Evaluation) -> OrderDecision:
    facts = evaluation.derived_truths()
    limbs = tuple([_limb_result(limb, limb_status(limb.spec, facts), evaluation)
                   for limb in plan.limbs])
    decision = decision_from_limbs([(limb.spec, limb.status) for limb in limbs])
    deciding = _deciding(limbs, decision)
    ordered = [limbs[index] for index in plan.trigger_first]
    reasons = _unique([rule for limb in ordered if limb.status is LimbStatus.MET
                       for rule in limb.rules])
    unmet = _unique([rule for limb in ordered if limb.status is LimbStatus.NOT_MET
                     for rule in limb.rules])
    unknown = tuple(sorted({path for limb in limbs if limb.status is not LimbStatus.MET
                            for path in limb.unknown}))
    return OrderDecision(order, decision, deciding, limbs, reasons, unmet, unknown)


def _limb_result(plan: _LimbPlan, status: LimbStatus, evaluation: Evaluation) -> LimbResult:
    """The rules behind a limb's status (those with the matching truth), and the fact
    paths whose value could change it."""
    limb = plan.spec
    wanted, facts, candidates = plan.wanted[status], plan.facts, plan.rules
    if status is LimbStatus.NOT_MET and limb.not_met is not None \
            and evaluation.facts[limb.not_met].truth is Truth.TRUE:
        wanted, facts, candidates = Truth.TRUE, (limb.not_met,), plan.not_met_rules
    verdicts = evaluation.rules
    rules = tuple([rule for rule in candidates if verdicts[rule].truth is wanted])
    if status is LimbStatus.MET:
        return LimbResult(limb, status, rules, ())
    fact_verdicts = evaluation.facts
    unknown = frozenset().union(*[fact_verdicts[fact].unknown_fields for fact in facts])
    return LimbResult(limb, status, rules, _case_paths(unknown))


@lru_cache(maxsize=4096)
def _case_paths(fields: frozenset[str]) -> tuple[str, ...]:
    """:func:`~spo_advisor.language.fields.case_paths`, kept for the sets of fields met again."""
    return tuple(case_paths(fields))


def _deciding(limbs: Sequence[LimbResult], decision: Decision) -> str | None:
    """The first rule of the limb that decided: the first failing gate, else the first
    failing limb, else (recommended) the trigger, else the first unknown limb."""
    def first(chosen: Sequence[LimbResult]) -> str | None:
        return next((rule for limb in chosen for rule in limb.rules), None)

    if decision is Decision.NOT_AVAILABLE:
        return first([limb for limb in limbs if limb.spec.gate and limb.status is LimbStatus.NOT_MET])
    if decision is Decision.NOT_RECOMMENDED:
        return first([limb for limb in limbs if limb.status is LimbStatus.NOT_MET])
    if decision is Decision.RECOMMENDED:
        return first([limb for limb in limbs if limb.spec.trigger])
    return first([limb for limb in limbs if limb.status is LimbStatus.UNKNOWN])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
