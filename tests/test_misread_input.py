"""Input that YAML 1.1 or date arithmetic would misread is refused, naming the field.

Leading-zero and base-60 numbers stay strings (the model refuses them), dates out of
1900-01-01..2100-12-31 are a :class:`CaseError` (never an ``OverflowError``), duplicate
keys are refused with file and line, and no message repeats the document's text.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import MINI_RULES

from spo_advisor import assess
from spo_advisor.language.rules import load_ruleset
from spo_advisor.model.case_reading import parse_case_text
from spo_advisor.model.errors import CaseError, RuleSetError
from spo_advisor.model.yamlio import YamlProblem, read_yaml

EXAMPLE = Path(__file__).parent.parent / "examples" / "cases" / "ex_partner.yaml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, filename="c.yaml")
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize("number", ["020", "1:5", "0x1f", "0b11", "1_0", "+020"])
def test_yaml_1_1_numbers_stay_strings_and_are_refused_by_field(number: str) -> None:
    text = f"case_id: X\nsuspect:\n  age: {number}\n"
    assert problems_of(text) == ["c.yaml:3:3: [wrong_type] suspect.age: expected a whole number"]


def test_yaml_1_1_numbers_stay_strings_in_rule_files() -> None:
    data, _ = read_yaml("a: 020\nb: 1:5\nc: 20\nd: -3\ne: 1.5\n", "r.yaml")
    assert data == {"a": "020", "b": "1:5", "c": 20, "d": -3, "e": 1.5}


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_out_of_range_are_refused_naming_the_field(day: str) -> None:
    text = f"case_id: X\nassessed_on: {day}\nincidents:\n  - date: {day}\n    behaviours: [contact]\n"
    assert problems_of(text) == [
        "c.yaml:2:1: [out_of_range] assessed_on: date out of range (1900-01-01 to 2100-12-31)",
        "c.yaml:4:5: [out_of_range] incidents.0.date: date out of range (1900-01-01 to 2100-12-31)",
    ]


def test_dates_at_the_ends_of_the_range_are_read() -> None:
    case = parse_case_text("case_id: X\nassessed_on: 1900-01-01\nseparated_on: 2100-12-31\n",
                           filename="c.yaml")
    assert case.assessed_on == date(1900, 1, 1)


def test_an_as_of_out_of_range_is_a_case_error_never_an_overflow() -> None:
    with pytest.raises(CaseError) as raised:
        assess(EXAMPLE, date(1, 1, 1))
    assert [str(p) for p in raised.value.problems] == [
        "[out_of_range] as_of: date out of range (1900-01-01 to 2100-12-31)"]


def test_an_as_of_of_the_wrong_type_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="as_of must be a datetime.date, not str"):
        assess(EXAMPLE, "2021-01-01")  # type: ignore[arg-type]


def test_a_duplicate_key_is_refused_with_file_and_line() -> None:
    assert problems_of("case_id: A\nsuspect:\n  age: 3\n  age: 4\n") == [
        "c.yaml:4:3: [duplicate_key] suspect.age: key appears more than once"]


@pytest.mark.parametrize("text", [
    "case_id: *SECRET\n",
    "case_id: !SECRET x\n",
    "case_id: !<tag:SECRET> x\n",
    "case_id: !!int SECRET\n",
    "case_id: !!timestamp SECRET\n",
    'case_id: "SECRET\\q"\n',
])
def test_no_message_repeats_the_document_text(text: str) -> None:
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, filename="c.yaml")
    assert "SECRET" not in str(raised.value)
    with pytest.raises(YamlProblem) as problem:
        read_yaml(text, "r.yaml")
    assert "SECRET" not in str(problem.value)


def test_a_count_window_that_would_overflow_the_calendar_is_refused_in_the_rules(
        tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(text.replace("within_days: 30", "within_days: 1000000"),
                                      encoding="utf-8")
    with pytest.raises(RuleSetError) as raised:
        load_ruleset(rules)
    assert [p.code for p in raised.value.problems] == ["out_of_range"]
    assert "'within_days' is at most 36,525 (a century)" in str(raised.value)
