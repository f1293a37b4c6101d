"""Property tests: explanations provably match decisions, on cases across the whole model.

Cases are generated from the case model itself (every scalar field and every field of
every dated record, each null where the model allows it or left out), with dates and
numbers concentrated around every threshold the shipped rule set names. On each case:

- the pure-Python three-valued evaluator and durable_rules give every rule the same
  verdict, and so every order the same decision (skipped where durable_rules is not
  installed);
- each decision is the one its limbs imply (docs/contract.md, "Decisions"), and each limb's
  status is the one its facts give; every rule a limb lists has the truth that status
  claims; ``reasons`` come from met limbs, ``unmet`` from limbs not met, and the deciding
  rule from the limbs that decided;
- the assessment is deterministic and survives a JSON round trip, as does the case.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import SHIPPED_RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.advice.decide import (
    _explained,
    _plans,
    decide_all,
    decide_evaluated,
    decision_from_limbs,
    explain_order,
    fact_truths,
    limb_status,
)
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.engine.generated import NOT_IN_FORCE
from spo_advisor.language.conditions import Count, FieldTest, evaluate, walk
from spo_advisor.language.fields import AS_OF, DERIVED_PREFIX, FieldSpec, case_fields
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case, canonical_json
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import CaseError
from spo_advisor.model.logic import Truth
from spo_advisor.model.result import Assessment
from spo_advisor.toolchain.check import named_dates
from spo_advisor.toolchain.coverage import nullable, record_model

RULES: RuleSet = load_rules(SHIPPED_RULES)
PROPERTY = settings(max_examples=2000, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Values the rule set cannot supply: free-text fields and the ranges of whole numbers.
POLICE_FORCES = ["greater_manchester", "metropolitan", "british_transport_police", "cleveland",
                 "north_wales", "ministry_of_defence_police", "west_yorkshire", "kent"]
TEXTS: dict[str, list[str]] = {
    "case_id": ["P-1", "case-478212", "case-1221200"],
    "criminal_justice.offence_charged": ["pha_s2a", "pha_s4a", "pha_s4"],
    "actions.note": ["a note"],
}
RANGES: dict[str, tuple[int, int]] = {
    "suspect.age": (0, 120), "victim.age": (0, 120), "dash_yes_count": (0, 27),
}
AGES_OF_NOTE = [15, 16, 17, 18]


def _most_records(ruleset: RuleSet) -> int:
    """One more record than any count needs."""
    return 1 + max((node.at_least for rule in ruleset.rules for node in walk(rule.when)
                    if isinstance(node, Count)), default=1)


def _around(values: set[int]) -> list[int]:
    return sorted({value + shift for value in values for shift in (-1, 0, 1)})


def _int_thresholds(ruleset: RuleSet) -> dict[str, set[int]]:
    """The whole numbers each field is compared with, and the day windows of counts."""
    found: dict[str, set[int]] = {}
    for rule in ruleset.rules:
        for node in walk(rule.when):
            if isinstance(node, FieldTest) and isinstance(node.operand, int) \
                    and not isinstance(node.operand, bool):
                found.setdefault(node.path, set()).add(node.operand)
            if isinstance(node, Count) and node.within_days is not None:
                found.setdefault("within_days", set()).add(node.within_days)
    return found


THRESHOLDS = _int_thresholds(RULES)
MOST_RECORDS = _most_records(RULES)
DAYS_OF_NOTE = sorted({day + timedelta(days=shift) for day in named_dates(RULES)
                       for shift in (-1, 0, 1)})
# Offsets (days before as_of) of dated records: each count window's edges, the same day,
# a day in the future (not yet known on as_of), and anything within about eight years.
OFFSETS = st.one_of(st.sampled_from(_around(THRESHOLDS.get("within_days", set()) | {0})),
                    st.integers(-30, 3000))


def _value(path: str, spec: FieldSpec) -> st.SearchStrategy[Any]:
    """The values of one field: every choice of an enumeration, both booleans, numbers
    around each threshold; a date as its distance before the assessment date."""
    name = path.rsplit(".", 1)[-1] if path.split(".")[0] in case_fields().collections else path
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    if spec.kind == "enum_list":
        return st.lists(st.sampled_from(spec.choices), unique=True)
    if spec.kind == "date":
        return OFFSETS.map(lambda days: timedelta(days=days))
    if spec.kind == "int":
        low, high = RANGES[name]
        noted = [n for n in _around(THRESHOLDS.get(name, set())) + AGES_OF_NOTE if low <= n <= high]
        return st.one_of(st.sampled_from(noted), st.integers(low, high))
    return st.sampled_from(TEXTS[path])


def _field(path: str, spec: FieldSpec, can_be_null: bool) -> st.SearchStrategy[Any]:
    """A field's values, null one time in four where it may be null."""
    value = _value(path, spec)
    return st.one_of(st.none(), value, value, value) if can_be_null else value


