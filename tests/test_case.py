"""Tests for spo_advisor.model.case: the public input contract and its error reporting."""

import copy
import dataclasses
import json
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from spo_advisor.model.case import (
    ActionType,
    Behaviour,
    Case,
    Fear,
    Four,
    Incident,
    Jurisdiction,
    OrderType,
    ReasonCode,
    Relationship,
    Stage,
    Suspect,
    Target,
    Threat,
    canonical_json,
    case_json_schema,
)
from spo_advisor.model.case_reading import MAX_BYTES, load_case, parse_case_text
from spo_advisor.model.errors import CaseError, Problem

# The example from the contract (docs: "The public contract"), as a dict.
CONTRACT_EXAMPLE: dict[str, Any] = {
    "case_id": "CLE-21-0042",
    "assessed_on": "2021-03-14",
    "police_force": "cleveland",
    "jurisdiction": "england_and_wales",
    "london_borough": None,
    "suspect": {"age": 34, "lives_in_force_area": True, "in_or_coming_to_force_area": None},
    "victim": {
        "age": 29,
        "very_frightened": True,
        "fears": ["violence"],
        "substantial_adverse_effect": True,
    },
    "relationship": "ex_intimate_partner",
    "separated_on": "2020-11-01",
    "incidents": [
        {
            "date": "2021-01-05",
            "behaviours": ["following", "loitering"],
            "target": "victim",
            "threats": [],
            "violence": False,
            "strangulation": False,
            "weapon": False,
            "abroad": False,
            "sexual_behaviour": False,
        }
    ],
    "indicators": {
        "threats_to_kill": None,
        "prior_stalking_or_harassment": True,
        "prior_violence": None,
        "property_damage": None,
        "visits_more_than_three_times_a_week": None,
        "third_parties_harassed": None,
        "others_recruited": None,
        "substance_misuse": None,
        "breached_bail_or_order": None,
        "suspect_suicidal": None,
        "weapons_access": None,
        "coercive_control_or_jealousy": None,
        "escalating": None,
    },
    "dash_yes_count": None,
    "criminal_justice": {
        "stage": "under_investigation",
        "remanded_in_custody": False,
        "bail_conditions": False,
        "offence_charged": None,
    },
    "victim_supports_prosecution": False,
    "existing_orders": [{"type": "spo", "protects_victim": True, "expires_on": "2022-01-20"}],
    "actions": [
        {
            "date": "2021-02-01",
            "action": "spo_considered_not_applied",
            "reasons": ["victim_does_not_support_prosecution"],
            "note": "free text",
        }
    ],
}

CONTRACT_YAML = """\
case_id: CLE-21-0042
assessed_on: 2021-03-14
police_force: cleveland
jurisdiction: england_and_wales
london_borough: null
suspect:
  age: 34
  lives_in_force_area: true
  in_or_coming_to_force_area: null
victim:
  age: 29
  very_frightened: true         # S-DASH 1
  fears: [violence]
  substantial_adverse_effect: true
relationship: ex_intimate_partner
separated_on: 2020-11-01
incidents:
  - date: 2021-01-05
    behaviours: [following, loitering]
    target: victim
    threats: []
    violence: false
    strangulation: false
    weapon: false
    abroad: false
    sexual_behaviour: false
indicators:
  threats_to_kill: null
  prior_stalking_or_harassment: true
  prior_violence: null
  property_damage: null
  visits_more_than_three_times_a_week: null
  third_parties_harassed: null
  others_recruited: null
  substance_misuse: null
  breached_bail_or_order: null
  suspect_suicidal: null
  weapons_access: null
  coercive_control_or_jealousy: null
  escalating: null
dash_yes_count: null
criminal_justice:
  stage: under_investigation
  remanded_in_custody: false
  bail_conditions: false
  offence_charged: null
victim_supports_prosecution: false
existing_orders:
  - type: spo
    protects_victim: true
    expires_on: 2022-01-20
actions:
  - date: 2021-02-01
    action: spo_considered_not_applied
    reasons: [victim_does_not_support_prosecution]
    note: free text
"""

