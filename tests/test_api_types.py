"""A wrong type passed to the Python API is a ``TypeError`` naming the argument, never an
error from deep inside (or a misleading ``CaseError``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import MINI_RULES, ROOT

from spo_advisor import assess, review
from spo_advisor.cli.batch import assess_many

EXAMPLE = ROOT / "examples" / "cases" / "ex_partner.yaml"


@pytest.mark.parametrize("function", [assess, review])
@pytest.mark.parametrize(("arguments", "message"), [
    ((object(),), "^case must be a Case, a mapping or the path of a case file, not object$"),
    ((b"case_id: X",), "^case must be a Case, a mapping or the path of a case file, not bytes$"),
    ((EXAMPLE, "2021-01-01"), "^as_of must be a datetime.date, not str$"),
])
def test_a_wrong_case_or_date_is_a_type_error_naming_it(
        function: Callable[..., Any], arguments: tuple[Any, ...], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        function(*arguments, rules=MINI_RULES)


@pytest.mark.parametrize("function", [assess, review])
def test_a_wrong_rule_set_is_a_type_error_naming_it(function: Callable[..., Any]) -> None:
    with pytest.raises(TypeError, match="^rules must be a RuleSet or the path of a rule-set "
                                        "directory, not int$"):
        function(EXAMPLE, rules=42)


def test_a_wrong_jobs_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="^jobs must be an int, not str$"):
        assess_many([], jobs="2")  # type: ignore[arg-type]
