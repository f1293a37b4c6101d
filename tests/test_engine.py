"""The durable_rules wrapper: names the engine cannot confuse, isolation, faults, limits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, ROOT, SHIPPED_RULES, incident
from hypothesis import given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import assess, load_rules, run_rules
from spo_advisor.engine import durable_host as engine
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.conditions import Scope
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import EngineError
from spo_advisor.model.logic import Truth

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_cases

durable: Any = pytest.importorskip("durable_rules_engine")

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
STALE = "engine session still holds facts from an earlier evaluation"


def scope_of(data: dict[str, Any], as_of: date | None = None) -> Scope:
    case = load_case({"case_id": "E-1", "assessed_on": "2021-03-01", **data})
    return case_scope(case, case.as_of(as_of))


def evaluated(ruleset: RuleSet, scope: Scope) -> dict[str, Truth]:
    return evaluate_ruleset(ruleset, scope).truths()


@pytest.fixture
def fresh_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[engine._Engine]:
    """An engine of its own (limits patched in a test apply to it), freed afterwards."""
    fresh = engine._Engine()
    monkeypatch.setattr(engine, "_ENGINE", fresh)
    yield fresh
    for handle, _ in fresh.registered.values():
        durable.delete_ruleset(handle)


def write_rules(directory: Path, rules: str, version: str = "1") -> RuleSet:
    """A rule set of ``rules`` (YAML text) deciding one order, its facts all ``x``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ruleset.yaml").write_text(
        f'name: t\nversion: "{version}"\njurisdiction: england_and_wales\n'
        "orders:\n  o:\n    title: O\n    citation: c\n"
        "    limbs: [{limb: shown, trigger: true, fact: y, text: t}]\n"
        "risk: {high: x, medium: x, indicators: []}\nstalking: {four_met: x}\n")
    (directory / "rules.yaml").write_text(
        "rules:\n" + rules +
        "  - {id: o.yes, title: t, citation: c, limb: l, when: {fact: x},"
        " then: {fact: y}}\n")
    return load_rules(directory)


# ---------------------------------------------------------------- names and hashes


def test_the_hash_is_the_engines() -> None:
    # HASH_ID and HASH_SID in durable_rules' src/rules/state.h
    assert engine.fnv1_32("id") == 926444256
    assert engine.fnv1_32("sid") == 3593476751


def test_the_case_ids_of_the_issue_collide_in_that_hash() -> None:
    assert engine.fnv1_32("case-478212") == engine.fnv1_32("case-1221200")


def test_a_name_whose_hash_is_taken_gets_a_suffix() -> None:
    names = engine._distinct(["case-478212", "case-1221200"], set())
    assert names == {"case-478212": "case-478212", "case-1221200": "case-1221200~1"}
    assert engine.fnv1_32("case-478212") != engine.fnv1_32("case-1221200~1")


@pytest.mark.parametrize("directory", [MINI_RULES, SHIPPED_RULES])
def test_every_name_the_engine_looks_up_has_a_hash_of_its_own(directory: Path) -> None:
    compiler = engine._Compiler(load_rules(directory))
    compiled = compiler.compile()
    properties = [*engine._FIXED_PROPERTIES, *compiled.keys.values(), *compiled.flags.values(),
                  *(key for pair in compiled.count_keys for key in pair)]
    assert len({engine.fnv1_32(name) for name in properties}) == len(properties)
    ids = list(compiler.ids.values())
    assert len({engine.fnv1_32(fact_id) for fact_id in ids}) == len(ids)


# ---------------------------------------------------------------- verdicts


def test_verdicts_on_the_mini_rules(mini_rules: RuleSet) -> None:
    scope = scope_of({"incidents": [incident("2021-02-01", "following", violence=True)]})
    expected = {"acts": T, "repeated": F, "risk.high": T, "risk.medium": U,
                "risk.medium_age": U, "spo.in_force": T, "spo.risk": T}
    assert engine.evaluate_with_durable(mini_rules, scope) == expected
    assert evaluated(mini_rules, scope) == expected


def test_a_rule_not_in_force_is_false(mini_rules: RuleSet) -> None:
    data = {"suspect": {"age": 40}, "relationship": "ex_spouse", "separated_on": "2021-06-01"}
    before = engine.evaluate_with_durable(mini_rules, scope_of(data, date(2020, 6, 1)))
    assert before["risk.medium_age"] is F  # in force from 2021-01-01
    after = engine.evaluate_with_durable(mini_rules, scope_of(data, date(2021, 6, 1)))
    assert after["risk.medium_age"] is T


def test_a_case_that_fires_no_rule_leaves_every_rule_unknown(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, "  - {id: x, title: t, citation: c, limb: l,"
                                  " when: {field: victim.very_frightened, is: true},"
                                  " then: {fact: x}}\n")
    assert engine.evaluate_with_durable(rules, scope_of({})) == {"x": U, "o.yes": U}
    frightened = scope_of({"victim": {"very_frightened": True}})
    assert engine.evaluate_with_durable(rules, frightened) == {"x": T, "o.yes": T}


