"""Coverage of the rules by the golden cases (``rules coverage``)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, SHIPPED_RULES

from spo_advisor.cli.main import main
from spo_advisor.engine.evaluator import Evaluation, evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import load_case
from spo_advisor.toolchain.coverage import (
    Coverage,
    leaves,
    measure,
    measure_directory,
    nullable,
    record_model,
)


def evaluated(ruleset: RuleSet, day: date, **case: Any) -> Evaluation:
    return evaluate_ruleset(ruleset, case_scope(load_case({"case_id": "C", **case}), day))


@pytest.fixture
def two_cases(mini_rules: RuleSet) -> Coverage:
    return measure(mini_rules, [
        evaluated(mini_rules, date(2021, 3, 1), victim={"very_frightened": True},
                  incidents=[{"date": "2021-01-05", "behaviours": ["following"]}]),
        # risk.medium_age is not in force before 2021: its conditions are not counted.
        evaluated(mini_rules, date(2020, 6, 1), suspect={"age": 17}, relationship="ex_spouse"),
    ])


def test_figures(two_cases: Coverage) -> None:
    assert two_cases.figures() == [
        "golden cases: 2",
        "rules seen true and false: 1/7",
        "leaf conditions seen true and false: 1/11",
        "thresholds seen on both sides: 1/6",
        "leaf conditions seen unknown (reported, not required): 7/8 of those that can be unknown",
    ]


def test_every_shortfall_is_listed_at_its_line(two_cases: Coverage) -> None:
    lines = [str(p).replace(f"{MINI_RULES}/", "") for p in two_cases.shortfalls()]
    assert lines == [
        "rules.yaml:8:5: [uncovered_rule] At Rule(id=repeated): never true in any golden case",
        ("rules.yaml:12:5: [uncovered_condition] At Rule(id=repeated) > when: at least 2 of "
         "`incidents`: never true in any golden case while the rule is in force"),
        ("rules.yaml:14:5: [uncovered_rule] At Rule(id=risk.high): never true or false in any "
         "golden case"),
        ("rules.yaml:20:11: [uncovered_condition] At Rule(id=risk.high) > when > any[0]: "
         "`indicators.threats_to_kill` is true: never true or false in any golden case while "
         "the rule is in force"),
        ("rules.yaml:21:11: [uncovered_condition] At Rule(id=risk.high) > when > any[1]: at "
         "least 1 of `incidents` dated within 30 days before the assessment date where "
         "`violence` is true: never true in any golden case while the rule is in force"),
        ("rules.yaml:23:5: [uncovered_rule] At Rule(id=risk.medium): never false in any golden "
         "case"),
        ("rules.yaml:27:5: [uncovered_condition] At Rule(id=risk.medium) > when: "
         "`victim.very_frightened` is true: never false in any golden case while the rule is in "
         "force"),
        ("rules.yaml:29:5: [uncovered_rule] At Rule(id=risk.medium_age): never true in any "
         "golden case"),
        ("rules.yaml:36:11: [uncovered_condition] At Rule(id=risk.medium_age) > when > all[0]: "
         "`suspect.age` is at least 18: never true or false in any golden case while the rule "
         "is in force"),
        ("rules.yaml:37:11: [uncovered_condition] At Rule(id=risk.medium_age) > when > all[1]: "
         "`relationship` is one of ex_intimate_partner, ex_spouse: never true or false in any "
         "golden case while the rule is in force"),
        ("rules.yaml:38:12: [uncovered_condition] At Rule(id=risk.medium_age) > when > all[2] > "
         "not: `separated_on` is before the assessment date: never true or false in any golden "
         "case while the rule is in force"),
        ("rules.yaml:40:5: [uncovered_rule] At Rule(id=spo.in_force): never false in any "
         "golden case"),
        ("rules.yaml:44:5: [uncovered_condition] At Rule(id=spo.in_force) > when: the "
         "assessment date is on or after 2020-01-20: never false in any golden case while the "
         "rule is in force"),
        "rules.yaml:46:5: [uncovered_rule] At Rule(id=spo.risk): never false in any golden case",
        ("rules.yaml:50:18: [uncovered_condition] At Rule(id=spo.risk) > when > any[0]: "
         "`risk_high` holds: never true or false in any golden case while the rule is in force"),
        ("rules.yaml:50:37: [uncovered_condition] At Rule(id=spo.risk) > when > any[1]: "
         "`risk_medium` holds: never false in any golden case while the rule is in force"),
    ]


def test_which_leaves_are_thresholds_and_which_can_be_unknown(mini_rules: RuleSet) -> None:
    found = {(leaf.rule.id, leaf.node.crumb): (leaf.is_threshold, leaf.can_be_unknown)
             for leaf in leaves(mini_rules)}
    assert found == {
        ("acts", "when"): (True, False),  # a count of incidents by behaviours (never null)
        ("repeated", "when"): (True, False),
        ("risk.high", "when > any[0]"): (False, True),
        ("risk.high", "when > any[1]"): (True, True),  # `violence` may be null
        ("risk.medium", "when"): (False, True),
        ("risk.medium_age", "when > all[0]"): (True, True),
        ("risk.medium_age", "when > all[1]"): (False, True),
        ("risk.medium_age", "when > all[2] > not"): (True, True),
        ("spo.in_force", "when"): (True, False),  # as_of is always known
        ("spo.risk", "when > any[0]"): (False, True),
        ("spo.risk", "when > any[1]"): (False, True),
    }


def test_nullable_fields() -> None:
    assert nullable(Case, "suspect.age") and nullable(Case, "separated_on")
    assert not nullable(Case, "case_id") and not nullable(Case, "as_of")
    incident = record_model("incidents")
    assert nullable(incident, "threats") and not nullable(incident, "behaviours")


GOLDEN = """\
cases:
  - name: a follower in 2021
    as_of: 2021-03-01
    case:
      case_id: G-1
      incidents: [{date: 2021-01-05, behaviours: [following]}]
    expect: {decisions: {spo: consider}}
"""


def test_the_command_prints_shortfalls_then_figures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "mini"
    shutil.copytree(MINI_RULES, directory)
    (directory / "golden").mkdir()
    (directory / "golden" / "cases.yaml").write_text(GOLDEN)
    code = main(["rules", "coverage", str(directory)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0] == (f"{directory}/rules.yaml:2:5: [uncovered_rule] At Rule(id=acts): "
                        "never false in any golden case")
    assert lines[-5:] == [
        "golden cases: 1",
        "rules seen true and false: 0/7",
        "leaf conditions seen true and false: 0/11",
        "thresholds seen on both sides: 0/6",
        # all but the count of violent incidents in the last 30 days (there are none)
        "leaf conditions seen unknown (reported, not required): 7/8 of those that can be unknown",
    ]


def test_the_shipped_rules_are_fully_covered_by_their_golden_cases() -> None:
    coverage, problems = measure_directory(SHIPPED_RULES)
    shortfalls = coverage.shortfalls()
    report = "\n".join([*map(str, problems + shortfalls), *coverage.figures()])
    print(report)
    assert not problems and not shortfalls, report