SECRET = "Zq7SECRETJaneDoe4711"


def example(**changes: Any) -> dict[str, Any]:
    """A deep copy of the contract example with top-level keys replaced."""
    data = copy.deepcopy(CONTRACT_EXAMPLE)
    data.update(changes)
    return data


def problems_of(source: Any) -> list[Problem]:
    """The problems a bad case raises."""
    with pytest.raises(CaseError) as caught:
        load_case(source)
    return caught.value.problems


def only_problem(source: Any) -> Problem:
    problems = problems_of(source)
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------------ the contract


def test_contract_example_validates() -> None:
    case = load_case(CONTRACT_EXAMPLE)
    assert case.case_id == "CLE-21-0042"
    assert case.assessed_on == date(2021, 3, 14)
    assert case.jurisdiction is Jurisdiction.ENGLAND_AND_WALES
    assert case.relationship is Relationship.EX_INTIMATE_PARTNER
    assert case.victim.fears == [Fear.VIOLENCE]
    assert case.incidents[0].date == date(2021, 1, 5)
    assert case.incidents[0].behaviours == [Behaviour.FOLLOWING, Behaviour.LOITERING]
    assert case.incidents[0].threats == []
    assert case.incidents[0].target is Target.VICTIM
    assert case.indicators.prior_stalking_or_harassment is True
    assert case.indicators.prior_violence is None
    assert case.criminal_justice.stage is Stage.UNDER_INVESTIGATION
    assert case.existing_orders[0].type is OrderType.SPO
    assert case.existing_orders[0].expires_on == date(2022, 1, 20)
    assert case.actions[0].action is ActionType.SPO_CONSIDERED_NOT_APPLIED
    assert case.actions[0].reasons == [ReasonCode.VICTIM_DOES_NOT_SUPPORT_PROSECUTION]
    assert case.four == Four()


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def test_contract_example_round_trips_through_json() -> None:
    case = load_case(CONTRACT_EXAMPLE)
    dumped = case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    assert dumped == _without_nulls(CONTRACT_EXAMPLE)
    again = load_case(json.loads(json.dumps(dumped)))
    assert again == case
    assert canonical_json(again) == canonical_json(case)
    assert Case.model_validate_json(case.model_dump_json()) == case


def test_canonical_json_is_compact_and_sorted() -> None:
    text = canonical_json(load_case({"case_id": "A", "assessed_on": "2021-03-14"}))
    assert text == '{"assessed_on":"2021-03-14","case_id":"A"}'
    with_nulls = {"case_id": "A", "assessed_on": "2021-03-14", "victim": {"age": None},
                  "relationship_of_significant_duration": None, "risk_assessments": []}
    assert canonical_json(load_case(with_nulls)) == text  # nulls and absent keys alike
    assert " " not in text


def test_contract_yaml_file_gives_the_same_case(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CONTRACT_YAML, encoding="utf-8")
    assert load_case(path) == load_case(CONTRACT_EXAMPLE)
    assert load_case(str(path)) == load_case(CONTRACT_EXAMPLE)


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8")
    assert load_case(path) == load_case(CONTRACT_EXAMPLE)


def test_yml_extension_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "case.YML"
    path.write_bytes(b"\xef\xbb\xbfcase_id: X1\n")
    assert load_case(path).case_id == "X1"


def test_case_is_returned_as_is() -> None:
    case = load_case(CONTRACT_EXAMPLE)
    assert load_case(case) is case


def test_minimal_case_is_all_unknown() -> None:
    case = load_case({"case_id": "X"})
    assert case.suspect == Suspect()
    assert case.suspect.age is None
    assert case.victim.fears is None
    assert case.victim.very_frightened is None
    assert case.incidents == [] and case.existing_orders == [] and case.actions == []
    assert case.indicators.escalating is None
    assert case.criminal_justice.stage is None
    assert case.four.fixated is None
    assert case.jurisdiction is None and case.police_force is None


def test_incident_defaults() -> None:
    incident = Incident.model_validate({"date": "2021-01-05"})
    assert incident.behaviours == []
    assert incident.threats is None
    assert incident.target is None
    assert incident.violence is None