STRING_RULES = "".join(
    f"  - {{id: x{i}, title: t, citation: c, limb: l, when: {when}, then: {{fact: x}}}}\n"
    for i, when in enumerate([
        "{field: criminal_justice.offence_charged, is: pha_s4a}",
        "{field: criminal_justice.offence_charged, is: 'quote \" and \\ backslash'}",
        "{field: criminal_justice.offence_charged, in: [ünïcödé, '🎉', pha]}",
        "{field: criminal_justice.offence_charged, is: ''}",
    ]))


@given(st.one_of(st.text(max_size=200),
                 st.sampled_from(["pha_s4a", "pha_s4a ", "pha", 'quote " and \\ backslash',
                                  "ünïcödé", "🎉", ""])))
@settings(max_examples=300, deadline=None)
def test_text_compares_alike_in_both_engines(tmp_path_factory: pytest.TempPathFactory,
                                             text: str) -> None:
    rules = write_rules(tmp_path_factory.getbasetemp() / "strings", STRING_RULES)
    scope = scope_of({"criminal_justice": {"offence_charged": text}})
    assert engine.evaluate_with_durable(rules, scope) == evaluated(rules, scope)


def test_joins_longer_than_the_engine_takes_are_made_in_steps(
        fresh_engine: engine._Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_JOIN", 2)
    rules = load_rules(SHIPPED_RULES)
    compiled = fresh_engine.register(rules)[1]
    assert any(name.startswith("p") for name in compiled.definition)
    assert max(len(rule["all"]) for rule in compiled.definition.values()) == 2
    for data in synthetic_cases(40, seed=7):
        case = load_case(data)
        scope = case_scope(case, case.as_of())
        assert engine.evaluate_with_durable(rules, scope) == evaluated(rules, scope)


# ---------------------------------------------------------------- limits


def test_a_rule_set_with_too_many_case_fields_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                         mini_rules: RuleSet) -> None:
    monkeypatch.setattr(engine, "MAX_PROPERTIES", 8)
    with pytest.raises(EngineError) as raised:
        engine._Compiler(mini_rules)
    # as_of, the five fields the rules test, two numbers for each of three counts, and
    # the fact's own k, sid, id and t
    assert str(raised.value) == ("the rule set uses too many case fields for the engine "
                                 "(16, at most 8)")


def test_a_rule_too_complex_for_the_engine_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                      mini_rules: RuleSet) -> None:
    monkeypatch.setattr(engine, "MAX_TERMS", 1)
    with pytest.raises(EngineError, match="^a rule is too complex for the engine"):
        engine._Compiler(mini_rules).compile()


