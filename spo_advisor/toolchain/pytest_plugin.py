"""pytest plugin: every golden case beside a rule set is one test item.

Installed with the package (entry point ``pytest11``), so a force that writes its own rule
files gets the same runner. pytest collects ``golden/*.yaml`` in any directory that holds
a ``ruleset.yaml`` when it is asked to look there (``pytest rules``, or ``rules`` in
``testpaths``); ``--golden-rules DIR`` (repeatable) adds the golden cases of the rule set
in DIR to any run. A failing case shows its file and line, its name, every difference
from what it expects, and the expected and actual decisions side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spo_advisor.advice.assess import load_rules
from spo_advisor.language.rules import HEADER_FILE
from spo_advisor.model.errors import ProblemsError
from spo_advisor.toolchain.golden import GOLDEN_DIR, GoldenCase, Outcome, load_golden, run_golden

OPTION = "--golden-rules"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spo_advisor", "spo_advisor golden cases")
    group.addoption(OPTION, action="append", default=[], metavar="DIR", dest="golden_rules",
                    help="run the golden cases of the rule set in DIR (repeatable)")


def pytest_configure(config: pytest.Config) -> None:
    for directory in config.getoption("golden_rules"):
        root = Path(directory)
        if not (root / HEADER_FILE).is_file():
            raise pytest.UsageError(f"{OPTION} {directory}: no {HEADER_FILE} in that directory")
        config.args.append(str(root / GOLDEN_DIR))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if (file_path.suffix == ".yaml" and file_path.parent.name == GOLDEN_DIR
            and (file_path.parent.parent / HEADER_FILE).is_file()):
        return GoldenFile.from_parent(parent, path=file_path)
    return None


def _problems_text(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    if isinstance(excinfo.value, ProblemsError):
        return "\n".join(str(problem) for problem in excinfo.value.problems)
    return None


class GoldenFile(pytest.File):
    """A golden-case file; its rule set is the directory above ``golden/``."""

    def collect(self) -> Iterator[GoldenItem]:
        load_rules(self.path.parent.parent)  # a rule set that does not load fails here
        for case in load_golden(self.path):
            yield GoldenItem.from_parent(self, name=case.name, case=case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        return _problems_text(excinfo) or super().repr_failure(excinfo)


class GoldenCaseFailed(AssertionError):
    """A golden case whose assessment differs from what it expects."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.case.name)
        self.outcome = outcome


class GoldenItem(pytest.Item):
    """One golden case."""

    def __init__(self, *, case: GoldenCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        outcome = run_golden(self.case, load_rules(self.path.parent.parent))
        if not outcome.passed:
            raise GoldenCaseFailed(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, GoldenCaseFailed):
            return failure_text(excinfo.value.outcome)
        return _problems_text(excinfo) or super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"golden case: {self.case.name}"


def failure_text(outcome: Outcome) -> str:
    """A failed golden case: where, which, what differs, and the decisions side by side."""
    case = outcome.case
    lines = [f"{case.file}:{case.line}: golden case {case.name!r} failed",
             *(f"  - {difference}" for difference in outcome.differences)]
    got = {r.order: r for r in outcome.assessment.recommendations}
    orders = [*case.expect.decisions,
              *(o for o in case.expect.deciding_rules if o not in case.expect.decisions)]
    if orders:
        lines.append("  order: expected decision (deciding rule) | got")
    for order in orders:
        expected = case.expect.decisions.get(order)
        rule = case.expect.deciding_rules.get(order)
        left = " ".join(part for part in (expected.value if expected else "",
                                          f"({rule})" if rule else "") if part)
        right = (f"{got[order].decision.value} ({got[order].deciding_rule})"
                 if order in got else "no such order")
        lines.append(f"  {order}: {left} | {right}")
    return "\n".join(lines)
