"""How well the golden cases exercise the rules (``spo-advisor rules coverage``).

Each golden case is evaluated and every verdict recorded. A rule set is covered when:

- every rule has been seen both **true** (it fires) and **false** (it does not); a rule
  not in force on a case's date counts as false there, as it does in an assessment;
- every leaf condition (a field test, a derived-fact test or a count) has been seen both
  **true** and **false** on cases where its rule is in force. This includes every
  threshold (``at_least``, ``at_most``, ``on_or_after``, ``before`` and counts): seen true
  and false, it has been tested on both sides. Thresholds are also counted on their own.
  A count is one leaf: the conditions in its ``where`` are judged record by record and
  are not counted separately.

Leaves seen **unknown** are reported (out of those that can be unknown: a test of a
nullable field, a count whose ``where`` reads one, a fact that can be unknown) but not
required. How unknown combines is the same for every rule (Kleene logic) and is proven
for generated cases by the property tests; what a rule set decides when facts are
unknown is pinned by the golden cases' ``expect.unknown``. Requiring every nullable test
to be seen unknown would add cases that test the logic, not the law.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from spo_advisor.advice.assess import load_rules
from spo_advisor.engine.evaluator import Evaluation
from spo_advisor.language.conditions import Count, FactRef, FieldTest, Node, children, walk
from spo_advisor.language.rules import Rule, RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.errors import Problem
from spo_advisor.model.logic import Truth
from spo_advisor.toolchain.docs import describe
from spo_advisor.toolchain.golden import run_directory

THRESHOLD_OPERATORS = frozenset({"at_least", "at_most", "on_or_after", "before"})
SIDES = (Truth.TRUE, Truth.FALSE)


@dataclass(frozen=True)
class Leaf:
    """A leaf condition of a rule: the unit of condition coverage."""

    rule: Rule
    node: FieldTest | FactRef | Count
    can_be_unknown: bool

    @property
    def is_threshold(self) -> bool:
        return isinstance(self.node, Count) or (
            isinstance(self.node, FieldTest) and self.node.op in THRESHOLD_OPERATORS)


@dataclass
class Coverage:
    """The verdicts the golden cases produced, rule by rule and leaf by leaf."""

    ruleset: RuleSet
    leaves: list[Leaf]
    cases: int = 0
    rule_seen: dict[str, set[Truth]] = field(default_factory=dict)
    leaf_seen: dict[tuple[str, str], set[Truth]] = field(default_factory=dict)

    def add(self, evaluation: Evaluation) -> None:
        """Record the verdicts of one evaluated case."""
        self.cases += 1
        day = evaluation.scope.as_of
        for rule in self.ruleset.rules:
            self.rule_seen.setdefault(rule.id, set()).add(evaluation.rules[rule.id].truth)
            if rule.in_force_on(day):
                for node, verdict in evaluation.traces[rule.id].items():
                    if isinstance(node, FieldTest | FactRef | Count):
                        self.leaf_seen.setdefault((rule.id, node.crumb), set()).add(verdict.truth)

    def seen(self, leaf: Leaf) -> set[Truth]:
        return self.leaf_seen.get((leaf.rule.id, leaf.node.crumb), set())

    def rule_covered(self, rule: Rule) -> bool:
        return set(SIDES) <= self.rule_seen.get(rule.id, set())

    def leaf_covered(self, leaf: Leaf) -> bool:
        return set(SIDES) <= self.seen(leaf)

    def figures(self) -> list[str]:
        """The coverage figures, one per line."""
        rules = self.ruleset.rules
        thresholds = [leaf for leaf in self.leaves if leaf.is_threshold]
        unknowable = [leaf for leaf in self.leaves if leaf.can_be_unknown]
        seen_unknown = sum(Truth.UNKNOWN in self.seen(leaf) for leaf in unknowable)
        leaves_covered = sum(map(self.leaf_covered, self.leaves))
        thresholds_covered = sum(map(self.leaf_covered, thresholds))
        return [
            f"golden cases: {self.cases}",
            f"rules seen true and false: {sum(map(self.rule_covered, rules))}/{len(rules)}",
            f"leaf conditions seen true and false: {leaves_covered}/{len(self.leaves)}",
            f"thresholds seen on both sides: {thresholds_covered}/{len(thresholds)}",
            f"leaf conditions seen unknown (reported, not required): {seen_unknown}/"
            + f"{len(unknowable)} of those that can be unknown",
        ]

    def shortfalls(self) -> list[Problem]:
        """Every rule and leaf not yet seen both true and false, in file order."""
        problems = []
        for rule in self.ruleset.rules:
            missing = _missing(self.rule_seen.get(rule.id, set()))
            if missing:
                mark = rule.position()
                problems.append(Problem(
                    "uncovered_rule", f"never {missing} in any golden case",
                    f"At Rule(id={rule.id})", rule.file, mark.line, mark.column))
        for leaf in self.leaves:
            missing = _missing(self.seen(leaf))
            if missing:
                mark = leaf.rule.locate(leaf.node.crumb)
                problems.append(Problem(
                    "uncovered_condition",
                    f"{describe(leaf.node)}: never {missing} in any golden case while the "
                    "rule is in force", f"At Rule(id={leaf.rule.id}) > {leaf.node.crumb}",
                    leaf.rule.file, mark.line, mark.column))
        return sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0))


def _missing(seen: set[Truth]) -> str:
    return " or ".join(side.value for side in SIDES if side not in seen)


def measure(ruleset: RuleSet, evaluations: Iterable[Evaluation]) -> Coverage:
    """The coverage of ``ruleset`` by these evaluated cases."""
    coverage = Coverage(ruleset, leaves(ruleset))
    for evaluation in evaluations:
        coverage.add(evaluation)
    return coverage


def measure_directory(directory: str | Path) -> tuple[Coverage, list[Problem]]:
    """Run the golden cases of the rule set in ``directory`` and measure their coverage;
    also return the problems found in golden files (their cases are left out)."""
    outcomes, problems = run_directory(directory)
    coverage = measure(load_rules(directory), (outcome.evaluation for outcome in outcomes))
    return coverage, problems


def leaves(ruleset: RuleSet) -> list[Leaf]:
    """Every leaf condition of every rule, in file order."""
    unknowable = _Unknowable(ruleset)
    found = []
    for rule in sorted(ruleset.rules, key=lambda r: (r.file, r.line)):
        for node in walk(rule.when):
            if isinstance(node, FieldTest | FactRef | Count):
                found.append(Leaf(rule, node, unknowable.node(node, Case)))
    return found


class _Unknowable:
    """Which conditions can be unknown at all, from the case model and the rules."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.facts: dict[str, bool] = {}

    def node(self, node: Node, model: type[BaseModel]) -> bool:
        if isinstance(node, FieldTest):
            return nullable(model, node.path)
        if isinstance(node, FactRef):
            return self.fact(node.name)
        if isinstance(node, Count):
            return node.dated_after is not None or (
                node.where is not None and self.node(node.where, record_model(node.collection)))
        return any(self.node(part, model) for part in children(node))

    def fact(self, name: str) -> bool:
        if name not in self.facts:
            self.facts[name] = False  # facts cannot depend on themselves (checked on load)
            self.facts[name] = any(self.node(rule.when, Case)
                                   for rule in self.ruleset.rules_for_fact[name])
        return self.facts[name]


def nullable(model: type[BaseModel], path: str) -> bool:
    """Whether the field at a dotted path of ``model`` (or one on the way to it) may be
    null; ``as_of``, not a field of the model, never is."""
    current: typing.Any = model
    for part in path.split("."):
        if not (isinstance(current, type) and issubclass(current, BaseModel)) \
                or part not in current.model_fields:
            return False  # as_of: always known
        annotation = current.model_fields[part].annotation
        if type(None) in typing.get_args(annotation):
            return True
        current = annotation
    return False


def record_model(collection: str) -> type[BaseModel]:
    """The model of one record of a dated collection of the case (``incidents``)."""
    (record,) = typing.get_args(Case.model_fields[collection].annotation)
    assert isinstance(record, type) and issubclass(record, BaseModel)
    return record