def test_models_are_frozen() -> None:
    case = load_case({"case_id": "X"})
    with pytest.raises(ValidationError):
        case.case_id = "Y"


def test_as_of() -> None:
    case = load_case({"case_id": "X", "assessed_on": "2021-03-14"})
    assert case.as_of() == date(2021, 3, 14)
    assert case.as_of(date(2020, 1, 1)) == date(2020, 1, 1)
    assert load_case({"case_id": "X"}).as_of() == date.today()


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (Jurisdiction, ["england_and_wales", "northern_ireland", "scotland"]),
        (Target, ["victim", "third_party"]),
        (Threat, ["violence", "sexual_violence", "kill", "suicide"]),
        (
            Fear,
            ["violence", "sexual_violence", "death", "harm_to_others"]
            + ["psychological_harm", "other"],
        ),
        (
            Stage,
            ["reported", "under_investigation", "arrested", "charged", "convicted"]
            + ["acquitted", "no_further_action"],
        ),
        (
            OrderType,
            ["spo", "interim_spo", "restraining_order", "non_molestation_order", "dvpo"]
            + ["dapo", "sexual_risk_order"],
        ),
        (
            ActionType,
            ["spo_considered_not_applied", "interim_spo_applied", "spo_applied"]
            + ["dvpn_issued", "dapn_issued", "nmo_signposted"]
            + ["restraining_order_requested", "no_action"],
        ),
    ],
)
def test_enumeration_values(enum: Any, values: list[str]) -> None:
    assert [member.value for member in enum] == values


def test_long_enumerations_have_the_contract_sizes() -> None:
    assert len(Relationship) == 17
    assert len(Behaviour) == 14
    assert len(ReasonCode) == 15  # the contract's 14 and conditions_not_met
    assert {"co_parent", "online_only", "client_or_professional"} <= set(Relationship)
    assert {"vexatious_reports", "proxy_recruitment", "tracking_device"} <= set(Behaviour)
    assert {"suspect_outside_force_area", "acts_before_2020"} <= set(ReasonCode)


def test_police_force_and_borough_are_codes_of_the_closed_lists() -> None:
    case = load_case(example(police_force="metropolitan", london_borough="croydon"))
    assert case.police_force == "metropolitan"
    assert case.london_borough == "croydon"
    assert load_case(example(police_force="ministry_of_defence_police")).police_force


# ------------------------------------------------------------------------ pinned errors

