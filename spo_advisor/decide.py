"""From rule verdicts to a decision for each order, with the rules that explain it.

For each order the rule set lists its decision rules in precedence. The first rule that is
true decides. A rule before it that is unknown, and would decide differently, makes the
decision ``consider`` and names its unknown facts: unknown is never read as "no".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from spo_advisor.conditions import FactRef, Node, Verdict
from spo_advisor.evaluator import Evaluation
from spo_advisor.logic import Decision, Truth
from spo_advisor.rules import RuleSet


@dataclass(frozen=True)
class OrderDecision:
    """The decision for one order and the ids of the rules behind it."""

    order: str
    decision: Decision
    deciding_rule: str | None
    reasons: tuple[str, ...]
    unmet: tuple[str, ...]
    unknown: tuple[str, ...]


def decision_for(ruleset: RuleSet, order: str, truths: Mapping[str, Truth]) -> tuple[Decision, str | None, tuple[str, ...]]:
    """The decision, the rule that made it (None for the default) and the unknown rules that
    turned it into ``consider``. Needs only truth values, so both engines share it."""
    spec = ruleset.orders[order]
    unknown_rules: list[str] = []
    decision, deciding = spec.default, None
    for rule_id in spec.precedence:
        truth = truths[rule_id]
        if truth is Truth.TRUE:
            decision, deciding = ruleset.by_id[rule_id].decision or spec.default, rule_id
            break
        if truth is Truth.UNKNOWN:
            unknown_rules.append(rule_id)
    blocking = tuple(r for r in unknown_rules if ruleset.by_id[r].decision != decision)
    if blocking:
        return Decision.CONSIDER, deciding, blocking
    return decision, deciding, ()


def decide_all(ruleset: RuleSet, truths: Mapping[str, Truth]) -> dict[str, Decision]:
    """Only the decisions: what the engine cross-check compares."""
    return {order: decision_for(ruleset, order, truths)[0] for order in ruleset.orders}


def explain_order(ruleset: RuleSet, order: str, evaluation: Evaluation) -> OrderDecision:
    """The decision for ``order`` with its reasons, unmet conditions and unknown facts."""
    truths = evaluation.truths()
    decision, deciding, blocking = decision_for(ruleset, order, truths)
    focus = [deciding] if deciding and not blocking else list(blocking)
    reasons = _unique(rule_id for rule_id in focus for rule_id in
                      _supporting(ruleset, evaluation, rule_id, Truth.TRUE))
    if deciding and not blocking:
        reasons = _unique([deciding, *reasons])
    better = [r for r in ruleset.orders[order].precedence
              if (ruleset.by_id[r].decision or decision).rank < decision.rank
              and truths[r] is Truth.FALSE]
    if better:  # only the best decision the order could have had explains what is missing
        best = min((ruleset.by_id[r].decision or decision).rank for r in better)
        better = [r for r in better if (ruleset.by_id[r].decision or decision).rank == best]
    unmet = _unique(rule_id for better_rule in better
                    for rule_id in _supporting(ruleset, evaluation, better_rule, Truth.FALSE)
                    or (better_rule,))
    unknown = sorted(frozenset().union(*(evaluation.rules[r].unknown_fields for r in blocking)))
    return OrderDecision(order, decision, deciding, reasons, unmet, tuple(unknown))


def _supporting(ruleset: RuleSet, evaluation: Evaluation, rule_id: str,
                truth: Truth) -> tuple[str, ...]:
    """The fact rules, reached through facts with ``truth`` in this rule's trace, that
    themselves have that truth (recursively, nearest first)."""
    found: list[str] = []
    for fact in _facts_with(evaluation.traces[rule_id], truth):
        for rule in ruleset.rules_for_fact[fact]:
            if evaluation.rules[rule.id].truth is truth:
                found.append(rule.id)
                if truth is Truth.TRUE:
                    found.extend(_supporting(ruleset, evaluation, rule.id, truth))
    return _unique(found)


def _facts_with(trace: Mapping[Node, Verdict], truth: Truth) -> Iterator[str]:
    for node, verdict in trace.items():
        if isinstance(node, FactRef) and verdict.truth is truth:
            yield node.name


def _unique(items: Iterator[str] | list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))

