"""The three-valued evaluation of conditions, as docs/rule_language.md specifies it."""

from __future__ import annotations

import dataclasses
import random
import sys
from datetime import date
from typing import Any

import pytest
from conftest import ROOT, SHIPPED_RULES, incident
from hypothesis import given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import load_rules
from spo_advisor.engine.derived import OVERRIDDEN_BY_RECORD
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.condition_parser import ParseContext, parse_condition
from spo_advisor.language.conditions import (
    Count,
    FieldTest,
    Node,
    Scope,
    Verdict,
    count_matches,
    evaluate,
    shape,
    walk,
)
from spo_advisor.language.fields import case_fields
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import CaseError
from spo_advisor.model.logic import Truth

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_case

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
AS_OF = date(2021, 3, 1)
FACTS = {"t": Verdict(T), "f": Verdict(F), "u": Verdict(U, frozenset({"victim.age"})),
         "v": Verdict(U, frozenset({"suspect.age"}))}


def condition(raw: Any) -> Node:
    problems: list[str] = []
    context = ParseContext(case_fields(), {"start": date(2020, 1, 20)}, set(FACTS),
                           lambda code, message, *rest: problems.append(message))
    node, _ = parse_condition(raw, ("when",), context)
    assert problems == [] and node is not None
    return node


def scope_of(as_of: date = AS_OF, **data: Any) -> Scope:
    case = load_case({"case_id": "C-1", **data})
    return dataclasses.replace(case_scope(case, as_of), derived=FACTS)


def verdict(raw: Any, **data: Any) -> Verdict:
    return evaluate(condition(raw), scope_of(**data))


def truth(raw: Any, **data: Any) -> Truth:
    return verdict(raw, **data).truth


# ---------------------------------------------------------------- Kleene logic

# The truth tables of the spec: all is false if any part is false, else unknown if any
# part is unknown; any is true if any part is true, else unknown if any is unknown.
TABLE = [("t", "t", T, T), ("t", "f", F, T), ("t", "u", U, T), ("f", "t", F, T),
         ("f", "f", F, F), ("f", "u", F, U), ("u", "t", U, T), ("u", "f", F, U),
         ("u", "u", U, U)]


@pytest.mark.parametrize(("a", "b", "all_", "any_"), TABLE)
def test_all_and_any_follow_kleene(a: str, b: str, all_: Truth, any_: Truth) -> None:
    parts = [{"fact": a}, {"fact": b}]
    assert truth({"all": parts}) is all_
    assert truth({"any": parts}) is any_


@pytest.mark.parametrize(("fact", "negated"), [("t", F), ("f", T), ("u", U)])
def test_not_swaps_true_and_false_and_keeps_unknown(fact: str, negated: Truth) -> None:
    assert truth({"not": {"fact": fact}}) is negated
    assert truth({"not": {"not": {"fact": fact}}}) is FACTS[fact].truth


def test_an_unknown_result_names_the_unknown_fields_of_its_unknown_parts() -> None:
    assert verdict({"all": [{"fact": "u"}, {"fact": "v"}, {"fact": "t"}]}).unknown_fields == {
        "victim.age", "suspect.age"}
    assert verdict({"any": [{"fact": "u"}, {"fact": "f"}]}).unknown_fields == {"victim.age"}
    assert verdict({"not": {"fact": "v"}}).unknown_fields == {"suspect.age"}


def test_a_known_result_names_no_fields() -> None:
    assert verdict({"all": [{"fact": "u"}, {"fact": "f"}]}) == Verdict(F)
    assert verdict({"any": [{"fact": "v"}, {"fact": "t"}]}) == Verdict(T)


def test_evaluation_never_short_circuits() -> None:
    node = condition({"all": [{"fact": "f"}, {"any": [{"fact": "t"}, {"fact": "u"}]}]})
    trace: dict[Node, Verdict] = {}
    evaluate(node, scope_of(), trace)
    assert set(trace) == set(walk(node))
    assert [trace[n].truth for n in walk(node)] == [F, F, T, T, U]