CLOSED = "not a code of the closed list (48 codes: spo-advisor schema)"
BOOL = "expected true, false or null"
DATE = "not a valid date (expected YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("changes", "code", "message", "location"),
    [
        ({"dash_yes_count": 28}, "out_of_range", "must be between 0 and 27", "dash_yes_count"),
        ({"dash_yes_count": 3.0}, "wrong_type", "expected a whole number", "dash_yes_count"),
        ({"dash_yes_count": True}, "wrong_type", "expected a whole number", "dash_yes_count"),
        ({"dash_yes_count": "3"}, "wrong_type", "expected a whole number", "dash_yes_count"),
        ({"victim_supports_prosecution": "yes"}, "wrong_type", BOOL, "victim_supports_prosecution"),
        ({"victim_supports_prosecution": 1}, "wrong_type", BOOL, "victim_supports_prosecution"),
        (
            {"victim_supports_prosecution": "true"},
            "wrong_type",
            BOOL,
            "victim_supports_prosecution",
        ),
        ({"assessed_on": "2021-02-30"}, "invalid_date", DATE, "assessed_on"),
        ({"assessed_on": "2021-3-14"}, "invalid_date", DATE, "assessed_on"),
        ({"assessed_on": "14/03/2021"}, "invalid_date", DATE, "assessed_on"),
        ({"assessed_on": "2021-03-14T10:00:00"}, "invalid_date", DATE, "assessed_on"),
        ({"assessed_on": datetime(2021, 3, 14, 10, 0)}, "invalid_date", DATE, "assessed_on"),
        ({"assessed_on": 1615680000}, "invalid_date", DATE, "assessed_on"),
        ({"separated_on": "20201101"}, "invalid_date", DATE, "separated_on"),
        ({"police_force": "Cleveland"}, "invalid_choice", CLOSED, "police_force"),
        ({"police_force": "north-wales"}, "invalid_choice", CLOSED, "police_force"),
        ({"london_borough": "1croydon"}, "invalid_choice",
         "not a code of the closed list (33 codes: spo-advisor schema)", "london_borough"),
        ({"police_force": 7}, "invalid_choice", CLOSED, "police_force"),
        ({"schema_version": "3"}, "unsupported_version",
         "not a contract version this library reads: 1, 2", "schema_version"),
        ({"jurisdiction": "scotland"}, "contradicts_force",
         "contradicts the jurisdiction of police_force", "jurisdiction"),
        ({"case_id": 42}, "wrong_type", "expected a string", "case_id"),
        ({"case_id": ""}, "out_of_range", "must be between 1 and 200 characters long", "case_id"),
        (
            {"case_id": "x" * 201},
            "out_of_range",
            "must be between 1 and 200 characters long",
            "case_id",
        ),
        ({"incidents": {"date": "2021-01-05"}}, "wrong_type", "expected a list", "incidents"),
        ({"victim": "frightened"}, "wrong_type", "expected a mapping", "victim"),
        ({"victim": [1]}, "wrong_type", "expected a mapping", "victim"),
        ({"incidents": ["2021-01-05"]}, "wrong_type", "expected a mapping", "incidents.0"),
        ({"incidents": [{}]}, "missing", "required field is missing", "incidents.0.date"),
        (
            {"incidents": [{"date": "2021-01-05", "threats": "kill"}]},
            "wrong_type",
            "expected a list",
            "incidents.0.threats",
        ),
        (
            {"incidents": [{"date": "2021-01-05", "weapon": "no"}]},
            "wrong_type",
            BOOL,
            "incidents.0.weapon",
        ),
        (
            {"existing_orders": [{"protects_victim": True}]},
            "missing",
            "required field is missing",
            "existing_orders.0.type",
        ),
        (
            {"existing_orders": [{"type": "spo", "expires_on": "2022-02-29"}]},
            "invalid_date",
            DATE,
            "existing_orders.0.expires_on",
        ),
        (
            {"actions": [{"date": "2021-02-01", "action": "no_action", "note": "n" * 2001}]},
            "out_of_range",
            "must be at most 2000 characters long",
            "actions.0.note",
        ),
        (
            {"criminal_justice": {"stage": "charged", "offence_charged": 5}},
            "wrong_type",
            "expected a string",
            "criminal_justice.offence_charged",
        ),
        ({"four": {"fixated": 0}}, "wrong_type", BOOL, "four.fixated"),
        ({"four": {"recurring": True}}, "unknown_field", "unknown field", "four.recurring"),
    ],
)
def test_pinned_errors(changes: dict[str, Any], code: str, message: str, location: str) -> None:
    problem = only_problem(example(**changes))
    assert (problem.code, problem.message, problem.location) == (code, message, location)
    assert problem.file is None and problem.line is None


def test_missing_case_id() -> None:
    data = example()
    del data["case_id"]
    problem = only_problem(data)
    assert (problem.code, problem.message, problem.location) == (
        "missing",
        "required field is missing",
        "case_id",
    )


@pytest.mark.parametrize("who", ["suspect", "victim"])
@pytest.mark.parametrize("age", [121, -1])
def test_ages_out_of_range(who: str, age: int) -> None:
    problem = only_problem({"case_id": "X", who: {"age": age}})
    assert (problem.code, problem.message, problem.location) == (
        "out_of_range",
        "must be between 0 and 120",
        f"{who}.age",
    )


@pytest.mark.parametrize("age", [0, 120])
def test_ages_at_the_bounds(age: int) -> None:
    case = load_case({"case_id": "X", "suspect": {"age": age}, "victim": {"age": age}})
    assert case.suspect.age == age and case.victim.age == age