def _fields(known: bool) -> tuple[dict[str, st.SearchStrategy[Any]],
                                  dict[str, st.SearchStrategy[Any]]]:
    """Strategies for the scalar fields and the dated collections; with ``known``, no
    field is ever null (firm decisions need known facts, ``consider`` needs unknown ones)."""
    fields = case_fields()
    scalars = {path: _field(path, spec, not known and nullable(Case, path))
               for path, spec in fields.scalars.items()
               if path not in (AS_OF, "case_id") and not path.startswith(DERIVED_PREFIX)}
    records = {collection: st.lists(st.fixed_dictionaries(
                   {name: _field(f"{collection}.{name}", spec,
                                 not known and nullable(record_model(collection), name))
                    for name, spec in specs.items()}), max_size=MOST_RECORDS)
               for collection, specs in fields.collections.items()}
    return scalars, records


MODES = {"known": _fields(known=True), "some_null": _fields(known=False)}


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, date]:
    """A case across the whole model and the date to assess it on: every field known,
    every field written but some null, or some fields left out (not known, like null)."""
    as_of = draw(st.one_of(st.sampled_from(DAYS_OF_NOTE),
                           st.dates(date(2018, 1, 1), date(2027, 12, 31))))
    mode = draw(st.sampled_from(["known", "some_null", "left_out"]))
    scalars, records = MODES["known" if mode == "known" else "some_null"]
    present = draw(st.fixed_dictionaries({}, optional=scalars) if mode == "left_out"
                   else st.fixed_dictionaries(scalars))
    data: dict[str, Any] = {"case_id": draw(st.sampled_from(TEXTS["case_id"]))}
    for path, value in present.items():
        _put(data, path, _dated(value, as_of))
    for collection, strategy in records.items():
        data[collection] = [{name: _dated(value, as_of) for name, value in record.items()}
                            for record in draw(strategy)]
    return _without_contradictions(data), as_of


def _without_contradictions(data: dict[str, Any]) -> Case:
    """The case, with any place the model refuses as contradicting another left out (the
    model's own rule decides what contradicts; a place left out is simply not known)."""
    while True:
        try:
            return load_case(data)
        except CaseError as error:
            places = [p.location for p in error.problems if p.code.startswith("contradicts")]
            if not places or len(places) != len(error.problems):
                raise
            for location in places:
                *parents, last = location.split(".")
                parent = data
                for step in parents:
                    parent = parent[step]
                parent.pop(last)


def _dated(value: Any, as_of: date) -> Any:
    return as_of - value if isinstance(value, timedelta) else value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def test_the_strategy_knows_every_free_text_and_number_field() -> None:
    """A field added to the case model must be given values here, or the tests would break."""
    fields = case_fields()
    paths = {path: spec for path, spec in fields.scalars.items()
             if path != AS_OF and not path.startswith(DERIVED_PREFIX)}
    paths |= {f"{c}.{name}": spec for c, specs in fields.collections.items()
              for name, spec in specs.items()}
    assert {p for p, s in paths.items() if s.kind == "str"} == set(TEXTS)
    assert {p for p, s in paths.items() if s.kind == "int"} == set(RANGES)


@given(cases())
@settings(PROPERTY)
def test_evaluator_and_durable_rules_agree(drawn: tuple[Case, date]) -> None:
    pytest.importorskip("durable")
    from spo_advisor.engine import durable_host as engine

    case, as_of = drawn
    scope = case_scope(case, as_of)
    evaluated = evaluate_ruleset(RULES, scope).truths()
    inferred = engine.evaluate_with_durable(RULES, scope)
    assert inferred == evaluated
    assert decide_all(RULES, inferred) == decide_all(RULES, evaluated)


