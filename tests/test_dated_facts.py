"""What was known on a date: dated risk assessments merged with the undated record, derived
escalation from the incident windows, and records dated after the date left out and listed
(docs/contract.md, "Decisions" and "Assessment (output)")."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import incident

from spo_advisor.advice.assess import assess
from spo_advisor.engine.escalation import severity_band
from spo_advisor.engine.facts import excluded_records
from spo_advisor.engine.risk_record import risk_facts_on
from spo_advisor.engine.timeline import Timeline
from spo_advisor.model.case_reading import load_case


def case(**fields: Any) -> dict[str, Any]:
    return {"case_id": "D-1", "assessed_on": "2021-06-30", **fields}


ASSESSMENTS = [
    {"date": "2021-02-15", "victim": {"very_frightened": False, "fears": ["violence"]}},
    {"date": "2021-04-01", "victim": {"very_frightened": True}},
    {"date": "2021-04-01", "victim": {"very_frightened": False}, "four": {"fixated": True}},
]


def test_undated_facts_describe_the_record_on_and_after_assessed_on() -> None:
    known = load_case(case(victim={"very_frightened": True}, risk_assessments=ASSESSMENTS))
    facts = risk_facts_on(known, date(2021, 6, 30))
    assert facts.values["victim.very_frightened"] is True
    assert facts.assumed == ()
    # a fact the undated record leaves null is taken from the latest assessment
    assert facts.values["four.fixated"] is True
    assert facts.values["victim.fears"] == ["violence"]


def test_before_assessed_on_the_latest_assessment_holding_the_fact_wins() -> None:
    known = load_case(case(victim={"very_frightened": True}, risk_assessments=ASSESSMENTS))
    # two assessments on 2021-04-01: the later in the list wins the tie
    assert risk_facts_on(known, date(2021, 4, 1)).values["victim.very_frightened"] is False
    assert risk_facts_on(known, date(2021, 3, 1)).values["victim.very_frightened"] is False
    assert risk_facts_on(known, date(2021, 3, 1)).assumed == ()


def test_an_undated_fact_used_before_assessed_on_is_an_assumption() -> None:
    known = load_case(case(victim={"very_frightened": True},
                           indicators={"threats_to_kill": True},
                           risk_assessments=ASSESSMENTS))
    before_any = risk_facts_on(known, date(2021, 1, 1))
    assert before_any.values["victim.very_frightened"] is True
    assert set(before_any.assumed) == {"victim.very_frightened", "indicators.threats_to_kill"}
    assert "victim.very_frightened" not in risk_facts_on(known, date(2021, 3, 1)).assumed


def test_assess_reads_the_facts_known_on_its_date() -> None:
    facts = case(victim={"very_frightened": True, "substantial_adverse_effect": False},
                 indicators={name: False for name in (
                     "threats_to_kill", "prior_stalking_or_harassment", "prior_violence",
                     "property_damage", "visits_more_than_three_times_a_week",
                     "third_parties_harassed", "others_recruited", "substance_misuse",
                     "breached_bail_or_order", "suspect_suicidal", "weapons_access",
                     "coercive_control_or_jealousy", "escalating")},
                 dash_yes_count=0,
                 risk_assessments=[{"date": "2021-01-10", "victim": {"very_frightened": False}}],
                 incidents=[incident("2021-01-05", "following")])
    early, late = assess(facts, as_of=date(2021, 2, 1)), assess(facts)
    assert "victim_very_frightened" not in early.risk.indicators
    assert "victim_very_frightened" in late.risk.indicators


def escalating(incidents: list[dict[str, Any]]) -> bool:
    return Timeline(load_case(case(incidents=incidents)).incidents).escalating(date(2021, 6, 30))


def test_escalation_compares_two_windows_of_90_days() -> None:
    earlier = [incident("2021-02-01", "contact")]
    assert escalating(earlier) is False
    more = earlier + [incident("2021-05-01", "contact"), incident("2021-06-01", "contact")]
    assert escalating(more) is True
    same = earlier + [incident("2021-05-01", "contact")]
    assert escalating(same) is False
    graver = earlier + [incident("2021-05-01", "contact", violence=True)]
    assert escalating(graver) is True
    wider = earlier + [incident("2021-05-01", "following")]
    assert escalating(wider) is True


def test_three_call_outs_in_a_year_are_not_escalation() -> None:
    steady = [incident(day, "contact") for day in ("2020-09-01", "2021-01-10", "2021-05-20")]
    result = assess(case(incidents=steady, indicators={"escalating": None}))
    assert "escalation" not in result.risk.indicators


def test_severity_bands() -> None:
    bands = [severity_band(load_case(case(incidents=[item])).incidents[0]) for item in (
        incident("2021-01-01", "gifts"), incident("2021-01-01", "loitering"),
        incident("2021-01-01", "contact", threats=["violence"]),
        incident("2021-01-01", "contact", violence=True))]
    assert bands == [1, 2, 3, 4]


def test_records_dated_after_the_date_are_listed_not_dropped_silently() -> None:
    known = load_case(case(
        incidents=[incident("2021-01-05", "following"), incident("2021-07-02", "contact")],
        existing_orders=[{"type": "spo", "made_on": "2021-08-01"}],
        risk_assessments=[{"date": "2021-07-01"}]))
    assert excluded_records(known, date(2021, 6, 30)) == [
        ("incidents[1]", date(2021, 7, 2)), ("risk_assessments[0]", date(2021, 7, 1)),
        ("existing_orders[0]", date(2021, 8, 1))]
    result = assess(known)
    assert [item.path for item in result.excluded] == [
        "incidents[1]", "risk_assessments[0]", "existing_orders[0]"]
