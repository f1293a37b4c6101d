"""The replay's running counts (spo_advisor.engine.replay_counts) give exactly what counting
afresh on each date gives, and the replay's decisions are those of assessing each date."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from typing import Any

from conftest import ROOT, SHIPPED_RULES
from hypothesis import given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.engine.facts import case_scope, prepare
from spo_advisor.engine.replay_counts import ReplayCounts
from spo_advisor.language.conditions import count_matches
from spo_advisor.model.case_reading import load_case
from spo_advisor.review.replay import review

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_case

RULES = load_rules(SHIPPED_RULES)


def dated_case(rng: random.Random) -> dict[str, Any]:
    """A synthetic case with orders made on dates (or undated) and dated risk assessments."""
    case = synthetic_case(rng, 0, incidents=rng.randint(0, 12))
    assessed = date.fromisoformat(case["assessed_on"])
    for order in case["existing_orders"]:
        if rng.random() < 0.7:
            order["made_on"] = (assessed - timedelta(days=rng.randint(0, 400))).isoformat()
    case["risk_assessments"] = [
        {"date": (assessed - timedelta(days=rng.randint(0, 300))).isoformat(),
         "victim": {"very_frightened": rng.choice([True, False, None])},
         "indicators": {"prior_violence": rng.choice([True, False, None])}}
        for _ in range(rng.randint(0, 2))]
    return case


@given(st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_running_counts_equal_fresh_counts(rng: random.Random) -> None:
    case = load_case(dated_case(rng))
    prepared = prepare(case)
    days = sorted({i.date for i in case.incidents} | {a.date for a in case.actions}
                  | {case.as_of()})
    counts = ReplayCounts(RULES, prepared, days[0])
    for day in days:
        filled = counts.fill(case_scope(case, day, prepared))
        fresh = case_scope(case, day)
        assert filled.values == fresh.values and filled.records == fresh.records
        for counted, numbers in filled.counts.items():
            node = next(n for n in counts._series.values() if n.node.counted == counted).node
            assert numbers == count_matches(node, fresh), (day, node)


@given(st.randoms(use_true_random=False))
@settings(max_examples=25, deadline=None)
def test_replay_decisions_are_those_of_each_date(rng: random.Random) -> None:
    case = dated_case(rng)
    result = review(case, rules=RULES)
    for row in result.timeline[-4:]:
        assert row.decisions == assess(case, row.date, rules=RULES).decisions(), row.date


@given(st.randoms(use_true_random=False))
@settings(max_examples=25, deadline=None)
def test_assumptions_are_those_found_on_fresh_scopes(rng: random.Random) -> None:
    from spo_advisor.advice.decide import decide_all
    from spo_advisor.engine.evaluator import evaluate_ruleset
    from spo_advisor.review.assumptions import turned_on, undated_in_use, without

    data = dated_case(rng)
    case = load_case(data)
    for row in review(data, rules=RULES).timeline:
        def decide(paths: tuple[str, ...], day: date = row.date) -> Any:
            scope = case_scope(without(case, paths), day)
            return decide_all(RULES, evaluate_ruleset(RULES, scope).truths())

        expected = turned_on(undated_in_use(case, row.date), row.decisions, decide)
        assert row.assumed == list(expected), row.date
