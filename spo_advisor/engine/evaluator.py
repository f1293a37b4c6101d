"""The pure-Python evaluation of a whole rule set: every rule and every fact, by one
function generated once per rule set (traces, node by node, interpreted on demand).

This is the source of explanations. It is also the engine on Pythons where durable_rules
cannot be built; where it can, the two must agree (checked on every assessment).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spo_advisor.engine.generated import evaluation_of
from spo_advisor.language.conditions import Node, Scope, Verdict, evaluate
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.logic import Truth


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


def evaluate_ruleset(ruleset: RuleSet, scope: Scope) -> Evaluation:
    """Evaluate every rule in dependency order (:mod:`spo_advisor.engine.generated`).
    Rules not in force on the date are false."""
    rule_verdicts: dict[str, Verdict] = {}
    fact_verdicts: dict[str, Verdict] = {}
    scope = scope.with_derived(fact_verdicts)
    evaluation_of(ruleset)(scope, rule_verdicts, fact_verdicts)
    return Evaluation(rule_verdicts, fact_verdicts, ruleset, scope)