def test_nodes_are_told_apart_by_place_not_by_content() -> None:
    node = condition({"any": [{"fact": "u"}, {"fact": "u"}]})
    first, second = list(walk(node))[1:]
    assert first != second and shape(first) == shape(second)
    trace: dict[Node, Verdict] = {}
    evaluate(node, scope_of(), trace)
    assert len(trace) == 3


# ---------------------------------------------------------------- field tests


@pytest.mark.parametrize(("raw", "data", "expected"), [
    ({"field": "victim.very_frightened", "is": True}, {"victim": {"very_frightened": True}}, T),
    ({"field": "victim.very_frightened", "is": True}, {"victim": {"very_frightened": False}}, F),
    ({"field": "relationship", "in": ["ex_spouse", "spouse"]}, {"relationship": "spouse"}, T),
    ({"field": "relationship", "in": ["ex_spouse", "spouse"]}, {"relationship": "stranger"}, F),
    ({"field": "victim.fears", "contains": "death"}, {"victim": {"fears": ["death"]}}, T),
    ({"field": "victim.fears", "contains": "death"}, {"victim": {"fears": []}}, F),
    ({"field": "victim.fears", "contains_any": ["death", "other"]},
     {"victim": {"fears": ["other"]}}, T),
    ({"field": "victim.fears", "contains_any": ["death", "other"]},
     {"victim": {"fears": ["violence"]}}, F),
    ({"field": "suspect.age", "at_least": 18}, {"suspect": {"age": 18}}, T),
    ({"field": "suspect.age", "at_least": 18}, {"suspect": {"age": 17}}, F),
    ({"field": "suspect.age", "at_most": 17}, {"suspect": {"age": 17}}, T),
    ({"field": "suspect.age", "at_most": 17}, {"suspect": {"age": 18}}, F),
    ({"field": "separated_on", "on_or_after": {"param": "start"}}, {"separated_on": "2020-01-20"}, T),
    ({"field": "separated_on", "on_or_after": {"param": "start"}}, {"separated_on": "2020-01-19"}, F),
    ({"field": "separated_on", "before": "as_of"}, {"separated_on": "2021-02-28"}, T),
    ({"field": "separated_on", "before": "as_of"}, {"separated_on": "2021-03-01"}, F),
    ({"field": "as_of", "before": {"param": "start"}}, {}, F),
    ({"field": "police_force", "is": "cleveland"}, {"police_force": "cleveland"}, T),
])
def test_each_operator(raw: dict[str, Any], data: dict[str, Any], expected: Truth) -> None:
    assert truth(raw, **data) is expected


@pytest.mark.parametrize("raw", [
    {"field": "victim.very_frightened", "is": False},
    {"field": "victim.fears", "contains": "death"},
    {"field": "suspect.age", "at_most": 17},
    {"field": "separated_on", "before": "as_of"},
])
def test_a_field_not_known_is_unknown_whatever_the_operator(raw: dict[str, Any]) -> None:
    assert verdict(raw) == Verdict(U, frozenset({raw["field"]}))
    assert verdict({"not": raw}) == Verdict(U, frozenset({raw["field"]}))


# ---------------------------------------------------------------- counts


def count(**raw: Any) -> dict[str, Any]:
    return {"count": "incidents", **raw}


VIOLENT = {"field": "violence", "is": True}


def test_a_count_is_true_on_enough_certain_matches_false_when_too_few_could_match() -> None:
    two = count(where=VIOLENT, at_least=2)
    sure = [incident("2021-01-01", violence=True), incident("2021-01-02", violence=True)]
    assert truth(two, incidents=sure) is T
    assert truth(two, incidents=sure[:1] + [incident("2021-01-03", violence=False)]) is F
    assert verdict(two, incidents=sure[:1] + [incident("2021-01-03")]) == Verdict(
        U, frozenset({"incidents.violence"}))


def test_within_days_counts_records_on_or_after_the_window_start() -> None:
    recent = count(within_days=30, at_least=1)
    assert truth(recent, incidents=[incident("2021-01-30")]) is T  # 30 days before 1 March
    assert truth(recent, incidents=[incident("2021-01-29")]) is F


def test_records_dated_after_as_of_are_not_counted() -> None:
    assert truth(count(at_least=1), incidents=[incident("2021-03-02")]) is F
    assert truth(count(at_least=1), incidents=[incident("2021-03-01")]) is T


