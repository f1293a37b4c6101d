"""The ``spo-advisor`` command line.

Exit codes: 0 success; 1 the command ran and found problems (``rules check``, failing
golden cases, a record that does not verify, a batch with bad lines); 2 bad input (a
case, a rule file, a usage error, an output that is also an input); 3 an environment
failure (the output cannot be written, a file cannot be read, a worker process lost);
130 interrupted. User errors print one problem per line, never a traceback and never a
value from the case; standard output closed early (``| head``) ends quietly with 3.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from spo_advisor.advice.assess import DEFAULT_RULES, assess, library_version
from spo_advisor.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    FORMATS,
    add_output_argument,
    iso_date,
    report_each_case,
    report_problems,
)
from spo_advisor.cli.output import open_output
from spo_advisor.cli.schemas import SCHEMA_KINDS, json_schema
from spo_advisor.model.errors import EnvironmentFailure, ProblemsError, SpoAdvisorError
from spo_advisor.report.render import AssessmentReport

if TYPE_CHECKING:
    from spo_advisor.cli.common import SubParsers

def _assess(args: argparse.Namespace) -> int:
    return report_each_case(
        args, lambda case, rules: AssessmentReport(assess(case, args.as_of, rules=rules), rules,
                                                   args.verbose),
        "spo-advisor assessment")


def _schema(args: argparse.Namespace) -> int:
    with open_output(args.out) as out:
        out.write(json.dumps(json_schema(args.kind), indent=2) + "\n")
    return EXIT_OK


def _rules_check(args: argparse.Namespace) -> int:
    from spo_advisor.toolchain.check import check_directory

    problems = check_directory(args.directory)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{args.directory}: no problems")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _rules_test(args: argparse.Namespace) -> int:
    from spo_advisor.toolchain.golden import report, run_directory

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
    assess_cmd.add_argument("--verbose", action="store_true",
                            help="text: show the rule ids behind each limb")
    add_output_argument(assess_cmd)
    assess_cmd.set_defaults(run=_assess)

    schema_cmd = commands.add_parser(
        "schema", help="print the JSON Schema of a case (input), an assessment or a review")
    schema_cmd.add_argument("kind", nargs="?", choices=SCHEMA_KINDS, default="case")
    add_output_argument(schema_cmd)
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


EXTENSION_MODULES = ("spo_advisor.cli.review", "spo_advisor.cli.batch", "spo_advisor.cli.rules",
                     "spo_advisor.cli.serve", "spo_advisor.cli.whatif", "spo_advisor.cli.scrutiny")
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
    """Run the command line; the exit code (module docstring). Only a bug gives a traceback."""
    try:
        args = build_parser().parse_args(argv)
        command: Command = args.run
        code = command(args)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_ENVIRONMENT
    except ProblemsError as error:
        return report_problems(error.problems)
    except EnvironmentFailure as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except SpoAdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"error: cannot use{where}: {os.strerror(error.errno) if error.errno else error}",
              file=sys.stderr)
        return EXIT_ENVIRONMENT


def _silence_stdout() -> None:
    """Standard output was closed by its reader: send what is left in its buffer nowhere,
    so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (redirected in a test): nothing to do
        pass


if __name__ == "__main__":
    raise SystemExit(main())
