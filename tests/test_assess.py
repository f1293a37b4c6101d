"""assess() on the small test rule set: decisions, explanations, dates, engines, output."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from conftest import incident

from spo_advisor import Assessment, CaseError, Decision, assess
from spo_advisor.engine.durable_host import available as durable_available
from spo_advisor.language.rules import RuleSet

ENGINES = ["python"] + (["durable_rules"] if durable_available() else [])


def case(**fields: Any) -> dict[str, Any]:
    return {"case_id": "T-1", "assessed_on": "2021-03-01", **fields}


def spo(result: Assessment) -> Any:
    return result.recommendation("spo")


@pytest.mark.parametrize("engine", ENGINES)
def test_recommended_lists_the_deciding_rule_and_what_supports_it(mini_rules: RuleSet, engine: str) -> None:
    result = assess(case(incidents=[incident("2021-02-01", "following", violence=True)]),
                    rules=mini_rules, engine_choice=engine)  # type: ignore[arg-type]
    rec = spo(result)
    assert rec.decision is Decision.RECOMMENDED
    assert rec.deciding_rule == "acts"
    assert [r.rule for r in rec.reasons] == ["acts", "spo.in_force", "spo.risk"]
    assert rec.reasons[0].citation == "test s.2"
    assert [(limb.limb, limb.status, limb.gate, limb.trigger) for limb in rec.limbs] == [
        ("in_force", "met", True, False), ("acts", "met", False, True),
        ("risk", "met", False, False)]
    assert rec.unmet == () and rec.unknown == ()
    assert result.engine == engine


def test_unknown_risk_turns_the_decision_to_consider_and_names_the_facts(mini_rules: RuleSet) -> None:
    rec = spo(assess(case(incidents=[incident("2021-02-01", "following")]), rules=mini_rules))
    assert rec.decision is Decision.CONSIDER
    assert rec.deciding_rule == "spo.risk"
    assert rec.limbs[2].status == "unknown"
    assert rec.unknown == ("incidents.violence", "indicators.threats_to_kill", "relationship",
                           "separated_on", "suspect.age", "victim.very_frightened")
    assert [r.rule for r in rec.reasons] == ["acts", "spo.in_force"]


def test_known_absence_of_risk_lists_the_unmet_limbs(mini_rules: RuleSet) -> None:
    facts = case(victim={"very_frightened": False}, indicators={"threats_to_kill": False},
                 suspect={"age": 17}, relationship="stranger",
                 incidents=[incident("2021-02-01", "following", violence=False)])
    rec = spo(assess(facts, rules=mini_rules))
    assert rec.decision is Decision.NOT_RECOMMENDED and rec.deciding_rule == "spo.risk"
    assert rec.unknown == ()
    assert [r.rule for r in rec.unmet] == ["spo.risk"]
    assert rec.limbs[2].status == "not_met"


def test_a_trigger_nothing_shows_is_not_met(mini_rules: RuleSet) -> None:
    rec = spo(assess(case(incidents=[incident("2021-02-01", "gifts")]), rules=mini_rules))
    assert rec.decision is Decision.NOT_RECOMMENDED
    assert rec.deciding_rule == "acts"
    assert [r.rule for r in rec.unmet] == ["acts"]


def test_before_commencement_the_order_is_not_available(mini_rules: RuleSet) -> None:
    rec = spo(assess(case(assessed_on="2019-06-01"), rules=mini_rules))
    assert rec.decision is Decision.NOT_AVAILABLE
    assert rec.deciding_rule == "spo.in_force"
    assert rec.limbs[0].status == "not_met" and rec.limbs[0].gate


def test_as_of_ignores_later_incidents_and_rules_not_yet_in_force(mini_rules: RuleSet) -> None:
    facts = case(assessed_on="2021-05-15", suspect={"age": 30}, relationship="ex_spouse",
                 victim={"very_frightened": False}, indicators={"threats_to_kill": False},
                 incidents=[incident("2020-06-01", "following", violence=False),
                            incident("2021-05-01", "loitering", violence=True)])
    early = assess(facts, as_of=date(2020, 7, 1), rules=mini_rules)
    assert early.as_of == date(2020, 7, 1)
    assert early.stalking.acts == ["following"]
    # risk.medium_age is in force only from 2021-01-01 and the violence is dated
    # 2021-05-01: on 2020-07-01 every risk ground is known to fail.
    assert spo(early).decision is Decision.NOT_RECOMMENDED
    late = assess(facts, rules=mini_rules)
    assert late.as_of == date(2021, 5, 15)
    assert late.stalking.acts == ["following", "loitering"]
    assert spo(late).decision is Decision.RECOMMENDED


def test_within_days_window_is_relative_to_as_of(mini_rules: RuleSet) -> None:
    facts = case(incidents=[incident("2021-01-30", "following", violence=True)])
    # 30 days before 2021-03-01 is 2021-01-30: the window includes its first day.
    assert assess(facts, as_of=date(2021, 3, 1), rules=mini_rules).risk.level == "high"
    assert assess(facts, as_of=date(2021, 3, 2), rules=mini_rules).risk.level == "standard"


def test_risk_reports_what_could_raise_it(mini_rules: RuleSet) -> None:
    risk = assess(case(victim={"very_frightened": True}), rules=mini_rules).risk
    assert risk.level == "medium"
    assert risk.indicators == []
    assert risk.unknown == ["indicators.threats_to_kill"]


def test_json_output_has_the_contract_keys(mini_rules: RuleSet) -> None:
    data = assess(case(incidents=[incident("2021-02-01", "following")]),
                  rules=mini_rules).model_dump(mode="json")
    assert {"case_id", "as_of", "ruleset", "recommendations", "risk", "stalking"} <= set(data)
    assert set(data["ruleset"]) == {"name", "version", "sha256"}
    rec = data["recommendations"][0]
    assert {"order", "decision", "reasons", "unmet", "unknown"} <= set(rec)
    assert set(rec["reasons"][0]) == {"rule", "text", "citation"}
    assert data["as_of"] == "2021-03-01"
    assert json.loads(json.dumps(data)) == data
    assert len(data["input_sha256"]) == 64


def test_same_case_gives_identical_results_and_hash(mini_rules: RuleSet) -> None:
    facts = case(incidents=[incident("2021-02-01", "following")])
    assert assess(facts, rules=mini_rules) == assess(dict(facts), rules=mini_rules)


def test_bad_case_raises_case_error_listing_every_problem(mini_rules: RuleSet) -> None:
    with pytest.raises(CaseError) as caught:
        assess({"case_id": "X", "victim": {"very_frigthened": True}, "suspect": {"age": 300}},
               rules=mini_rules)
    locations = sorted(p.location for p in caught.value.problems)
    assert locations == ["suspect.age", "victim.very_frigthened"]


def test_text_markdown_and_html_renderings_show_decisions(mini_rules: RuleSet) -> None:
    result = assess(case(incidents=[incident("2021-02-01", "following", violence=True)]),
                    rules=mini_rules)
    assert "  Test order — recommended: all 3 limbs met\n" in result.explain()
    assert "- Test order — recommended: all 3 limbs met\n" in result.to_markdown()
    html = result._repr_html_()
    assert "<details>" in html and "all 3 limbs met" in html and "http" not in html
