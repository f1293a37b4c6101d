"""The pure-Python evaluation of a whole rule set: every rule and every fact, each rule
compiled once into closures (traces, node by node, interpreted on demand).

This is the source of explanations. It is also the engine on Pythons where durable_rules
cannot be built; where it can, the two must agree (checked on every assessment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from spo_advisor.language.conditions import (
    FALSE,
    TRUE,
    Compiled,
    Node,
    Scope,
    Verdict,
    evaluate,
    kleene,
)
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.logic import Truth

NOT_IN_FORCE = FALSE


@dataclass(frozen=True)
class Evaluation:
    """The verdict of every rule and derived fact, and each rule's node-by-node trace."""

    rules: dict[str, Verdict]
    facts: dict[str, Verdict]
    ruleset: RuleSet
    scope: Scope
    """The facts evaluated, with every derived fact's verdict."""

    @cached_property
    def traces(self) -> dict[str, dict[Node, Verdict]]:
        """Each rule's verdict node by node (interpreted afresh, on first use: only tools
        such as coverage read them)."""
        traces: dict[str, dict[Node, Verdict]] = {}
        for rule in self.ruleset.rules:
            evaluate(rule.when, self.scope, traces.setdefault(rule.id, {}))
        return traces

    def truths(self) -> dict[str, Truth]:
        """Every rule's truth, by rule id (made once; do not change it)."""
        return self._truths

    @cached_property
    def _truths(self) -> dict[str, Truth]:
        return {rule_id: verdict.truth for rule_id, verdict in self.rules.items()}

    def derived_truths(self) -> dict[str, Truth]:
        """Every derived fact's truth, by fact (made once; do not change it)."""
        return self._derived_truths

    @cached_property
    def _derived_truths(self) -> dict[str, Truth]:
        return {fact: verdict.truth for fact, verdict in self.facts.items()}


def fact_verdict(rule_verdicts: list[Verdict]) -> Verdict:
    """A fact holds if any rule concluding it holds; it fails only if all of them fail."""
    return kleene(rule_verdicts, Truth.TRUE, TRUE, FALSE)


@dataclass(frozen=True)
class _Step:
    """One rule, as the evaluation takes it: when it is in force, and the fact (with all
    the rules concluding it) that is known once this rule is evaluated."""

    id: str
    when: Compiled
    start: date | None
    end: date | None
    completes: str | None
    concluding: tuple[str, ...]


@lru_cache(maxsize=16)
def _steps(ruleset: RuleSet) -> tuple[_Step, ...]:
    last = {fact: rules[-1].id for fact, rules in ruleset.rules_for_fact.items()}
    steps = []
    for rule in ruleset.rules:
        completes = rule.fact if rule.fact is not None and last[rule.fact] == rule.id else None
        concluding = tuple(r.id for r in ruleset.rules_for_fact[completes]) if completes else ()
        steps.append(_Step(rule.id, rule.when.compiled, rule.in_force.start, rule.in_force.end,
                           completes, concluding))
    return tuple(steps)


def evaluate_ruleset(ruleset: RuleSet, scope: Scope) -> Evaluation:
    """Evaluate every rule in dependency order. Rules not in force on the date are false."""
    rule_verdicts: dict[str, Verdict] = {}
    fact_verdicts: dict[str, Verdict] = {}
    scope = scope.with_derived(fact_verdicts)
    as_of, values = scope.as_of, scope.values
    for step in _steps(ruleset):
        if (step.start is not None and as_of < step.start) or (
                step.end is not None and as_of > step.end):
            verdict = NOT_IN_FORCE
        else:
            verdict = step.when(values, scope)
        rule_verdicts[step.id] = verdict
        if step.completes is None:
            continue
        if len(step.concluding) == 1:  # the fact of one rule is that rule's verdict
            fact_verdicts[step.completes] = verdict
        else:
            fact_verdicts[step.completes] = fact_verdict(
                [rule_verdicts[rule_id] for rule_id in step.concluding])
    return Evaluation(rule_verdicts, fact_verdicts, ruleset, scope)
