"""The ``spo-advisor`` command line.

Exit codes: 0 success; 1 the command ran and found problems (``rules check``, failing
golden cases, a record that does not verify); 2 bad input (a case, a rule file, a
usage error). User errors print one problem per line, never a traceback and never a
value from the case.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from spo_advisor.assess import DEFAULT_RULES, assess, library_version
from spo_advisor.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_PROBLEMS,
    FORMATS,
    iso_date,
    report_each_case,
    report_problems,
)
from spo_advisor.errors import ProblemsError, SpoAdvisorError
from spo_advisor.schemas import SCHEMA_KINDS, json_schema

if TYPE_CHECKING:
    from spo_advisor.cli_common import SubParsers

def _assess(args: argparse.Namespace) -> int:
    return report_each_case(args, lambda case, rules: assess(case, args.as_of, rules=rules),
                            "spo-advisor assessment")


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(args.kind), indent=2))
    return EXIT_OK


def _rules_check(args: argparse.Namespace) -> int:
    from spo_advisor.rules_check import check_directory

    problems = check_directory(args.directory)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{args.directory}: no problems")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _rules_test(args: argparse.Namespace) -> int:
    from spo_advisor.golden import report, run_directory

    outcomes, problems = run_directory(args.directory)
    text, ok = report(outcomes, problems)
    print(text)
    return EXIT_OK if ok else EXIT_PROBLEMS


Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spo-advisor",
        description="Explainable advice on Stalking Protection Orders and other protective "
                    "orders (England and Wales).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {library_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    assess_cmd = commands.add_parser("assess", help="assess one or more cases")
    assess_cmd.add_argument("files", nargs="+", metavar="FILE",
                            help="YAML or JSON case file; - for standard input")
    assess_cmd.add_argument("--format", choices=FORMATS, default="text")
    assess_cmd.add_argument("--as-of", type=iso_date, metavar="DATE",
                            help="assess as of this date (default: the case's assessed_on, else today)")
    assess_cmd.add_argument("--rules", default=None, metavar="DIR",
                            help="rule-set directory (default: the shipped England and Wales rules)")
    assess_cmd.set_defaults(run=_assess)

    schema_cmd = commands.add_parser(
        "schema", help="print the JSON Schema of a case (input), an assessment or a review")
    schema_cmd.add_argument("kind", nargs="?", choices=SCHEMA_KINDS, default="case")
    schema_cmd.set_defaults(run=_schema)

    rules_cmd = commands.add_parser("rules", help="work with rule sets")
    rules_sub = rules_cmd.add_subparsers(dest="rules_command", required=True)
    for name, run, text in (("check", _rules_check, "check rule files for problems"),
                            ("test", _rules_test, "run the golden cases")):
        sub = rules_sub.add_parser(name, help=text)
        sub.add_argument("directory", nargs="?", default=str(DEFAULT_RULES), metavar="DIR")
        sub.set_defaults(run=run)
    for extend in _extensions():
        extend(commands, rules_sub)
    return parser


EXTENSION_MODULES = ("spo_advisor.review_cli", "spo_advisor.batch", "spo_advisor.rules_tools",
                     "spo_advisor.serve_cli")
"""Modules that add their own commands with ``add_commands(commands, rules_commands)``."""


def _extensions() -> list[Callable[[SubParsers, SubParsers], None]]:
    """Further commands, each defined in the module that does the work."""
    found = []
    for name in EXTENSION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        found.append(module.add_commands)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Command = args.run
    try:
        return command(args)
    except ProblemsError as error:
        return report_problems(error.problems)
    except SpoAdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