_CLAIMED = {"met": {Truth.TRUE}, "not_met": {Truth.FALSE, Truth.TRUE},
            "unknown": {Truth.UNKNOWN}}
"""The truths a limb's rules may have for each status: a limb not met is shown by its fact
failing, or by a refuting fact (``not_met``) or an ``unless`` fact holding."""


@given(cases())
@settings(PROPERTY)
def test_decisions_follow_from_limbs_and_explanations_from_limbs(
        drawn: tuple[Case, date]) -> None:
    case, as_of = drawn
    assessment = assess(case, as_of, rules=RULES, engine_choice="python")
    truths = evaluate_ruleset(RULES, case_scope(case, as_of)).truths()
    facts = fact_truths(RULES, truths)
    for recommendation in assessment.recommendations:
        specs = RULES.orders[recommendation.order].limbs
        assert [limb.limb for limb in recommendation.limbs] == [spec.limb for spec in specs]
        statuses = [limb_status(spec, facts) for spec in specs]
        assert [limb.status for limb in recommendation.limbs] == [s.value for s in statuses]
        assert recommendation.decision == decision_from_limbs(list(zip(specs, statuses)))
        by_status: dict[str, set[str]] = {"met": set(), "not_met": set(), "unknown": set()}
        for limb, spec in zip(recommendation.limbs, specs):
            met_truth = Truth.FALSE if spec.unless else Truth.TRUE
            allowed = {met_truth} if limb.status == "met" else _CLAIMED[limb.status]
            assert {truths[rule] for rule in limb.rules} <= allowed, limb
            by_status[limb.status] |= set(limb.rules)
        assert {r.rule for r in recommendation.reasons} <= by_status["met"]
        assert {r.rule for r in recommendation.unmet} <= by_status["not_met"]
        if recommendation.deciding_rule is not None:
            assert recommendation.deciding_rule in set().union(*by_status.values())
    text = json.dumps(assessment.model_dump(mode="json"), sort_keys=True)
    again = assess(case, as_of, rules=RULES, engine_choice="python")
    assert json.dumps(again.model_dump(mode="json"), sort_keys=True) == text
    assert Assessment.model_validate(json.loads(text)) == assessment
    assert load_case(json.loads(canonical_json(case))) == case


@given(cases())
@settings(PROPERTY)
def test_a_kept_explanation_is_the_one_made_afresh(drawn: tuple[Case, date]) -> None:
    """Explanations are kept by the verdicts they read (``decide.explain_order``): one
    reused for this case equals the one made for it from nothing."""
    case, as_of = drawn
    evaluation = evaluate_ruleset(RULES, case_scope(case, as_of))
    for order, plan in _plans(RULES).items():
        assert explain_order(RULES, order, evaluation) == _explained(plan, order, evaluation)


@given(cases())
@settings(PROPERTY)
def test_the_generated_evaluation_gives_the_verdicts_of_the_closures_and_the_interpreter(
        drawn: tuple[Case, date]) -> None:
    """``engine.generated`` writes the rule set as one function: rule by rule, on the facts
    it derived, its verdict (truth and unknown fields) is the compiled closure's and the
    node-by-node interpreter's."""
    case, as_of = drawn
    evaluation = evaluate_ruleset(RULES, case_scope(case, as_of))
    fresh = evaluation.scope
    for rule in RULES.rules:
        if not rule.in_force_on(as_of):
            assert evaluation.rules[rule.id] == NOT_IN_FORCE
            continue
        compiled = rule.when.compiled(fresh.values, dataclasses.replace(fresh))  # counts afresh
        assert evaluation.rules[rule.id] == compiled, rule.id
        assert evaluation.rules[rule.id] == evaluate(rule.when, fresh), rule.id


@given(cases())
@settings(PROPERTY)
def test_decisions_from_derived_facts_are_those_from_rule_truths(
        drawn: tuple[Case, date]) -> None:
    """The replay decides from the facts the evaluator derived; the engine cross-check
    from every rule's truth: the same decisions."""
    case, as_of = drawn
    evaluation = evaluate_ruleset(RULES, case_scope(case, as_of))
    assert decide_evaluated(RULES, evaluation) == decide_all(RULES, evaluation.truths())