def test_existing_orders_have_no_date_and_are_all_counted() -> None:
    orders = {"count": "existing_orders", "where": {"field": "type", "is": "spo"}, "at_least": 1}
    assert truth(orders, existing_orders=[{"type": "spo"}]) is T
    assert truth(orders, existing_orders=[{"type": "dvpo"}]) is F


def test_counts_of_the_same_records_share_their_numbers_within_a_scope() -> None:
    scope = scope_of(incidents=[incident("2021-01-01", violence=True), incident("2021-01-02")])
    first, second = condition(count(where=VIOLENT, at_least=1)), condition(count(
        where=VIOLENT, at_least=2))
    other = condition(count(where={"field": "weapon", "is": True}, at_least=1))
    assert isinstance(first, Count) and isinstance(second, Count)
    results = [evaluate(node, scope).truth for node in (first, second, other)]
    assert results == [T, U, U]
    assert len(scope.counts) == 2  # first and second count the same records
    assert count_matches(first, scope) == count_matches(second, scope) == (
        1, 2, frozenset({"incidents.violence"}))


def test_a_changed_scope_counts_afresh() -> None:
    node = condition(count(where=VIOLENT, at_least=1))
    scope = scope_of(incidents=[incident("2021-01-01", violence=False)])
    assert evaluate(node, scope).truth is F
    changed = dataclasses.replace(scope, records={"incidents": [{"date": date(2021, 1, 1),
                                                                 "violence": True}]})
    assert evaluate(node, changed).truth is T
    assert evaluate(node, scope).truth is F


# ---------------------------------------------------------------- unknown is not no


def _leaves(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _leaves(value, (*here, key))]
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [p for i, value in enumerate(data) for p in _leaves(value, (*here, i))]
    return [here] if data is not None else []


def _with_unknowns(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``data`` with some known facts made unknown (null), where the model allows null."""
    partial = load_case(data).model_dump(mode="json")
    for path in rng.sample(_leaves(partial), k=len(_leaves(partial)) // 3):
        *parents, last = path
        parent = partial
        for step in parents:
            parent = parent[step]
        kept = parent[last]
        parent[last] = None
        try:
            load_case(partial)
        except CaseError:
            parent[last] = kept
    return partial


RULES = load_rules(SHIPPED_RULES)


def _reading_overridable_fields(ruleset: RuleSet) -> frozenset[str]:
    """The rules that read, directly or through facts, a derived field the record may
    override by contract (spo_advisor.engine.derived.OVERRIDDEN_BY_RECORD)."""
    found: set[str] = set()
    for rule in ruleset.rules:  # topological: facts a rule uses are concluded before it
        reads = {node.path for node in walk(rule.when) if isinstance(node, FieldTest)}
        if reads & OVERRIDDEN_BY_RECORD or any(
                r.id in found for fact in rule.facts_used
                for r in ruleset.rules_for_fact.get(fact, ())):
            found.add(rule.id)
    return frozenset(found)


MONOTONE_RULES = frozenset(RULES.by_id) - _reading_overridable_fields(RULES)


@given(st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_learning_a_fact_never_changes_a_known_verdict(rng: random.Random) -> None:
    """Kleene logic is monotone: a verdict known with less known stays with more. Rules
    reading a field the record overrides by contract are left out."""
    known = synthetic_case(rng, 0)
    partial = _with_unknowns(known, rng)
    as_of = load_case(known).as_of()
    full = evaluate_ruleset(RULES, case_scope(load_case(known), as_of))
    less = evaluate_ruleset(RULES, case_scope(load_case(partial), as_of))
    changed = {rule: (verdict.truth, full.rules[rule].truth)
               for rule, verdict in less.rules.items() if rule in MONOTONE_RULES
               and verdict.truth is not U and verdict.truth is not full.rules[rule].truth}
    assert changed == {}


def test_the_as_of_operand_survives_pickling_as_the_same_object() -> None:
    import pickle

    from spo_advisor.language.conditions import AS_OF_OPERAND

    assert pickle.loads(pickle.dumps(AS_OF_OPERAND)) is AS_OF_OPERAND
