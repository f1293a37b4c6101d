"""Shared fixtures: the small stable rule set and case builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spo_advisor.assess import load_rules
from spo_advisor.rules import RuleSet

ROOT = Path(__file__).resolve().parent.parent
MINI_RULES = ROOT / "tests" / "fixtures" / "mini_rules"
SHIPPED_RULES = ROOT / "rules" / "england_and_wales"
EXAMPLES = ROOT / "examples" / "cases"


@pytest.fixture(scope="session")
def mini_rules() -> RuleSet:
    return load_rules(MINI_RULES)


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    return load_rules(SHIPPED_RULES)


def incident(day: str, *behaviours: str, **fields: Any) -> dict[str, Any]:
    """An incident dict for tests."""
    return {"date": day, "behaviours": list(behaviours), **fields}