def test_date_objects_accepted() -> None:
    case = load_case({"case_id": "X", "assessed_on": date(2024, 2, 29)})
    assert case.assessed_on == date(2024, 2, 29)


def test_unknown_field_suggests_the_closest_name() -> None:
    problem = only_problem({"case_id": "X", "victim": {"very_frigthened": True}})
    assert problem.code == "unknown_field"
    assert problem.message == "unknown field"
    assert problem.location == "victim.very_frigthened"
    assert problem.suggestion == "very_frightened"
    assert str(problem) == (
        "[unknown_field] victim.very_frigthened: unknown field; did you mean 'very_frightened'?"
    )


def test_unknown_field_far_from_any_name_has_no_suggestion() -> None:
    problem = only_problem({"case_id": "X", "zzzz": 1})
    assert (problem.location, problem.suggestion) == ("zzzz", None)


def test_unknown_field_inside_a_list_item() -> None:
    problem = only_problem({"case_id": "X", "incidents": [{"date": "2021-01-05", "behavior": []}]})
    assert problem.location == "incidents.0.behavior"
    assert problem.suggestion == "behaviours"


def test_invalid_choice_lists_the_values_and_suggests_one() -> None:
    problem = only_problem(
        {"case_id": "X", "incidents": [{"date": "2021-01-05", "behaviours": ["folowing"]}]}
    )
    assert problem.code == "invalid_choice"
    assert problem.location == "incidents.0.behaviours.0"
    assert problem.message == (
        "not one of the allowed values: following, contact, publishing, online_monitoring, "
        "loitering, property_interference, watching, turning_up, tracking_device, gifts, "
        "impersonation, third_party_contact, proxy_recruitment, vexatious_reports"
    )
    assert problem.suggestion == "following"


def test_invalid_choice_suggestion_ignores_case() -> None:
    problem = only_problem({"case_id": "X", "jurisdiction": "Scotland"})
    assert problem.message == (
        "not one of the allowed values: england_and_wales, northern_ireland, scotland"
    )
    assert problem.suggestion == "scotland"


def test_invalid_choice_of_a_non_string_has_no_suggestion() -> None:
    problem = only_problem({"case_id": "X", "relationship": 3})
    assert (problem.code, problem.location, problem.suggestion) == (
        "invalid_choice",
        "relationship",
        None,
    )


def test_all_problems_are_collected() -> None:
    problems = problems_of(
        {"case_id": "X", "suspect": {"age": 121}, "victim": {"very_frightened": "yes"}}
    )
    assert [(p.code, p.location) for p in problems] == [
        ("out_of_range", "suspect.age"),
        ("wrong_type", "victim.very_frightened"),
    ]


def test_error_text_lists_every_problem() -> None:
    with pytest.raises(CaseError) as caught:
        load_case({"case_id": "X", "dash_yes_count": -1, "police_force": "X"})
    assert str(caught.value).splitlines() == [
        f"[invalid_choice] police_force: {CLOSED}",
        "[out_of_range] dash_yes_count: must be between 0 and 27",
    ]


def test_non_string_key_is_refused_without_showing_it() -> None:
    problem = only_problem({"case_id": "X", "victim": {7: True}})
    assert (problem.code, problem.message, problem.location) == (
        "wrong_type",
        "field names must be strings",
        "victim",
    )


# ---------------------------------------------------------------- no value ever echoed


def _all_text(error: CaseError) -> str:
    parts = [str(error), repr(error)]
    for problem in error.problems:
        parts.extend(str(value) for value in dataclasses.astuple(problem))
        parts.append(repr(problem))
    return "\n".join(parts)


