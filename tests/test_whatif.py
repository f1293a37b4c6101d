"""Tests for spo_advisor.advice.whatif: which unknown facts would change a decision, and to what."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, MINI_RULES, incident

from spo_advisor.advice import whatif
from spo_advisor.advice.assess import assess, load_rules, run_rules
from spo_advisor.advice.changes import Change
from spo_advisor.advice.whatif import what_would_change
from spo_advisor.engine import durable_host as engine
from spo_advisor.model.logic import Decision

CONTRACT_KEYS = {"field", "condition", "values", "records", "changes", "text", "question"}


def mini_case(**changes: Any) -> dict[str, Any]:
    """Under the mini rules, acts and no known risk: the SPO is 'consider' until the victim's
    fear, threats to kill, or violence in the last 30 days is known."""
    case: dict[str, Any] = {
        "case_id": "WIF-1", "assessed_on": "2021-03-01",
        "victim": {"very_frightened": False}, "indicators": {"threats_to_kill": False},
        "suspect": {"age": 30}, "relationship": "stranger",
        "incidents": [incident("2021-02-20", "following", violence=False)],
    }
    case.update(changes)
    return case


def texts(changes: list[Change]) -> list[str]:
    return [change.text for change in changes]


def test_boolean_field_tried_both_ways() -> None:
    changes = what_would_change(mini_case(victim={"very_frightened": None}), rules=MINI_RULES)
    # known false, every risk ground fails: the risk limb is not met
    assert texts(changes) == ["spo: recommended if victim.very_frightened is true",
                              "spo: not_recommended if victim.very_frightened is false"]
    change = changes[0]
    assert change.model_dump(mode="json") == {
        "field": "victim.very_frightened", "condition": "is true", "values": [True],
        "records": None, "changes": [{"order": "spo", "now": "consider", "to": "recommended"}],
        "text": "spo: recommended if victim.very_frightened is true",
        "question": "victim.very_frightened? If yes: Test order becomes recommended."}
    assert set(change.model_dump()) == CONTRACT_KEYS


def test_record_field_set_where_it_is_not_recorded() -> None:
    case = mini_case(incidents=[incident("2021-02-20", "following"),
                                incident("2021-02-21", "loitering"),
                                incident("2021-02-22", "watching", violence=False)])
    assert texts(what_would_change(case, rules=MINI_RULES)) == [
        "spo: recommended if incidents.violence is true where it is not recorded (2 records)",
        ("spo: not_recommended if incidents.violence is false where it is not recorded "
        "(2 records)")]


def test_records_after_the_date_are_not_set() -> None:
    case = mini_case(incidents=[incident("2021-02-20", "following"),
                                incident("2021-03-05", "loitering")])
    change = what_would_change(case, rules=MINI_RULES)[0]
    assert change.records == 1


def test_integer_field_tried_at_the_bounds_of_the_rules() -> None:
    # risk.medium_age: suspect.age at_least 18, with an ex-spouse not yet separated.
    case = mini_case(suspect={"age": None}, relationship="ex_spouse", separated_on="2021-03-05")
    assert texts(what_would_change(case, rules=MINI_RULES)) == [
        "spo: recommended if suspect.age is 18 or more",
        "spo: not_recommended if suspect.age is under 18"]
    assert what_would_change(case, rules=MINI_RULES)[0].values == [18]


def test_enumeration_values_with_the_same_outcome_together() -> None:
    case = mini_case(relationship=None, separated_on="2021-03-05")
    changes = what_would_change(case, rules=MINI_RULES)
    assert texts(changes)[0] == "spo: recommended if relationship is ex_intimate_partner or ex_spouse"
    assert [change.changes[0].to for change in changes] == [Decision.RECOMMENDED,
                                                          Decision.NOT_RECOMMENDED]
    assert "ex_spouse" not in changes[1].values and "stranger" in changes[1].values


def test_date_field_tried_either_side_of_as_of() -> None:
    case = mini_case(relationship="ex_spouse", separated_on=None)
    change = what_would_change(case, rules=MINI_RULES)[0]
    assert change.text == "spo: recommended if separated_on is on or after 2021-03-01"
    assert change.values == ["2021-03-01"]
    later = what_would_change(case, date(2021, 3, 10), rules=MINI_RULES)
    assert texts(later)[0] == "spo: recommended if separated_on is on or after 2021-03-10"


def test_nothing_when_no_decision_is_open() -> None:
    case = mini_case(victim={"very_frightened": True}, indicators={"threats_to_kill": None})
    assert assess(case, rules=MINI_RULES).decisions() == {"spo": Decision.RECOMMENDED}
    assert what_would_change(case, rules=MINI_RULES) == []


def test_only_the_python_evaluator_runs_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("what-ifs must not run the durable_rules engine")

    calls: list[str] = []

    def counting(ruleset: Any, scope: Any, engine_choice: Any = "auto") -> Any:
        calls.append(engine_choice)
        return run_rules(ruleset, scope, engine_choice)

    monkeypatch.setattr(engine, "evaluate_with_durable", refuse)
    monkeypatch.setattr(whatif, "run_rules", counting)
    what_would_change(mini_case(victim={"very_frightened": None}), rules=MINI_RULES)
    assert calls == ["python"] * 3  # the case as it is, then true and false


RANKING_RULES = """\
rules:
  - {id: f, title: F, citation: "t", limb: "t", when: {field: as_of, on_or_after: 2020-01-01},
     then: {fact: f}}
  - {id: a.rec, title: A, citation: "t", limb: "t",
     when: {field: victim.very_frightened, is: true}, then: {fact: a}}
  - {id: b.rec, title: B, citation: "t", limb: "t",
     when: {field: indicators.prior_violence, is: true}, then: {fact: b}}
  - {id: c.rec, title: C, citation: "t", limb: "t",
     when: {any: [{field: indicators.prior_violence, is: true},
                  {field: indicators.substance_misuse, is: true}]},
     then: {fact: c}}
