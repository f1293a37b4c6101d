"""What every ``spo-advisor`` command shares: exit codes, argument types, problem output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from spo_advisor.advice.assess import load_rules
from spo_advisor.cli.output import open_output
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import EARLIEST_DATE, LATEST_DATE, Case
from spo_advisor.model.case_reading import load_case, parse_case_text, read_case_stream
from spo_advisor.model.errors import CaseError, Problem, SpoAdvisorError
from spo_advisor.report.render import html_document

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "jsonl", "markdown", "html")

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


class UsageError(SpoAdvisorError):
    """A command line that cannot be carried out."""


def iso_date(text: str) -> date:
    """An argparse type for YYYY-MM-DD dates in the range a case's dates may take."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a valid date (expected YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"out of range ({EARLIEST_DATE} to {LATEST_DATE})")
    return day


def add_output_argument(parser: argparse.ArgumentParser, metavar: str = "FILE",
                        required: bool = False) -> None:
    """Add the ``--out`` option every command shares (see :func:`spo_advisor.cli.output.open_output`)."""
    parser.add_argument("--out", metavar=metavar, required=required,
                        help="write the output to this file, replaced only once complete "
                             "(default: standard output); it must not be an input")


def read_case_argument(argument: str) -> Case:
    """A case from a file path, or from standard input for ``-`` (at most 5 MiB of it)."""
    if argument == "-":
        return parse_case_text(read_case_stream(sys.stdin.buffer, "<stdin>"), filename="<stdin>")
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


class Report(Protocol):
    """What ``assess`` and ``review`` return: a model with its renderings."""

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...
    def explain(self) -> str: ...
    def to_markdown(self) -> str: ...
    def to_html(self) -> str: ...


def render(report: Report, fmt: str) -> str:
    """One report in one format (HTML: a fragment)."""
    if fmt == "json":
        return json.dumps(report.model_dump(mode="json"), indent=2)
    if fmt == "jsonl":
        return json.dumps(report.model_dump(mode="json"), separators=(",", ":"))
    if fmt == "markdown":
        return report.to_markdown()
    if fmt == "html":
        return report.to_html()
    return report.explain()


def report_each_case(args: argparse.Namespace, produce: Callable[[Case, RuleSet], Report],
                     title: str | Callable[[list[Report]], str]) -> int:
    """Run ``produce`` on every case file in ``args.files`` and print the reports.

    A bad case is reported (one problem per line on stderr) and skipped; the others are
    still produced. JSON is one object for one case (several files are refused: use
    JSON lines, one object a line); HTML is one page, whose title is ``title`` (or made
    from the reports).
    """
    refuse_json_for_several(args.format, args.files)
    problems: list[Problem] = []
    outputs: list[str] = []
    reports: list[Report] = []
    with open_output(args.out, args.files) as out:
        rules = load_rules(args.rules)
        for argument in args.files:
            try:
                case = read_case_argument(argument)
            except CaseError as error:
                problems += [with_file(p, argument) for p in error.problems]
                continue
            reports.append(produce(case, rules))
            outputs.append(render(reports[-1], args.format))
        if outputs and args.format == "html":
            out.write(html_document(outputs, title if isinstance(title, str) else title(reports)))
        elif outputs and args.format == "jsonl":
            out.write("\n".join(outputs) + "\n")
        elif outputs:
            out.write("\n\n".join(outputs) + "\n")
    return report_problems(problems)


def refuse_json_for_several(fmt: str, files: Sequence[str]) -> None:
    """``--format json`` prints one object: refuse several case files, pointing to jsonl."""
    if fmt == "json" and len(files) > 1:
        raise UsageError(f"--format json prints one case, and {len(files)} files were given; "
                         "use --format jsonl for one JSON object a line")