BAD_WITH_SECRET: dict[str, Any] = {
    "case_id": SECRET * 20,
    "assessed_on": SECRET,
    "police_force": SECRET,
    "london_borough": SECRET,
    "jurisdiction": SECRET,
    "relationship": SECRET,
    "separated_on": SECRET,
    "dash_yes_count": SECRET,
    "victim_supports_prosecution": SECRET,
    "suspect": SECRET,
    "victim": {
        "age": SECRET,
        "very_frightened": SECRET,
        "fears": [SECRET],
        "unknown_key": SECRET,
        f"{SECRET} lives at 1 High Street": True,
    },
    "incidents": [
        {"date": SECRET, "behaviours": [SECRET], "threats": SECRET, "target": SECRET},
        SECRET,
    ],
    "indicators": [SECRET],
    "criminal_justice": {"stage": SECRET, "offence_charged": SECRET * 20},
    "existing_orders": [{"type": SECRET, "expires_on": SECRET, "protects_victim": SECRET}],
    "actions": [{"date": SECRET, "action": SECRET, "reasons": [SECRET], "note": SECRET * 200}],
    "four": {"fixated": SECRET},
}


def test_rejected_values_are_never_echoed() -> None:
    with pytest.raises(CaseError) as caught:
        load_case(BAD_WITH_SECRET)
    error = caught.value
    assert len(error.problems) == 31  # one per bad value above: all collected
    assert {problem.code for problem in error.problems} == {
        "out_of_range",
        "invalid_date",
        "invalid_choice",
        "wrong_type",
        "unknown_field",
    }
    assert SECRET not in _all_text(error)
    assert SECRET.lower() not in _all_text(error).lower()
    assert "victim.<key>" in {problem.location for problem in error.problems}
    assert error.__cause__ is None and error.__suppress_context__