"""
RANKING_HEADER = """\
name: ranking
version: "1"
jurisdiction: england_and_wales
orders:
  a: {title: A, citation: "t", limbs: [{limb: a, gate: true, fact: f, text: t},
                                       {limb: t, trigger: true, fact: f, text: t},
                                       {limb: x, fact: a, text: t}]}
  b: {title: B, citation: "t", limbs: [{limb: t, trigger: true, fact: f, text: t},
                                       {limb: x, fact: b, text: t}]}
  c: {title: C, citation: "t", limbs: [{limb: t, trigger: true, fact: f, text: t},
                                       {limb: x, fact: c, text: t}]}
risk: {high: f, medium: f, indicators: []}
stalking: {four_met: f}
"""


def test_ranked_by_impact(tmp_path: Path) -> None:
    (tmp_path / "ruleset.yaml").write_text(RANKING_HEADER, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RANKING_RULES, encoding="utf-8")
    case = {"case_id": "WIF-2", "assessed_on": "2021-03-01"}
    assert texts(what_would_change(case, rules=tmp_path)) == [
        "b: recommended, c: recommended if indicators.prior_violence is true",
        "c: recommended if indicators.substance_misuse is true",
        "a: recommended if victim.very_frightened is true",
        "b: not_recommended if indicators.prior_violence is false",
        "a: not_recommended if victim.very_frightened is false",
    ]


# ------------------------------------------------------------- the shipped rules


def with_change(case: dict[str, Any], change: Change, value: Any) -> dict[str, Any]:
    """The case with the change's field set to ``value``."""
    changed = copy.deepcopy(case)
    head, _, rest = change.field.partition(".")
    if change.records is not None:
        for record in changed[head]:
            if record.get(rest) is None:
                record[rest] = value
        return changed
    target = changed
    parts = change.field.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return changed


SHIPPED_CASES: list[dict[str, Any]] = [
    {"case_id": "WIF-S1", "assessed_on": "2021-03-01", "jurisdiction": "england_and_wales",
     "police_force": "cleveland",
     "incidents": [incident("2021-02-20", "following"), incident("2021-02-25", "contact")]},
    {"case_id": "WIF-S2", "assessed_on": "2025-06-01", "jurisdiction": "england_and_wales",
     "police_force": "greater_manchester", "suspect": {"lives_in_force_area": True},
     "relationship": "ex_intimate_partner",
     "incidents": [incident("2025-05-20", "loitering", target="victim", threats=[])]},
    {"case_id": "WIF-S3", "assessed_on": "2025-06-01",
     "suspect": {"lives_in_force_area": False, "in_or_coming_to_force_area": False},
     "relationship": "ex_intimate_partner", "victim": {"very_frightened": True},
     "incidents": [incident("2025-05-20", "loitering", threats=["violence"], violence=True)]},
]