def test_least_recently_used_rule_sets_are_freed(fresh_engine: engine._Engine,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(engine, "MAX_RULESETS", 2)
    rule = ("  - {id: x, title: t, citation: c, limb: l,"
            " when: {field: victim.very_frightened, is: true}, then: {fact: x}}\n")
    sets = [write_rules(tmp_path / str(v), rule, version=str(v)) for v in range(3)]
    scope = scope_of({"victim": {"very_frightened": False}})
    for rules in sets:
        assert engine.evaluate_with_durable(rules, scope) == {"x": F, "o.yes": F}
    assert list(fresh_engine.registered) == [sets[1].sha256, sets[2].sha256]
    assert engine.evaluate_with_durable(sets[0], scope) == {"x": F, "o.yes": F}
    assert list(fresh_engine.registered) == [sets[2].sha256, sets[0].sha256]


# ---------------------------------------------------------------- faults


class Proxy:
    """The C engine, with some calls replaced."""

    def __init__(self, **replaced: Any) -> None:
        self.replaced = replaced

    def __getattr__(self, name: str) -> Any:
        return self.replaced.get(name, getattr(durable, name))


@pytest.fixture
def faulty(mini_rules: RuleSet) -> tuple[RuleSet, Scope, dict[str, Truth]]:
    """The mini rules, a case, and its verdicts, with the engine's session ready to use."""
    scope = scope_of({"incidents": [incident("2021-02-01", "following")]})
    truths = engine.evaluate_with_durable(mini_rules, scope)
    assert truths == evaluated(mini_rules, scope)
    return mini_rules, scope, truths


def handle_of(rules: RuleSet) -> int:
    assert engine._ENGINE is not None
    return engine._ENGINE.register(rules)[0]


def derived_fact(rules: RuleSet, fact: str) -> str:
    """The derived fact ``fact`` as the engine is given it, from an earlier evaluation."""
    compiler = engine._Compiler(rules)
    compiler.compile()
    return json.dumps({"k": 0, "sid": "s", "id": "left", compiler.property("d", fact): "T"})


def test_a_session_holding_facts_is_refused_then_cleared(faulty: Any) -> None:
    rules, scope, truths = faulty
    # a fact some rule joins (the engine keeps no fact that no rule's pattern can match)
    durable.assert_fact(handle_of(rules), derived_fact(rules, "risk_medium"))
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    assert str(raised.value) == STALE
    assert engine.evaluate_with_durable(rules, scope) == truths


def test_a_fact_of_another_evaluation_is_never_joined(faulty: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rules, scope, truths = faulty
    monkeypatch.setattr(engine._Engine, "_check_empty", staticmethod(lambda handle: None))
    durable.assert_fact(handle_of(rules), derived_fact(rules, "risk_high"))
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    assert str(raised.value) == "the engine joined facts that do not belong to this evaluation"
    assert engine.evaluate_with_durable(rules, scope) == truths


def test_a_case_fact_of_another_evaluation_is_refused(faulty: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rules, scope, truths = faulty
    monkeypatch.setattr(engine._Engine, "_check_empty", staticmethod(lambda handle: None))
    durable.assert_fact(handle_of(rules), '{"k":0,"sid":"s","id":"c","t":"c"}')
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    assert str(raised.value) == STALE
    assert engine.evaluate_with_durable(rules, scope) == truths


def raised_then_recovered(faulty: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The EngineError message of an evaluation under the injected fault; then, with the
    fault removed, the same evaluation must give the right truths again."""
    rules, scope, truths = faulty
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    monkeypatch.undo()
    assert engine.evaluate_with_durable(rules, scope) == truths
    return str(raised.value)


def test_an_engine_error_code_is_raised(faulty: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine._Compiled, "case_body", lambda self, scope: '"t":}')
    assert raised_then_recovered(faulty, monkeypatch).startswith(
        "the rule engine failed: Could not assert fact, error code: 2")


def test_an_unexpected_result_code_is_raised(faulty: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_durable", Proxy(assert_fact=lambda handle, fact: (3, 0)))
    assert raised_then_recovered(faulty, monkeypatch) == "the rule engine failed: result code 3"


def test_the_engine_running_out_of_memory_is_raised(faulty: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:

    def out_of_memory(*args: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(engine, "_durable", Proxy(start_action_for_state=out_of_memory))
    assert raised_then_recovered(faulty, monkeypatch) == "the rule engine failed: out of memory"


def test_an_exception_while_handling_a_firing_is_raised(faulty: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def failing(handle: int, state: int) -> Any:
        calls.append(state)
        raise RuntimeError("a fault inside an action")

    monkeypatch.setattr(engine, "_durable", Proxy(complete_and_start_action=failing))
    assert raised_then_recovered(faulty, monkeypatch) == "the rule engine failed: RuntimeError"
    assert len(calls) == 1


def test_a_firing_of_a_rule_never_given_is_raised(faulty: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rules = faulty[0]
    assert engine._ENGINE is not None
    firings = engine._ENGINE.register(rules)[1].firings
    for name in list(firings):
        monkeypatch.delitem(firings, name)
    assert raised_then_recovered(faulty, monkeypatch) == "the engine fired a rule it was not given"


def test_a_rule_found_both_true_and_false_is_raised(faulty: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rules, scope, truths = faulty
    assert (truths["acts"], truths["repeated"]) == (T, F)
    assert engine._ENGINE is not None
    firings = engine._ENGINE.register(rules)[1].firings
    for name, firing in list(firings.items()):
        if firing.rule == "repeated":  # its firings now claim to be verdicts of "acts"
            monkeypatch.setitem(firings, name, engine._Firing("acts", firing.truth,
                                                              firing.joined, firing.asserts))
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    assert str(raised.value) == "the engine found a rule both true and false"
    monkeypatch.undo()
    assert engine.evaluate_with_durable(rules, scope) == truths


def test_a_disagreement_with_the_evaluator_is_raised(faulty: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rules, scope, truths = faulty
    monkeypatch.setattr(engine, "evaluate_with_durable",
                        lambda ruleset, scope: {**truths, "repeated": U})
    with pytest.raises(EngineError) as raised:
        run_rules(rules, scope, "durable_rules")
    assert str(raised.value) == "the engine and the evaluator disagree on rules: repeated"


def test_without_durable_rules_the_evaluator_is_the_engine(mini_rules: RuleSet,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_durable", None)
    assert not engine.available()
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(mini_rules, scope_of({}))
    assert str(raised.value) == "durable_rules is not installed on this Python"
    assert assess({"case_id": "E-2"}, rules=mini_rules).engine == "python"


def test_engine_errors_never_show_case_values(faulty: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rules, _, _ = faulty
    secret = "Secret-Name-7731"
    scope = scope_of({"criminal_justice": {"offence_charged": secret}})
    body = json.dumps({"t": "c", "secret": secret})[1:-1]  # JSON the engine cannot read
    monkeypatch.setattr(engine._Compiled, "case_body", lambda self, scope: body)
    with pytest.raises(EngineError) as raised:
        engine.evaluate_with_durable(rules, scope)
    assert secret not in str(raised.value)
