"""``spo-advisor rules coverage`` and ``spo-advisor rules docs``: how well the golden cases
exercise a rule set, and the rule set as a Markdown document."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from spo_advisor.advice.assess import DEFAULT_RULES, load_rules
from spo_advisor.cli.common import EXIT_OK, EXIT_PROBLEMS, add_output_argument
from spo_advisor.cli.output import open_output

if TYPE_CHECKING:
    from spo_advisor.cli.common import SubParsers


def _coverage(args: argparse.Namespace) -> int:
    from spo_advisor.toolchain.coverage import measure_directory

    coverage, problems = measure_directory(args.directory)
    shortfalls = coverage.shortfalls()
    for line in [*map(str, problems), *map(str, shortfalls), *coverage.figures()]:
        print(line)
    return EXIT_PROBLEMS if problems or shortfalls else EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from spo_advisor.toolchain.docs import render_markdown

    with open_output(args.out, Path(args.directory).rglob("*")) as out:
        out.write(render_markdown(load_rules(args.directory)))
    return EXIT_OK


def add_commands(commands: SubParsers, rules_commands: SubParsers) -> None:
    """Add ``rules coverage`` and ``rules docs`` to the command line."""
    coverage = rules_commands.add_parser(
        "coverage", help="show which rules and conditions the golden cases leave untested")
    coverage.add_argument("directory", nargs="?", default=str(DEFAULT_RULES), metavar="DIR")
    coverage.set_defaults(run=_coverage)
    docs = rules_commands.add_parser("docs", help="write the rule set as a Markdown document")
    docs.add_argument("directory", nargs="?", default=str(DEFAULT_RULES), metavar="DIR")
    add_output_argument(docs)
    docs.set_defaults(run=_docs)