def test_a_closed_list_is_tried_code_by_code() -> None:
    changes = [c for c in what_would_change(SHIPPED_CASES[2]) if c.field == "police_force"]
    unavailable = {value for change in changes for value in change.values
                   if ("spo", Decision.NOT_AVAILABLE) in {(i.order, i.to) for i in change.changes}}
    # A territorial force whose suspect neither lives in nor comes to its area may not
    # apply; BTP and MoD Police may, wherever the suspect is (SPA 2019 s.1(3)).
    assert {"cleveland", "civil_nuclear_constabulary"} <= unavailable
    assert not {"british_transport_police", "ministry_of_defence_police"} & unavailable


@pytest.mark.parametrize("case", SHIPPED_CASES, ids=lambda case: case["case_id"])
def test_each_change_holds_when_the_fact_is_established(case: dict[str, Any]) -> None:
    ruleset = load_rules()
    before = assess(case, rules=ruleset).decisions()
    changes = what_would_change(case, rules=ruleset)
    assert changes, "these cases have unknown facts that matter"
    for change in changes:
        for value in change.values:
            after = assess(with_change(case, change, value), rules=ruleset).decisions()
            for item in change.changes:
                assert before[item.order] is item.now
                assert item.now in (Decision.CONSIDER, Decision.NOT_RECOMMENDED)
                assert after[item.order] is item.to, (change.text, value)
            unchanged = set(before) - {item.order for item in change.changes}
            assert all(after[order] is before[order] for order in unchanged
                       if before[order] in (Decision.CONSIDER, Decision.NOT_RECOMMENDED)), value


# ------------------------------------------------------------ questions in plain words

THIN = EXAMPLES / "thin_record.yaml"


def test_each_change_is_a_question_in_plain_words() -> None:
    questions = what_would_change(THIN)
    by_field = {change.field: change.question for change in questions}
    assert by_field["incidents.violence"] == (
        "Was there violence? If yes (where not recorded: 2 records): DVPN and DVPO becomes "
        "consider.")
    assert by_field["suspect.age"] == (
        "How old is the suspect? If under 18: DVPN and DVPO becomes not available.")
    assert by_field["criminal_justice.remanded_in_custody"] == (
        "Is the suspect remanded in custody? If yes: Interim Stalking Protection Order "
        "becomes not recommended.")
    assert all("_" not in change.question for change in questions)


def test_questions_are_grouped_by_order_most_impact_first() -> None:
    questions = what_would_change(THIN)
    groups = questions.grouped()
    assert [heading for heading, _ in groups][:2] == [
        "DVPN and DVPO (now not recommended)", "Non-molestation order (now consider)"]
    for heading, changes in groups:
        ranks = [questions.index(change) for change in changes]
        assert ranks == sorted(ranks), heading
    text = questions.explain()
    assert text.splitlines()[:2] == [
        "DVPN and DVPO (now not recommended)",
        ("  1. What is the relationship between suspect and victim? If stranger, acquaintance, "
        "colleague, neighbour, online only or client or professional: DVPN and DVPO becomes "
        "not available; Non-molestation order becomes not available; Injunction against "
        "harassment becomes recommended.")]
    assert questions.to_markdown().startswith("### DVPN and DVPO (now not recommended)\n\n1. ")


def test_questions_display_in_a_notebook() -> None:
    questions = what_would_change(THIN)
    page = questions._repr_html_()
    assert page.count("<li>") == sum(len(changes) for _, changes in questions.grouped())
    assert "<h4>DVPN and DVPO (now not recommended)</h4>" in page and "<details>" in page
    nothing = what_would_change(EXAMPLES / "ex_partner.yaml")
    assert nothing == [] and "Nothing left unknown" in nothing._repr_html_()
    assert nothing.explain() == "Nothing left unknown in this record would change a decision."


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_what_if_command(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    from spo_advisor.cli.main import main

    assert main(["what-if", str(THIN), "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        assert data == [change.model_dump(mode="json") for change in what_would_change(THIN)]
        assert set(data[0]) == CONTRACT_KEYS
    else:
        first = "What to find out next: case NWP-24-0311, as of 2024-10-07"
        assert out.splitlines()[0] == (first if fmt == "text" else f"## {first}")
        assert "Was there violence? If yes" in out


def test_what_if_command_reports_a_bad_case(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from spo_advisor.cli.main import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: B\nsuspect: {age: old}\n", encoding="utf-8")
    assert main(["what-if", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and str(bad) in err and "old" not in err
