"""Shared fixtures: the small stable rule set and case builders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from spo_advisor.advice.assess import load_rules
from spo_advisor.language.rules import RuleSet

ROOT = Path(__file__).resolve().parent.parent
MINI_RULES = ROOT / "tests" / "fixtures" / "mini_rules"
SHIPPED_RULES = ROOT / "rules" / "england_and_wales"
EXAMPLES = ROOT / "examples" / "cases"


def load_script(path: Path) -> ModuleType:
    """A script of the project (an example, the benchmark) as a module named after its
    file, registered (its dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def mini_rules() -> RuleSet:
    return load_rules(MINI_RULES)


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    return load_rules(SHIPPED_RULES)


def incident(day: str, *behaviours: str, **fields: Any) -> dict[str, Any]:
    """An incident dict for tests."""
    return {"date": day, "behaviours": list(behaviours), **fields}


def reviewed_case(case_id: str, **changes: Any) -> dict[str, Any]:
    """A small case with two incidents and a recorded decision not to apply, for review
    tests on the mini rule set; ``changes`` replace top-level keys."""
    case: dict[str, Any] = {
        "case_id": case_id, "assessed_on": "2021-02-20",
        "victim": {"very_frightened": False}, "indicators": {"threats_to_kill": False},
        "incidents": [incident("2021-01-05", "following", violence=False),
                      incident("2021-01-12", "loitering", violence=True)],
        "actions": [{"date": "2021-02-10", "action": "spo_considered_not_applied",
                     "reasons": ["no_charge"]}],
    }
    case.update(changes)
    return case
