"""The ``review`` and ``verify`` commands of ``spo-advisor``.

``spo-advisor review FILE... [--format text|json|markdown|html] [--as-of DATE] [--rules DIR]``
replays each case on its dates and checks the recorded actions (exit 0, or 2 for bad
input). ``spo-advisor verify RECORD.json CASE [--rules DIR]`` re-runs a decision record
(the JSON of ``assess`` or ``review``) and says whether the result is identical: exit 0
identical, 1 differs, 2 bad input.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from spo_advisor.assess import load_rules
from spo_advisor.cli_common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    FORMATS,
    add_output_argument,
    iso_date,
    read_case_argument,
    report_each_case,
)
from spo_advisor.record import verify
from spo_advisor.review import review

if TYPE_CHECKING:
    from spo_advisor.cli_common import SubParsers


def _review(args: argparse.Namespace) -> int:
    return report_each_case(args, lambda case, rules: review(case, args.as_of, rules=rules),
                            "spo-advisor review")


def _verify(args: argparse.Namespace) -> int:
    case = read_case_argument(args.case)
    outcome = verify(args.record, case, rules=load_rules(args.rules))
    if outcome.identical:
        print(f"identical: re-running the {outcome.kind} gives the same result")
        return EXIT_OK
    count = len(outcome.differences)
    print(f"differs: re-running the {outcome.kind} gives {count} "
          f"difference{'' if count == 1 else 's'} (old → new):")
    for difference in outcome.differences:
        print(f"  {difference}")
    return EXIT_PROBLEMS


def add_commands(commands: SubParsers, rules_commands: SubParsers) -> None:
    """Add ``review`` and ``verify`` to the ``spo-advisor`` command line."""
    rules_help = "rule-set directory (default: the shipped England and Wales rules)"
    review_cmd = commands.add_parser(
        "review", help="replay cases on each incident and action date; check recorded actions")
    review_cmd.add_argument("files", nargs="+", metavar="FILE",
                            help="YAML or JSON case file; - for standard input")
    review_cmd.add_argument("--format", choices=FORMATS, default="text")
    review_cmd.add_argument("--as-of", type=iso_date, metavar="DATE",
                            help="review as of this date (default: the case's assessed_on, "
                                 "else today)")
    review_cmd.add_argument("--rules", default=None, metavar="DIR", help=rules_help)
    add_output_argument(review_cmd)
    review_cmd.set_defaults(run=_review)

    verify_cmd = commands.add_parser(
        "verify", help="re-run a decision record (JSON of assess or review) and compare")
    verify_cmd.add_argument("record", metavar="RECORD.json", help="the recorded JSON")
    verify_cmd.add_argument("case", metavar="CASE", help="the case file; - for standard input")
    verify_cmd.add_argument("--rules", default=None, metavar="DIR", help=rules_help)
    verify_cmd.set_defaults(run=_verify)
