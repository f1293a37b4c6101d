"""The ``what-if`` command of ``spo-advisor``: what to find out next about one case.

``spo-advisor what-if FILE [--format text|json|markdown] [--as-of DATE] [--rules DIR]``
prints the questions whose answers would change a decision, in plain words, grouped by
order (JSON: the list of changes of :func:`~spo_advisor.advice.whatif.what_would_change`).
Exit 0, or 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from spo_advisor.advice.assess import load_rules
from spo_advisor.advice.whatif import what_would_change
from spo_advisor.cli.common import (
    EXIT_OK,
    add_output_argument,
    iso_date,
    read_case_argument,
    report_problems,
    with_file,
)
from spo_advisor.cli.output import open_output
from spo_advisor.model import safe_text
from spo_advisor.model.errors import CaseError

if TYPE_CHECKING:
    from spo_advisor.cli.common import SubParsers

WHAT_IF_FORMATS = ("text", "json", "markdown")


def _what_if(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    try:
        case = read_case_argument(args.file)
    except CaseError as error:
        return report_problems([with_file(problem, args.file) for problem in error.problems])
    day = case.as_of(args.as_of)
    questions = what_would_change(case, day, rules=rules)
    if args.format == "json":
        text = json.dumps([change.model_dump(mode="json") for change in questions], indent=2)
    elif args.format == "markdown":
        text = (f"## What to find out next: case {safe_text.markdown(case.case_id)}, as of {day}"
                f"\n\n{questions.to_markdown().rstrip()}")
    else:
        text = (f"What to find out next: case {safe_text.plain(case.case_id)}, as of {day}\n\n"
                f"{questions.explain()}")
    with open_output(args.out, [args.file]) as out:
        out.write(text + "\n")
    return EXIT_OK


def add_commands(commands: SubParsers, rules_commands: SubParsers) -> None:
    """Add ``what-if`` to the ``spo-advisor`` command line."""
    what_if = commands.add_parser(
        "what-if", help="the questions whose answers would change a decision, in plain words")
    what_if.add_argument("file", metavar="FILE", help="YAML or JSON case file; - for standard input")
    what_if.add_argument("--format", choices=WHAT_IF_FORMATS, default="text")
    what_if.add_argument("--as-of", type=iso_date, metavar="DATE",
                         help="as of this date (default: the case's assessed_on, else today)")
    what_if.add_argument("--rules", default=None, metavar="DIR",
                         help="rule-set directory (default: the shipped England and Wales rules)")
    add_output_argument(what_if)
    what_if.set_defaults(run=_what_if)
