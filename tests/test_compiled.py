"""Compiled conditions give exactly the verdicts the interpreter gives (the interpreter
still makes traces and is the reference): every rule of the shipped rule set, and every
``where`` of its counts record by record, on generated cases."""

from __future__ import annotations

import pickle
import random
import sys
from datetime import date
from typing import Any

from conftest import ROOT, SHIPPED_RULES
from hypothesis import given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import load_rules
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.conditions import TRUE, Count, FactRef, Scope, evaluate, walk
from spo_advisor.model.case_reading import load_case

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_case

RULES = load_rules(SHIPPED_RULES)


def _evaluated(rng: random.Random) -> Scope:
    case = load_case(synthetic_case(rng, 0))
    return evaluate_ruleset(RULES, case_scope(case, case.as_of())).scope


@given(st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_every_rule_compiled_gives_the_interpreted_verdict(rng: random.Random) -> None:
    scope = _evaluated(rng)
    for rule in RULES.rules:
        assert rule.when.compiled(scope.values, scope) == evaluate(rule.when, scope), rule.id


@given(st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_every_count_where_compiled_gives_the_interpreted_verdict(rng: random.Random) -> None:
    scope = _evaluated(rng)
    for rule in RULES.rules:
        for node in walk(rule.when):
            if not isinstance(node, Count) or node.where is None:
                continue
            inner = Scope(scope.as_of, {}, {}, {}, f"{node.collection}.")
            for record in scope.records.get(node.collection, ()):
                assert node.compiled_where is not None
                expected = node.where.verdict(record, inner, None)
                assert node.compiled_where(record, scope) == expected, rule.id


def test_a_node_pickles_without_its_closures() -> None:
    node = FactRef("when", "fact")
    scope = Scope(date(2021, 3, 1), {}, {}, {"fact": TRUE})
    assert node.compiled({}, scope) is TRUE
    again: Any = pickle.loads(pickle.dumps(node))
    assert "compiled" not in again.__dict__ and again.name == "fact"
    assert again.compiled({}, scope) is TRUE
