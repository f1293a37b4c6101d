"""Tests for spo_advisor.review.replay and spo_advisor.review.reason_codes: the case replayed on each
date, recorded actions and reasons judged against the law of their date."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, SHIPPED_RULES, incident

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.model.case import ActionType, ReasonCode
from spo_advisor.model.errors import RuleSetError
from spo_advisor.model.logic import Decision
from spo_advisor.review.reason_codes import (
    NO_TABLE_TEXT,
    REASON_CODES_FILE,
    judge_reason,
    load_reason_table,
)
from spo_advisor.review.replay import ACTIONS, Review, review

# The contract's keys (docs/contract.md, "Review"), and what a decision record carries.
CONTRACT_KEYS = {"case_id", "timeline", "first_recommended", "actions", "findings"}
RECORD_KEYS = {"library_version", "ruleset", "as_of", "input_sha256"}

MINI_TABLE = """\
codes:
  no_charge: {valid: false, text: "No charge is needed.", citation: "test s.9"}
  victim_does_not_support_prosecution:
    {valid: false, text: "The victim's support is not needed.", citation: "test s.9"}
  suspect_remanded:
    valid_when: {field: criminal_justice.remanded_in_custody, is: true}
    text: {valid: "Remanded.", not_valid: "Not remanded.", unknown: "Remand not known."}
    citation: "test s.10"
  existing_order_in_force:
    valid_when:
      count: existing_orders
      where: {all: [{field: type, in: [spo, interim_spo]}, {field: expires_on, on_or_after: as_of}]}
      at_least: 1
    text: {valid: "An order was in force.", not_valid: "No order was in force.",
           unknown: "Not known whether an order was in force."}
    citation: "test s.11"
  conditions_not_met:
    decision_of: spo
    text: {valid: "Conditions not met.", not_valid: "Conditions met.", unknown: "For judgement."}
    citation: "test s.12"
