"""The replay without hindsight (issue 12): each date reads the risk facts, orders and
criminal-justice stage known then; undated facts a decision turned on are assumptions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import incident

from spo_advisor.language.rules import RuleSet
from spo_advisor.model.digest import record_digest
from spo_advisor.model.logic import Decision
from spo_advisor.review.replay import review


def case(**changes: Any) -> dict[str, Any]:
    """Following and a threat from January; the victim's fear and FOUR are recorded only
    by an S-DASH dated 15 February."""
    data: dict[str, Any] = {
        "case_id": "HS-1", "assessed_on": "2021-03-14", "police_force": "cleveland",
        "suspect": {"age": 34, "lives_in_force_area": True},
        "victim": {"age": 29},
        "relationship": "ex_intimate_partner",
        "incidents": [
            incident("2021-01-05", "following", "loitering", target="victim"),
            incident("2021-01-12", "contact", target="victim", threats=["violence"]),
            incident("2021-03-01", "turning_up", target="victim"),
        ],
        "risk_assessments": [{
            "date": "2021-02-15", "tool": "s_dash",
            "victim": {"very_frightened": True, "fears": ["violence"]},
            "four": {"fixated": True, "obsessive": True, "unwanted": True}}],
        "criminal_justice": {"stage": "under_investigation", "remanded_in_custody": False,
                             "bail_conditions": False},
        "actions": [{"date": "2021-02-10", "action": "spo_considered_not_applied",
                     "reasons": ["victim_does_not_support_prosecution"]}],
    }
    data.update(changes)
    return data


def spo_by_date(shipped_rules: RuleSet, **changes: Any) -> dict[str, Decision]:
    result = review(case(**changes), rules=shipped_rules)
    return {str(row.date): row.decisions["spo"] for row in result.timeline}


def test_not_recommended_before_the_dated_risk_assessment(shipped_rules: RuleSet) -> None:
    result = review(case(), rules=shipped_rules)
    assert result.first_recommended["spo"] == date(2021, 2, 15)
    assert {str(row.date): row.decisions["spo"] for row in result.timeline} == {
        "2021-01-05": Decision.CONSIDER, "2021-01-12": Decision.CONSIDER,
        "2021-02-10": Decision.CONSIDER, "2021-02-15": Decision.RECOMMENDED,
        "2021-03-01": Decision.RECOMMENDED}
    assert result.assumptions == []
    assert ("On 2021-02-10 the rules left an SPO to judgement (consider) when the recorded "
            "decision was not to apply: the record should show the grounds.") in result.findings


def test_each_risk_assessment_date_is_a_replay_date(shipped_rules: RuleSet) -> None:
    rows = review(case(), rules=shipped_rules).timeline
    (row,) = [row for row in rows if row.date == date(2021, 2, 15)]
    assert (row.incidents, row.actions, row.risk_assessments) == (0, [], 1)


def test_an_undated_fact_a_decision_turned_on_is_an_assumption(
        shipped_rules: RuleSet) -> None:
    result = review(case(victim={"age": 29, "very_frightened": True}), rules=shipped_rules)
    assert result.first_recommended["spo"] == date(2021, 1, 12)
    assert result.assumptions == ["victim.very_frightened"]
    assert [(str(r.date), r.assumed) for r in result.timeline] == [
        ("2021-01-05", []), ("2021-01-12", ["victim.very_frightened"]),
        ("2021-02-10", ["victim.very_frightened"]), ("2021-02-15", []), ("2021-03-01", [])]
    assert ('Assumed known from 2021-01-12: "Is the victim very frightened?" yes; no dated '
            "risk assessment records it.") in result.findings


def test_an_undated_fact_no_decision_turned_on_is_not_listed(shipped_rules: RuleSet) -> None:
    result = review(case(victim={"age": 29, "substantial_adverse_effect": False}),
                    rules=shipped_rules)
    assert result.assumptions == []


def test_an_undated_order_is_an_assumption(shipped_rules: RuleSet) -> None:
    orders = [{"type": "spo", "protects_victim": True, "expires_on": "2022-01-01"}]
    result = review(case(existing_orders=orders), rules=shipped_rules)
    assert "existing_orders[0]" in result.assumptions
    assert any(text.startswith("Assumed known from 2021-01-05: the existing order "
                               "existing_orders[0] (Stalking Protection Order); it has no date "
                               "made (made_on).") for text in result.findings)
    dated = [{**orders[0], "made_on": "2021-02-01"}]
    later = review(case(existing_orders=dated), rules=shipped_rules)
    assert later.assumptions == []
    variation = {str(r.date): r.decisions["spo_variation"] for r in later.timeline}
    assert variation["2021-01-12"] is Decision.NOT_AVAILABLE


@pytest.mark.parametrize(("stage_on", "assumed"), [(None, True), ("2021-01-10", False)])
def test_the_criminal_justice_stage_by_its_date(shipped_rules: RuleSet, stage_on: str | None,
                                                assumed: bool) -> None:
    justice = {"stage": "convicted", "stage_on": stage_on, "offence_charged": "pha_s4a"}
    result = review(case(criminal_justice=justice), rules=shipped_rules)
    order = {str(r.date): r.decisions["restraining_order"] for r in result.timeline}
    assert ("criminal_justice.stage" in result.assumptions) is assumed
    if not assumed:
        assert order["2021-01-05"] is Decision.NOT_RECOMMENDED
        assert order["2021-01-12"] is not Decision.NOT_RECOMMENDED


def test_a_reason_sound_then_but_not_later_is_said(shipped_rules: RuleSet) -> None:
    orders = [{"type": "spo", "protects_victim": True, "made_on": "2020-06-01",
               "expires_on": "2021-02-12"}]
    actions = [{"date": "2021-02-10", "action": "spo_considered_not_applied",
                "reasons": ["existing_order_in_force"]}]
    result = review(case(existing_orders=orders, actions=actions), rules=shipped_rules)
    assert result.actions[0].reasons[0].valid is True
    assert ('The reason recorded on 2021-02-10, "an order already in force", was a sound reason '
            "on that date but not a legal bar from 2021-02-15.") in result.findings


def test_json_carries_the_review_contract(shipped_rules: RuleSet) -> None:
    data = review(case(incidents=[*case()["incidents"], incident("2021-04-01", "contact")],
                       actions=[{"date": "2021-02-10", "action": "spo_considered_not_applied",
                                 "reasons": ["suspect_outside_force_area"]}],
                       suspect={"age": 34, "lives_in_force_area": False}),
                  rules=shipped_rules).model_dump(mode="json")
    assert list(data)[:3] == ["schema_version", "case_id", "as_of"]
    assert (data["schema_version"], data["as_of"]) == ("2", "2021-03-14")
    assert data["excluded"] == [{"path": "incidents[3]", "date": "2021-04-01"}]
    assert data["assumptions"] == []
    assert data["actions"][0]["reasons"][0]["valid"] is None
    assert data["record_sha256"] == record_digest(data)