@pytest.mark.parametrize(
    "text",
    [
        f"case_id: x\nvictim:\n  age: {SECRET}\n  very_frightened: {SECRET}\n",
        f"case_id: x\nincidents:\n  - date: {SECRET}\n    behaviours: [{SECRET}]\n",
        f"case_id: x\nnote: !!int {SECRET}\n",
        f"case_id: x\nnote: !!float {SECRET}\n",
        f'case_id: "{SECRET}\n',
        f"case_id: x\nvictim: {{age: {SECRET}\n",
        f"case_id: x\n  bad: {SECRET}\n",
        f"case_id: {SECRET}\ncase_id: {SECRET}\n",
        f"case_id: x\nnote: {SECRET}\x07\n",
        f"- {SECRET}\n",
    ],
)
def test_rejected_values_are_never_echoed_from_yaml(text: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text(text, filename="case.yaml")
    assert SECRET not in _all_text(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        f'{{"case_id": "x", "victim": {{"age": "{SECRET}"}}}}',
        f'{{"case_id": "{SECRET}", "victim": ',
        f'{{"case_id": "x", "victim": {{"age": {SECRET}}}}}',
        f'{{"case_id": "x", "case_id": "{SECRET}"}}',
    ],
)
def test_rejected_values_are_never_echoed_from_json(text: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text(text, filename="case.json")
    assert SECRET not in _all_text(caught.value)


# ------------------------------------------------------------------- files and YAML safety


def test_yaml_problems_carry_file_line_and_column() -> None:
    text = "case_id: X\nvictim:\n  age: 121\nincidents:\n  - behaviours: [folowing]\n"
    with pytest.raises(CaseError) as caught:
        parse_case_text(text, filename="cases/a.yaml")
    assert str(caught.value).splitlines() == [
        "cases/a.yaml:3:3: [out_of_range] victim.age: must be between 0 and 120",
        "cases/a.yaml:5:5: [missing] incidents.0.date: required field is missing",
        (
            "cases/a.yaml:5:18: [invalid_choice] incidents.0.behaviours.0: not one of the "
            "allowed values: following, contact, publishing, online_monitoring, loitering, "
            "property_interference, watching, turning_up, tracking_device, gifts, "
            "impersonation, third_party_contact, proxy_recruitment, vexatious_reports; "
            "did you mean 'following'?"
        ),
    ]


def test_parse_case_text_default_filename() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("case_id: X\nsuspect: {age: -1}\n")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("<input>", 2, 11)


def test_yaml_dates_and_datetimes() -> None:
    case = parse_case_text("case_id: X\nassessed_on: 2021-03-14\n")
    assert case.assessed_on == date(2021, 3, 14)
    for bad in ("2021-02-30", "2021-03-14 10:00:00", "2021-03-14T10:00:00Z"):
        with pytest.raises(CaseError) as caught:
            parse_case_text(f"case_id: X\nassessed_on: {bad}\n")
        (problem,) = caught.value.problems
        assert (problem.code, problem.location, problem.line) == ("invalid_date", "assessed_on", 2)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes"])
def test_yaml_1_1_booleans_are_refused(word: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text(f"case_id: X\nvictim:\n  very_frightened: {word}\n")
    (problem,) = caught.value.problems
    assert (problem.code, problem.message) == ("wrong_type", BOOL)


@pytest.mark.parametrize(("word", "value"), [("true", True), ("False", False), ("null", None)])
def test_yaml_true_false_null(word: str, value: bool | None) -> None:
    case = parse_case_text(f"case_id: X\nvictim:\n  very_frightened: {word}\n")
    assert case.victim.very_frightened is value


def test_python_tags_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"case_id: X\nnote: !!python/object/apply:os.system ['touch {marker}']\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as caught:
        load_case(path)
    (problem,) = caught.value.problems
    assert problem.code == "unsupported_tag"
    assert problem.message == "unsupported YAML tag (tags that build objects are not allowed)"
    assert (problem.file, problem.line) == (str(path), 2)
    assert not marker.exists()


def test_top_level_python_object_tag_is_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("!!python/object:pathlib.Path {}\n")
    assert caught.value.problems[0].code == "unsupported_tag"


BILLION_LAUGHS = """\
case_id: X
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
incidents: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(CaseError) as caught:
        parse_case_text(BILLION_LAUGHS)
    assert time.perf_counter() - start < 2
    (problem,) = caught.value.problems
    assert (problem.code, problem.message) == (
        "too_large",
        "more than 1,000,000 values once YAML aliases are expanded",
    )


def _aliases(count: int) -> str:
    return "case_id: X\nx: &x 1\ny: [" + ", ".join(["*x"] * count) + "]\n"


def test_more_than_a_thousand_aliases_are_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text(_aliases(1001))
    (problem,) = caught.value.problems
    assert (problem.code, problem.message) == ("too_many_aliases", "more than 1,000 YAML aliases")
    # a thousand are parsed (and then refused only as unknown fields)
    with pytest.raises(CaseError) as caught:
        parse_case_text(_aliases(1000))
    assert {p.code for p in caught.value.problems} == {"unknown_field"}


def test_aliases_within_limits_work() -> None:
    case = parse_case_text("case_id: X\nsuspect: &p {age: 30}\nvictim: *p\n")
    assert case.suspect.age == case.victim.age == 30


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("case_id: X\nincidents: &i [*i]\n")
    (problem,) = caught.value.problems
    assert problem.code == "invalid_yaml"
    assert problem.message == "not valid YAML: an alias refers to a node that contains it"


def test_duplicate_yaml_key_is_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("case_id: X\nvictim:\n  age: 3\n  age: 4\n", filename="d.yaml")
    assert str(caught.value) == "d.yaml:4:3: [duplicate_key] victim.age: key appears more than once"


def test_duplicate_json_key_is_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text('{"case_id": "X", "case_id": "Y"}', filename="d.json")
    (problem,) = caught.value.problems
    assert (problem.code, problem.location) == ("duplicate_key", "case_id")


def test_yaml_syntax_error() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("case_id: X\nvictim: {age: 3\n", filename="s.yaml")
    (problem,) = caught.value.problems
    assert problem.code == "invalid_yaml"
    assert problem.message.startswith("not valid YAML: ")
    assert problem.file == "s.yaml" and problem.line == 3


def test_multiple_yaml_documents_are_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("case_id: X\n---\ncase_id: Y\n")
    assert caught.value.problems[0].code == "invalid_yaml"


def test_deeply_nested_yaml_is_refused() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text("[" * 10_000)
    assert caught.value.problems[0].message == "not valid YAML: nested too deeply"


def test_invalid_json_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "case_id": "X",\n  oops\n}', encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    (problem,) = caught.value.problems
    assert problem.code == "invalid_json"
    assert problem.message == "not valid JSON: Expecting property name enclosed in double quotes"
    assert (problem.line, problem.column) == (3, 3)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("- case_id: X\n", "wrong_type", "expected a mapping"),
        ("just a string\n", "wrong_type", "expected a mapping"),
        ("42\n", "wrong_type", "expected a mapping"),
        ("", "empty", "the document is empty"),
        ("# only a comment\n", "empty", "the document is empty"),
        ("null\n", "empty", "the document is empty"),
    ],
)
def test_top_level_must_be_a_mapping(text: str, code: str, message: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text(text)
    (problem,) = caught.value.problems
    assert (problem.code, problem.message, problem.location) == (code, message, "")


def test_json_top_level_must_be_a_mapping() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case_text('["case_id"]', filename="x.json")
    assert caught.value.problems[0].code == "wrong_type"


@pytest.mark.parametrize("source", [["case_id", "X"], 42, None])
def test_load_case_of_a_non_mapping(source: Any) -> None:
    problem = only_problem(source)
    assert problem.code in ("wrong_type", "empty")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    problem = only_problem(path)
    assert (problem.code, problem.message, problem.file) == (
        "file_not_found",
        "file not found",
        str(path),
    )


def test_directory_is_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    problem = only_problem(folder)
    assert (problem.code, problem.message) == ("unreadable", "cannot read the file")


def test_non_utf8_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("case_id: Bj\xf6rk\n".encode("latin-1"))
    problem = only_problem(path)
    assert (problem.code, problem.message) == ("unreadable", "not UTF-8 text")


def test_wrong_extension(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text("case_id: X\n", encoding="utf-8")
    problem = only_problem(path)
    assert (problem.code, problem.message) == (
        "unsupported_file_type",
        "expected a .yaml, .yml or .json file",
    )


def test_file_over_5_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"case_id: X\n" + b"#" * MAX_BYTES)
    problem = only_problem(path)
    assert (problem.code, problem.message) == ("too_large", "larger than 5 MB")
    with pytest.raises(CaseError) as caught:
        parse_case_text("#" * (MAX_BYTES + 1))
    assert caught.value.problems[0].code == "too_large"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), json_file=st.booleans())
def test_any_text_gives_a_case_or_a_case_error(text: str, json_file: bool) -> None:
    try:
        parse_case_text(text, filename="fuzz.json" if json_file else "fuzz.yaml")
    except CaseError as error:
        assert error.problems
        assert all(problem.code and problem.message for problem in error.problems)


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_dates_round_trip(day: date) -> None:
    incident = Incident.model_validate({"date": day.isoformat()})
    assert incident.date == day
    assert Incident.model_validate(incident.model_dump(mode="json")) == incident


# ------------------------------------------------------------------------ JSON Schema


def test_json_schema() -> None:
    schema = case_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "spo_advisor case"
    assert schema["description"]
    assert schema["required"] == ["case_id"]
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is False, name
    victim = schema["$defs"]["Victim"]["properties"]
    assert "S-DASH item 1" in victim["very_frightened"]["description"]
    json.dumps(schema)


def test_every_field_is_described() -> None:
    schema = case_json_schema()
    objects = [schema] + [d for d in schema["$defs"].values() if d.get("type") == "object"]
    for definition in objects:
        assert definition.get("description"), definition.get("title")
        for name, prop in definition["properties"].items():
            assert prop.get("description"), name


def test_json_schema_property_names_match_the_contract() -> None:
    schema = case_json_schema()
    assert list(schema["properties"]) == [
        "schema_version",
        "case_id",
        "assessed_on",
        "police_force",
        "jurisdiction",
        "london_borough",
        "suspect",
        "victim",
        "relationship",
        "relationship_of_significant_duration",
        "household_merely_commercial",
        "separated_on",
        "incidents",
        "indicators",
        "dash_yes_count",
        "criminal_justice",
        "victim_supports_prosecution",
        "existing_orders",
        "actions",
        "four",
        "risk_assessments",
    ]
    assert set(schema["$defs"]["Four"]["properties"]) == {
        "fixated", "obsessive", "unwanted", "repeated"}
