"""Fuzzing: whatever a case holds, the outcome is an Assessment or a CaseError.

Valid cases are broken at every level (any key or list item replaced by an arbitrary
JSON-like value, removed, or joined by an unknown key; YAML and JSON text cut, spliced
and garbled) and assessed through the library and through the command line. Nothing
else may come out: no other exception, no traceback, no hang.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SHIPPED_RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.cli.main import main
from spo_advisor.model.case_reading import parse_case_text
from spo_advisor.model.errors import CaseError, Problem
from spo_advisor.model.result import Assessment

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import synthetic_case
from test_hostile_input import no_hang

RULES = load_rules(SHIPPED_RULES)
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Values that pass some checks and fail others reach deeper into validation.
NEAR_VALID = st.sampled_from([
    "2021-03-01", "2021-02-30", "20210301", "following", "victim", "england_and_wales",
    "ex_spouse", "cleveland", "Cleveland", "charged", "spo", "true", "null", "yes", "", " ",
    "\x00", "\u202e", "é", "🎉", 0, 1, -1, 27, 28, 120, 121, 2**63, -(2**63) - 1, 1.0, 0.5,
    float("nan"), float("inf"), True, False, None, [], {}, [None], {"date": "2021-01-01"},
])
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | NEAR_VALID,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12) | NEAR_VALID.filter(lambda v: isinstance(v, str)),
                      inner, max_size=4),
    max_leaves=12)
YAML_TEXT = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?~ \n\t\\") +
                                             list("abcz019.") + ["\u00e9", "\x85", "\ufeff"]),
                    max_size=40)


def paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON-like value: each key of each mapping, each item of each list."""
    yield here
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*here, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*here, index))


@st.composite
def broken_cases(draw: st.DrawFn) -> Any:
    """A valid case with one to three places replaced, removed or added to."""
    case: Any = synthetic_case(random.Random(draw(st.integers(0, 2**32))), 0)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(paths(case))))
        how = draw(st.sampled_from(["replace", "remove", "add"]))
        if not where:
            case = draw(JSON_VALUES) if how == "replace" else case
            continue
        *parents, last = where
        parent = case
        for step in parents:
            parent = parent[step]
        if how == "replace":
            parent[last] = draw(JSON_VALUES)
        elif how == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(JSON_VALUES)
        else:
            parent.insert(last, draw(JSON_VALUES))
    return case


def outcome(case: Any) -> Assessment | CaseError:
    """``assess(case)``: an Assessment, or the CaseError it raised (anything else fails)."""
    with no_hang():
        try:
            return assess(case, rules=RULES)
        except CaseError as error:
            return error


def check_case_error(error: CaseError) -> None:
    assert error.problems
    assert all(isinstance(p, Problem) and p.code and p.message for p in error.problems)


@given(broken_cases())
@settings(FUZZ)
def test_a_broken_case_is_assessed_or_refused_with_its_problems(case: Any) -> None:
    result = outcome(case)
    if isinstance(result, CaseError):
        check_case_error(result)
    else:
        assert result.recommendations


@given(JSON_VALUES)
@settings(FUZZ)
def test_any_json_value_is_assessed_or_refused(value: Any) -> None:
    result = outcome(value)
    if isinstance(result, CaseError):
        check_case_error(result)


@st.composite
def broken_texts(draw: st.DrawFn) -> tuple[str, str]:
    """A valid case as YAML or JSON text, with pieces cut out and garbage spliced in."""
    data = synthetic_case(random.Random(draw(st.integers(0, 2**32))), 0)
    as_json = draw(st.booleans())
    text = json.dumps(data, indent=1) if as_json else yaml.safe_dump(data, sort_keys=False)
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 20)))
        text = text[:start] + draw(YAML_TEXT) + text[end:]
    return text, "case.json" if as_json else "case.yaml"


@given(broken_texts())
@settings(FUZZ)
def test_broken_case_text_is_assessed_or_refused(drawn: tuple[str, str]) -> None:
    text, name = drawn
    with no_hang():
        try:
            case = parse_case_text(text, filename=name)
        except CaseError as error:
            check_case_error(error)
            assert all(p.file == name for p in error.problems)
            return
    assert isinstance(outcome(case), Assessment)


@given(st.text(max_size=200) | YAML_TEXT)
@settings(FUZZ)
def test_any_text_is_read_as_a_case_or_refused(text: str) -> None:
    for name in ("case.yaml", "case.json"):
        with no_hang():
            try:
                parse_case_text(text, filename=name)
            except CaseError as error:
                check_case_error(error)


@given(broken_texts())
@settings(FUZZ, max_examples=100)
def test_the_command_line_never_shows_a_traceback(tmp_path: Path,
                                                  drawn: tuple[str, str]) -> None:
    text, name = drawn
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with no_hang(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["assess", str(path), "--rules", str(SHIPPED_RULES), "--format", "json"])
    assert code in (0, 2)
    assert "Traceback" not in err.getvalue()
    if code == 0:
        assert json.loads(out.getvalue())["case_id"]
    else:
        assert err.getvalue().startswith(str(path))


@pytest.mark.parametrize("text", ["", "~", "[]", "- a", "case_id: x\n" * 2, "{", "\x00"])
def test_odd_documents_are_refused_with_problems(text: str) -> None:
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, filename="case.yaml")
    check_case_error(raised.value)
