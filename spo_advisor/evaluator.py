"""The pure-Python evaluation of a whole rule set: every rule, every fact, every node.

This is the source of explanations. It is also the engine on Pythons where durable_rules
cannot be built; where it can, the two must agree (checked on every assessment).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

from spo_advisor.conditions import FALSE, TRUE, Node, Scope, Verdict, evaluate, kleene
from spo_advisor.logic import Truth
from spo_advisor.rules import RuleSet

NOT_IN_FORCE = FALSE


@dataclass(frozen=True)
class Evaluation:
    """The verdict of every rule and derived fact, and each rule's node-by-node trace."""

    rules: dict[str, Verdict]
    facts: dict[str, Verdict]
    traces: dict[str, dict[Node, Verdict]]
    scope: Scope

    def truths(self) -> dict[str, Truth]:
        """Every rule's truth, by rule id (made once; do not change it)."""
        return self._truths

    @cached_property
    def _truths(self) -> dict[str, Truth]:
        return {rule_id: verdict.truth for rule_id, verdict in self.rules.items()}


def fact_verdict(rule_verdicts: list[Verdict]) -> Verdict:
    """A fact holds if any rule concluding it holds; it fails only if all of them fail."""
    return kleene(rule_verdicts, Truth.TRUE, TRUE, FALSE)


def evaluate_ruleset(ruleset: RuleSet, scope: Scope) -> Evaluation:
    """Evaluate every rule in dependency order. Rules not in force on the date are false."""
    rule_verdicts: dict[str, Verdict] = {}
    fact_verdicts: dict[str, Verdict] = {}
    traces: dict[str, dict[Node, Verdict]] = {}
    scope = dataclasses.replace(scope, derived=fact_verdicts)
    pending = {fact: len(rules) for fact, rules in ruleset.rules_for_fact.items()}
    as_of = scope.as_of
    for rule in ruleset.rules:
        trace: dict[Node, Verdict] = {}
        verdict = evaluate(rule.when, scope, trace)
        if not rule.in_force_on(as_of):
            verdict = NOT_IN_FORCE
        rule_verdicts[rule.id] = verdict
        traces[rule.id] = trace
        if rule.fact is not None:
            pending[rule.fact] -= 1
            if pending[rule.fact] == 0:
                fact_verdicts[rule.fact] = fact_verdict(
                    [rule_verdicts[r.id] for r in ruleset.rules_for_fact[rule.fact]])
    return Evaluation(rule_verdicts, fact_verdicts, traces, scope)
