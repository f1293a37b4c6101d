"""``spo-advisor rules check``: every problem in a rule-set directory, one per line."""

from __future__ import annotations

from pathlib import Path

from spo_advisor.errors import Problem, RuleSetError
from spo_advisor.rules import load_ruleset


def check_directory(directory: str | Path) -> list[Problem]:
    """All problems in the rule set at ``directory``; an empty list when it is clean."""
    try:
        load_ruleset(directory)
    except RuleSetError as error:
        return error.problems
    return []