"""


@pytest.fixture
def mini_with_table(tmp_path: Path) -> Path:
    """The mini rule set with a reason-code table of its own."""
    directory = tmp_path / "rules"
    shutil.copytree(MINI_RULES, directory)
    (directory / REASON_CODES_FILE).parent.mkdir()
    (directory / REASON_CODES_FILE).write_text(MINI_TABLE, encoding="utf-8")
    return directory


def mini_case(**changes: Any) -> dict[str, Any]:
    """Under the mini rules: acts from 2021-01-05 (SPO consider); violence on 2021-01-12
    makes risk high for 30 days (SPO recommended); one incident after the review date."""
    case: dict[str, Any] = {
        "case_id": "REV-1",
        "assessed_on": "2021-02-20",
        "victim": {"very_frightened": False},
        "indicators": {"threats_to_kill": False},
        "suspect": {"age": 30},
        "relationship": "stranger",
        "criminal_justice": {"remanded_in_custody": True},
        "incidents": [
            incident("2021-01-05", "following", violence=False, threats=[]),
            incident("2021-01-12", "loitering", violence=True),
            incident("2021-03-01", "contact", violence=False),
        ],
        "actions": [
            {"date": "2021-01-08", "action": "spo_considered_not_applied"},
            {"date": "2021-02-10", "action": "spo_considered_not_applied",
             "reasons": ["victim_does_not_support_prosecution", "suspect_remanded", "no_charge"]},
        ],
    }
    case.update(changes)
    return case


# ------------------------------------------------------------------------ the contract


def test_json_has_the_contract_keys(mini_with_table: Path) -> None:
    data = review(mini_case(), rules=mini_with_table).model_dump(mode="json")
    assert CONTRACT_KEYS | RECORD_KEYS <= set(data)
    assert set(data["ruleset"]) == {"name", "version", "sha256"}
    assert all({"date", "decisions"} <= set(row) for row in data["timeline"])
    action = data["actions"][1]
    assert {"date", "action", "decisions_then", "reasons"} <= set(action)
    assert all({"code", "valid", "text", "citation"} <= set(r) for r in action["reasons"])
    assert all(isinstance(finding, str) for finding in data["findings"])


def test_json_round_trips(mini_with_table: Path) -> None:
    result = review(mini_case(), rules=mini_with_table)
    text = json.dumps(result.model_dump(mode="json"))
    assert Review.model_validate_json(text) == result


def test_record_fields_match_the_assessment_of_the_same_date(mini_rules: Any) -> None:
    result = review(mini_case(), rules=mini_rules)
    assessment = assess(mini_case(), rules=mini_rules)
    assert result.as_of == assessment.as_of == date(2021, 2, 20)
    assert result.ruleset == assessment.ruleset
    assert result.input_sha256 == assessment.input_sha256
    assert result.library_version == assessment.library_version
    assert result.assessment == assessment


# ---------------------------------------------------------------------------- timeline


def test_one_row_per_incident_and_action_date_up_to_the_review_date(mini_rules: Any) -> None:
    rows = review(mini_case(), rules=mini_rules).timeline
    assert [(str(r.date), r.incidents, r.actions) for r in rows] == [
        ("2021-01-05", 1, []),
        ("2021-01-08", 0, ["spo_considered_not_applied"]),
        ("2021-01-12", 1, []),
        ("2021-02-10", 0, ["spo_considered_not_applied"]),
    ]
    # before the violence every risk ground is known to fail: the risk limb is not met
    assert [r.decisions["spo"] for r in rows] == [
        Decision.NOT_RECOMMENDED, Decision.NOT_RECOMMENDED, Decision.RECOMMENDED,
        Decision.RECOMMENDED]
    assert [r.risk for r in rows] == ["standard", "standard", "high", "high"]


def test_each_row_uses_only_what_was_known_on_its_date(mini_rules: Any) -> None:
    # Violence 31 days before the action is outside the mini rule's 30-day window.
    case = mini_case(actions=[{"date": "2021-02-12", "action": "no_action"}])
    rows = {str(r.date): r.decisions["spo"] for r in review(case, rules=mini_rules).timeline}
    assert rows == {"2021-01-05": Decision.NOT_RECOMMENDED, "2021-01-12": Decision.RECOMMENDED,
                    "2021-02-12": Decision.NOT_RECOMMENDED}


def test_each_row_uses_the_law_in_force_on_its_date(mini_rules: Any) -> None:
    case = mini_case(incidents=[incident("2019-12-01", "following", violence=True),
                                incident("2020-02-01", "following", violence=True)],
                     actions=[])
    rows = {str(r.date): r.decisions["spo"] for r in review(case, rules=mini_rules).timeline}
    assert rows == {"2019-12-01": Decision.NOT_AVAILABLE, "2020-02-01": Decision.RECOMMENDED}


def test_first_recommended_has_every_order_and_null_for_never(shipped_rules: Any) -> None:
    case = {"case_id": "REV-2", "assessed_on": "2021-03-01", "jurisdiction": "england_and_wales",
            "police_force": "cleveland", "incidents": [incident("2021-02-01", "following")]}
    result = review(case, rules=shipped_rules)
    assert list(result.first_recommended) == list(shipped_rules.orders)
    assert result.first_recommended["spo_variation"] is None


def test_first_recommended_is_the_first_row_recommending(mini_rules: Any) -> None:
    result = review(mini_case(), rules=mini_rules)
    assert result.first_recommended == {"spo": date(2021, 1, 12)}
    never = review(mini_case(incidents=[incident("2021-01-05", "following", violence=False)]),
                   rules=mini_rules)
    assert never.first_recommended == {"spo": None}


def test_conduct_marks_one_per_incident_three_valued(mini_rules: Any) -> None:
    case = mini_case(incidents=[
        incident("2021-01-05", "following", violence=False, strangulation=False, weapon=False,
                 threats=[]),
        incident("2021-01-06", "contact", threats=["kill"]),
        incident("2021-01-07", "watching", violence=False),
    ])
    marks = review(case, rules=mini_rules).conduct
    assert [(str(m.date), m.behaviours, m.violence_or_threats) for m in marks] == [
        ("2021-01-05", ["following"], False),
        ("2021-01-06", ["contact"], True),
        ("2021-01-07", ["watching"], None),
    ]


# ------------------------------------------------------------------------------ reasons


def test_reasons_judged_with_text_and_citation(mini_with_table: Path) -> None:
    action = review(mini_case(), rules=mini_with_table).actions[1]
    assert action.decisions_then == {"spo": Decision.RECOMMENDED}
    assert [(r.code, r.valid, r.text, r.citation) for r in action.reasons] == [
        ("victim_does_not_support_prosecution", False, "The victim's support is not needed.",
         "test s.9"),
        ("suspect_remanded", True, "Remanded.", "test s.10"),
        ("no_charge", False, "No charge is needed.", "test s.9"),
    ]


def test_a_reason_turning_on_an_unknown_fact_is_neither_valid_nor_invalid(
        mini_with_table: Path) -> None:
    case = mini_case(criminal_justice={"remanded_in_custody": None})
    reason = review(case, rules=mini_with_table).actions[1].reasons[1]
    assert (reason.valid, reason.text, reason.unknown) == (
        None, "Remand not known.", ["criminal_justice.remanded_in_custody"])


def test_existing_order_judged_on_the_date_of_each_action(mini_with_table: Path) -> None:
    case = mini_case(
        existing_orders=[{"type": "spo", "protects_victim": True, "expires_on": "2021-01-20"}],
        actions=[{"date": day, "action": "spo_considered_not_applied",
                  "reasons": ["existing_order_in_force"]} for day in ("2021-01-08", "2021-02-10")])
    actions = review(case, rules=mini_with_table).actions
    assert [(str(a.date), a.reasons[0].valid, a.reasons[0].text) for a in actions] == [
        ("2021-01-08", True, "An order was in force."),
        ("2021-02-10", False, "No order was in force."),
    ]


@pytest.mark.parametrize(("decision", "valid", "text"), [
    (Decision.RECOMMENDED, False, "Conditions met."),
    (Decision.CONSIDER, None, "For judgement."),
    (Decision.NOT_RECOMMENDED, True, "Conditions not met."),
    (Decision.NOT_AVAILABLE, True, "Conditions not met."),
])
def test_conditions_not_met_judged_on_the_decision_of_the_date(
        mini_with_table: Path, decision: Decision, valid: bool | None, text: str) -> None:
    ruleset = load_rules(mini_with_table)
    evaluation = evaluate_ruleset(ruleset, case_scope(review_case(), date(2021, 2, 10)))
    check = judge_reason(load_reason_table(ruleset), "conditions_not_met", evaluation,
                         {"spo": decision})
    assert (check.valid, check.text, check.citation) == (valid, text, "test s.12")


def review_case() -> Any:
    from spo_advisor.model.case_reading import load_case

    return load_case(mini_case())


def test_without_a_table_reasons_cannot_be_judged(mini_rules: Any) -> None:
    reasons = review(mini_case(), rules=mini_rules).actions[1].reasons
    assert {(r.valid, r.text, r.citation) for r in reasons} == {(None, NO_TABLE_TEXT, "")}
    assert NO_TABLE_TEXT == "This rule set has no judgement for this reason code."


# ----------------------------------------------------------------------------- findings


def test_every_recorded_action_is_named() -> None:
    assert set(ACTIONS) == {action.value for action in ActionType}


def test_findings_in_plain_language(mini_with_table: Path) -> None:
    assert review(mini_case(), rules=mini_with_table).findings == [
        ("An SPO was first indicated on 2021-01-12, 29 days before the recorded decision not "
        "to apply on 2021-02-10."),
        "No SPO application is recorded although an SPO was first indicated on 2021-01-12.",
        "2 of 3 recorded reasons are not legal bars.",
        ('Assumed known from 2021-01-05: "victim.very_frightened" no; no dated risk '
         "assessment records it."),
        ('Assumed known from 2021-01-05: "indicators.threats_to_kill" no; no dated risk '
         "assessment records it."),
        "1 record dated after 2021-02-20 was left out.",
    ]


def test_findings_for_applications_and_no_action(mini_with_table: Path) -> None:
    case = mini_case(actions=[
        {"date": "2019-12-01", "action": "spo_applied"},
        {"date": "2021-01-12", "action": "no_action", "reasons": ["no_charge"]},
        {"date": "2021-01-15", "action": "spo_applied"},
    ], criminal_justice={"remanded_in_custody": None})
    assert review(case, rules=mini_with_table).findings == [
        ("The recorded SPO application on 2019-12-01 came when the rules show an SPO not "
        "available on that date."),
        "On 2021-01-12 no action was recorded although the rules recommended an SPO.",
        ("An SPO was first indicated on 2021-01-12, 3 days before the recorded SPO application "
        "on 2021-01-15."),
        "1 of 1 recorded reason is not a legal bar.",
        ('Assumed known from 2021-01-05: "victim.very_frightened" no; no dated risk '
         "assessment records it."),
        ('Assumed known from 2021-01-05: "indicators.threats_to_kill" no; no dated risk '
         "assessment records it."),
        "1 record dated after 2021-02-20 was left out.",
    ]


def test_finding_same_day_and_reasons_not_judged(mini_rules: Any) -> None:
    case = mini_case(actions=[{"date": "2021-01-12", "action": "spo_considered_not_applied",
                               "reasons": ["no_charge", "online_only"]}],
                     incidents=[incident("2021-01-12", "loitering", violence=True)])
    assert review(case, rules=mini_rules).findings == [
        ("An SPO was first indicated on 2021-01-12, the day of the recorded decision not to "
        "apply."),
        "No SPO application is recorded although an SPO was first indicated on 2021-01-12.",
        "2 of 2 recorded reasons cannot be judged on what is recorded.",
    ]


# --------------------------------------------------------- the shipped reason-code table


def test_shipped_table_judges_every_reason_code(shipped_rules: Any) -> None:
    table = load_reason_table(shipped_rules)
    assert {code.value for code in ReasonCode} <= set(table.codes)
    for entry in table.codes.values():
        assert entry.spec.citation.strip()
    not_bars = {code for code, entry in table.codes.items() if entry.spec.valid is False}
    assert not_bars == {
        "no_charge", "insufficient_evidence_to_charge", "victim_does_not_support_prosecution",
        "domestic_context_use_dvpo", "online_only", "acts_before_2020", "acts_abroad",
        "victim_not_direct_target", "suspect_under_18", "no_previous_convictions",
        "bail_conditions_in_place"}


def shipped_case(**changes: Any) -> dict[str, Any]:
    """An ex-partner who follows and threatens a very frightened victim; the force may apply."""
    case: dict[str, Any] = {
        "case_id": "REV-3", "assessed_on": "2021-03-14", "jurisdiction": "england_and_wales",
        "police_force": "cleveland",
        "suspect": {"age": 34, "lives_in_force_area": True},
        "victim": {"age": 29, "very_frightened": True, "fears": ["violence"]},
        "relationship": "ex_intimate_partner",
        "incidents": [incident("2021-01-05", "following", "loitering", target="victim"),
                      incident("2021-01-12", "contact", target="victim", threats=["violence"])],
        "criminal_justice": {"stage": "under_investigation", "remanded_in_custody": False,
                             "bail_conditions": False},
        "actions": [{"date": "2021-02-10", "action": "spo_considered_not_applied",
                     "reasons": ["victim_does_not_support_prosecution", "no_charge",
                                 "suspect_under_18"]}],
    }
    case.update(changes)
    return case


def test_shipped_texts_for_reasons_that_are_not_bars(shipped_rules: Any) -> None:
    reasons = review(shipped_case(), rules=shipped_rules).actions[0].reasons
    assert [(r.code, r.valid, r.text, r.citation) for r in reasons] == [
        ("victim_does_not_support_prosecution", False,
         "An SPO needs neither a prosecution nor the victim's support for one.",
         ("Stalking Protection Act 2019 s.1(1); Home Office statutory guidance on SPOs (2024): "
         "the victim's support is not a condition")),
        ("no_charge", False,
         ("An SPO needs no charge: it can be sought at any stage, before charge or with no "
         "prosecution at all."),
         ("Stalking Protection Act 2019 s.1(1); Home Office statutory guidance on SPOs (2024): "
         "no conviction, charge or prosecution is required")),
        ("suspect_under_18", False,
         ("An SPO can be made against a person under 18 as well as an adult (which court hears "
         "applications against under-18s is not confirmed)."),
         ("Stalking Protection Act 2019 s.1(1); Home Office statutory guidance on SPOs (2024): "
         "adults and under-18s")),
    ]
    findings = review(shipped_case(), rules=shipped_rules).findings
    assert "3 of 3 recorded reasons are not legal bars." in findings


@pytest.mark.parametrize(("suspect", "force", "valid"), [
    ({"lives_in_force_area": False, "in_or_coming_to_force_area": False}, "cleveland", True),
    ({"lives_in_force_area": False, "in_or_coming_to_force_area": False},
     "british_transport_police", False),
    ({"lives_in_force_area": True}, "cleveland", False),
    ({"lives_in_force_area": False}, "cleveland", None),
])
def test_shipped_outside_force_area_judged_on_the_facts(
        shipped_rules: Any, suspect: dict[str, Any], force: str, valid: bool | None) -> None:
    case = shipped_case(suspect={"age": 34, **suspect}, police_force=force, actions=[
        {"date": "2021-02-10", "action": "spo_considered_not_applied",
         "reasons": ["suspect_outside_force_area"]}])
    reason = review(case, rules=shipped_rules).actions[0].reasons[0]
    assert reason.valid is valid
    assert reason.citation == "Stalking Protection Act 2019 s.1(3)"
    if valid is None:
        assert "suspect.in_or_coming_to_force_area" in reason.unknown


def test_shipped_existing_order_judged_on_each_date(shipped_rules: Any) -> None:
    case = shipped_case(
        existing_orders=[{"type": "spo", "protects_victim": True, "expires_on": "2021-02-01"}],
        actions=[{"date": day, "action": "spo_considered_not_applied",
                  "reasons": ["existing_order_in_force"]} for day in ("2021-01-20", "2021-02-10")])
    first, second = review(case, rules=shipped_rules).actions
    assert (first.reasons[0].valid, first.reasons[0].text) == (
        True, ("An SPO or interim SPO protecting the victim was in force on that date: the route "
        "is to vary or renew it, not to apply for a new one."))
    assert (second.reasons[0].valid, second.reasons[0].text) == (
        False, ("No SPO or interim SPO protecting the victim was in force on that date, and only "
        "an SPO in force stands in the way of a new one."))


def test_shipped_first_indicated_finding(shipped_rules: Any) -> None:
    result = review(shipped_case(), rules=shipped_rules)
    first = result.first_recommended["spo"]
    assert first is not None and first <= date(2021, 2, 10)
    gap = (date(2021, 2, 10) - first).days
    assert result.findings[0] == (f"An SPO was first indicated on {first}, {gap} days before "
                                  "the recorded decision not to apply on 2021-02-10.")


# ------------------------------------------------------------------ bad reason tables


def write_table(directory: Path, text: str) -> Path:
    (directory / REASON_CODES_FILE).write_text(text, encoding="utf-8")
    return directory


def test_bad_table_problems_have_file_line_and_breadcrumb(mini_with_table: Path) -> None:
    write_table(mini_with_table, """\
