"""Many threads at once give exactly what one thread gives, case by case.

Every assessment made concurrently is compared, as its contract JSON, with the
assessment of the same case made alone beforehand.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import ROOT, SHIPPED_RULES, incident

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.engine import durable_host as engine
from spo_advisor.language.rules import RuleSet

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_cases

ENGINES = ["python"] + (["durable_rules"] if engine.available() else [])
THREADS = 8


def contract(case: dict[str, Any], rules: RuleSet, engine_choice: str = "auto") -> str:
    result = assess(case, rules=rules, engine_choice=engine_choice)  # type: ignore[arg-type]
    return json.dumps(result.model_dump(mode="json"), sort_keys=True)


def at_once(function: Callable[[int], str], count: int) -> list[str]:
    """``function(i)`` for i < count, each in its own thread, all started together."""
    start = threading.Barrier(count)
    results: list[str] = [""] * count

    def run(index: int) -> None:
        start.wait()
        results[index] = function(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(SHIPPED_RULES)


def colliding_cases() -> list[dict[str, Any]]:
    """Two different cases whose ids have the same 32-bit hash in the engine."""
    assert engine.fnv1_32("case-478212") == engine.fnv1_32("case-1221200")
    return [
        {"case_id": "case-478212", "assessed_on": "2021-03-01",
         "victim": {"very_frightened": True},
         "incidents": [incident("2021-01-05", "following"), incident("2021-02-05", "loitering")]},
        {"case_id": "case-1221200", "assessed_on": "2021-03-01",
         "victim": {"very_frightened": False}, "incidents": []},
    ]


@pytest.mark.parametrize("engine_choice", ENGINES)
def test_eight_threads_give_the_results_of_one(rules: RuleSet, engine_choice: str) -> None:
    cases = [*colliding_cases(), *synthetic_cases(2000, seed=11)]
    cases += cases[:100]  # the same cases again, in flight with their first copies
    alone = [contract(case, rules, engine_choice) for case in cases]
    assert len(set(alone[:2])) == 2
    with ThreadPoolExecutor(THREADS) as pool:
        together = list(pool.map(lambda case: contract(case, rules, engine_choice), cases))
    assert together == alone


def test_identical_cases_sent_at_the_same_moment(rules: RuleSet) -> None:
    case = colliding_cases()[0]
    alone = contract(case, rules)
    assert at_once(lambda _: contract(case, rules), THREADS) == [alone] * THREADS


def test_colliding_case_ids_at_the_same_moment(rules: RuleSet) -> None:
    cases = colliding_cases()
    alone = [contract(case, rules) for case in cases]
    assert alone[0] != alone[1]
    results = at_once(lambda i: contract(cases[i % 2], rules), 2 * THREADS)
    assert results == alone * THREADS


def test_sixty_four_callers_at_once_all_get_their_answers(rules: RuleSet) -> None:
    cases = list(synthetic_cases(64, seed=12))
    alone = [contract(case, rules) for case in cases]
    assert at_once(lambda i: contract(cases[i], rules), len(cases)) == alone


def _assess_in_child(case: dict[str, Any], queue: Any) -> None:
    queue.put(contract(case, load_rules(SHIPPED_RULES)))


@pytest.mark.skipif(not engine.available(), reason="durable_rules is not installed")
def test_a_process_forked_while_another_thread_uses_the_engine_works(rules: RuleSet) -> None:
    case = colliding_cases()[0]
    alone = contract(case, rules)  # the engine exists, with this rule set registered
    assert engine._ENGINE is not None
    held, release = threading.Event(), threading.Event()

    def hold_the_engine() -> None:
        assert engine._ENGINE is not None
        with engine._ENGINE.lock:
            held.set()
            release.wait()

    holder = threading.Thread(target=hold_the_engine)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_assess_in_child, args=(case, queue))
    holder.start()
    held.wait()
    try:
        child.start()
        child.join(timeout=120)  # without fresh locks in the child, it would wait forever
        assert child.exitcode == 0
        assert queue.get(timeout=1) == alone
    finally:
        release.set()
        holder.join()
        if child.is_alive():
            child.kill()
