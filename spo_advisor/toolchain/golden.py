"""Golden cases: YAML files of case → expected decisions, beside the rule files.

``python -m spo_advisor.toolchain.golden DIR`` (and ``spo-advisor rules test DIR``) runs them; the
pytest plugin collects them too. A failure names the file, the case and a readable diff.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from spo_advisor.advice.assess import assess_evaluated, load_rules
from spo_advisor.engine.evaluator import Evaluation
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import CaseError, Problem, RuleSetError
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import Assessment
from spo_advisor.model.yamlio import YamlProblem, read_text, read_yaml

GOLDEN_DIR = "golden"


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decisions: dict[str, Decision] = {}
    deciding_rules: dict[str, str | None] = {}
    limbs: dict[str, dict[str, Literal["met", "not_met", "unknown"]]] = {}
    facts: dict[str, bool | None] = {}
    risk_level: str | None = None
    unknown: dict[str, list[str]] = {}


class GoldenSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    extends: str | None = None
    as_of: date | None = None
    case: dict[str, Any] = {}
    expect: Expectation


class GoldenFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bases: dict[str, dict[str, Any]] = {}
    cases: list[GoldenSpec]


@dataclass(frozen=True)
class GoldenCase:
    """One golden case, resolved against its base and ready to run."""

    file: str
    line: int
    name: str
    case: Case
    as_of: date | None
    expect: Expectation

    @property
    def label(self) -> str:
        return f"{Path(self.file).name}::{self.name}"


@dataclass
class Outcome:
    case: GoldenCase
    assessment: Assessment
    evaluation: Evaluation
    differences: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences


def deep_merge(base: Any, patch: Any) -> Any:
    """``patch`` over ``base``: mappings merge key by key; anything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


def golden_files(directory: str | Path) -> list[Path]:
    return sorted((Path(directory) / GOLDEN_DIR).glob("*.yaml"))


def load_golden(path: Path) -> list[GoldenCase]:
    """Read one golden file; raise :class:`RuleSetError` listing every problem in it."""
    try:
        data, marks = read_yaml(read_text(path), str(path))
    except YamlProblem as error:
        raise RuleSetError([error.problem]) from None
    try:
        golden = GoldenFile.model_validate(data)
    except ValidationError as error:
        raise RuleSetError([Problem("invalid_golden", item["msg"],
                                    ".".join(map(str, item["loc"])), str(path))
                            for item in error.errors()]) from None
    cases, problems = [], []
    for index, spec in enumerate(golden.cases):
        line = marks.get(("cases", index), None)
        where = f"cases[{index}] ({spec.name})"
        if spec.extends is not None and spec.extends not in golden.bases:
            problems.append(Problem("unknown_base", f"no base named {spec.extends!r}", where,
                                    str(path), line.line if line else None))
            continue
        raw = deep_merge(golden.bases.get(spec.extends or "", {}), spec.case)
        try:
            case = load_case(raw)
        except CaseError as error:
            problems += [Problem(p.code, p.message, f"{where} > case > {p.location}", str(path),
                                 line.line if line else None, suggestion=p.suggestion)
                         for p in error.problems]
            continue
        cases.append(GoldenCase(str(path), line.line if line else 1, spec.name, case,
                                spec.as_of, spec.expect))
    if problems:
        raise RuleSetError(problems)
    return cases


def run_golden(case: GoldenCase, ruleset: RuleSet) -> Outcome:
    """Assess a golden case and list every way it differs from what it expects."""
    assessment, evaluation = assess_evaluated(case.case, case.as_of, rules=ruleset)
    outcome = Outcome(case, assessment, evaluation)
    diff = outcome.differences
    got = {r.order: r for r in assessment.recommendations}
    for order, expected in case.expect.decisions.items():
        if order not in got:
            diff.append(f"order {order}: the rule set has no such order")
        elif got[order].decision != expected:
            rec = got[order]
            diff.append(f"order {order}: expected {expected.value}, got {rec.decision.value} "
                        f"(deciding rule {rec.deciding_rule}; unmet "
                        f"{[u.rule for u in rec.unmet]}; unknown {list(rec.unknown)})")
    for order, rule_id in case.expect.deciding_rules.items():
        if order in got and got[order].deciding_rule != rule_id:
            diff.append(f"order {order}: expected deciding rule {rule_id}, "
                        f"got {got[order].deciding_rule}")
    for order, limbs in case.expect.limbs.items():
        statuses = {limb.limb: limb.status for limb in got[order].limbs} if order in got else {}
        for limb, status in limbs.items():
            if statuses.get(limb) != status:
                diff.append(f"order {order}: limb {limb} expected {status}, "
                            f"got {statuses.get(limb, 'no such limb')}")
    for fact, expected_value in case.expect.facts.items():
        if fact not in evaluation.facts:
            diff.append(f"fact {fact}: no rule concludes it")
            continue
        value = evaluation.facts[fact].truth.as_bool()
        if value != expected_value:
            diff.append(f"fact {fact}: expected {_show(expected_value)}, got {_show(value)}")
    if case.expect.risk_level and assessment.risk.level != case.expect.risk_level:
        diff.append(f"risk level: expected {case.expect.risk_level}, got {assessment.risk.level}")
    for order, fields in case.expect.unknown.items():
        missing = sorted(set(fields) - set(got[order].unknown)) if order in got else fields
        if missing:
            diff.append(f"order {order}: expected unknown {missing} to be listed, "
                        f"got {list(got[order].unknown) if order in got else None}")
    return outcome


def _show(value: bool | None) -> str:
    return "unknown" if value is None else str(value).lower()


def run_directory(directory: str | Path) -> tuple[list[Outcome], list[Problem]]:
    """Load the rule set and run all its golden cases; problems stop nothing else."""
    ruleset = load_rules(directory)
    outcomes: list[Outcome] = []
    problems: list[Problem] = []
    for path in golden_files(directory):
        try:
            cases = load_golden(path)
        except RuleSetError as error:
            problems += error.problems
            continue
        outcomes += [run_golden(case, ruleset) for case in cases]
    return outcomes, problems


def report(outcomes: list[Outcome], problems: list[Problem]) -> tuple[str, bool]:
    lines = [str(problem) for problem in problems]
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        lines.append(f"FAIL {outcome.case.file}:{outcome.case.line}: {outcome.case.name}")
        lines += [f"    - {difference}" for difference in outcome.differences]
    lines.append(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed"
                 + (f", {len(problems)} problems in golden files" if problems else ""))
    return "\n".join(lines), not failed and not problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = args[0] if args else "rules/england_and_wales"
    try:
        outcomes, problems = run_directory(directory)
    except RuleSetError as error:
        print("\n".join(str(problem) for problem in error.problems))
        return 2
    text, ok = report(outcomes, problems)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