codes:
  no_charge:
    valid_when: {any: [{fact: acts}, {fact: risk_hihg}]}
    text: {valid: "a", not_valid: "b", unknown: "c"}
    citation: "test"
  online_only:
    decision_of: sop
    text: {valid: "a", not_valid: "b", unknown: "c"}
    citation: "test"
""")
    with pytest.raises(RuleSetError) as caught:
        review(mini_case(), rules=mini_with_table)
    path = mini_with_table / REASON_CODES_FILE
    assert [str(p) for p in caught.value.problems] == [
        (f"{path}:3:39: [unknown_fact] At ReasonCode(no_charge) > valid_when > any[1]: no rule "
        "concludes the fact 'risk_hihg'; did you mean 'risk_high'?"),
        (f"{path}:7:5: [unknown_order] At ReasonCode(online_only) > decision_of: unknown order "
        "'sop'; did you mean 'spo'?"),
    ]


def test_table_entry_needs_exactly_one_kind(mini_with_table: Path) -> None:
    write_table(mini_with_table, """\
codes:
  no_charge:
    valid: false
    decision_of: spo
    text: "x"
    citation: "test"
""")
    with pytest.raises(RuleSetError) as caught:
        load_reason_table(load_rules(mini_with_table))
    path = mini_with_table / REASON_CODES_FILE
    assert [str(p) for p in caught.value.problems] == [
        (f"{path}:2:3: [invalid_value] reason codes > codes.no_charge: Value error, give "
        "exactly one of valid, valid_when, decision_of")]


def test_shipped_rules_and_table_load() -> None:
    ruleset = load_rules(SHIPPED_RULES)
    assert load_reason_table(ruleset).sha256 is not None
