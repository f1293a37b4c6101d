"""What every ``spo-advisor`` command shares: exit codes, argument types, problem output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from spo_advisor.case import Case, load_case, parse_case_text
from spo_advisor.errors import Problem, SpoAdvisorError

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT = 0, 1, 2

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


class UsageError(SpoAdvisorError):
    """A command line that cannot be carried out."""


def iso_date(text: str) -> date:
    """An argparse type for YYYY-MM-DD dates."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a valid date (expected YYYY-MM-DD)") from None


def read_case_argument(argument: str) -> Case:
    """A case from a file path, or from standard input for ``-``."""
    if argument == "-":
        return parse_case_text(sys.stdin.read(), filename="<stdin>")
    return load_case(Path(argument))


def with_file(problem: Problem, argument: str) -> Problem:
    """The problem, naming the file (or standard input) it came from."""
    if problem.file:
        return problem
    name = "<stdin>" if argument == "-" else argument
    return Problem(problem.code, problem.message, problem.location, name, problem.line,
                   problem.column, problem.suggestion)


def report_problems(problems: Sequence[Problem]) -> int:
    """Print problems one per line on stderr; the exit code for them."""
    for problem in problems:
        print(str(problem), file=sys.stderr)
    return EXIT_BAD_INPUT if problems else EXIT_OK
