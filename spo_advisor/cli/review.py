"""The ``review``, ``verify`` and ``sign`` commands of ``spo-advisor``.

``spo-advisor review FILE... [--format text|json|markdown|html] [--as-of DATE] [--rules DIR]
[--out FILE]`` replays each case on its dates and checks the recorded actions (exit 0, or
2 for bad input). ``spo-advisor verify RECORD.json CASE [--rules DIR] [--key PUBLIC.pem]``
checks a decision record (the JSON of ``assess`` or ``review``): its digest, its signature
when a key is given, and the result re-derived; it opens with a one-line headline. Exit 0
matches, 1 differs (or altered, or the signature fails), 2 bad input (arguments the wrong
way round included). ``spo-advisor sign RECORD.json --key PRIVATE.pem [--out FILE]`` signs
a record with an Ed25519 key (the ``sign`` extra).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from spo_advisor.advice.assess import load_rules
from spo_advisor.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    FORMATS,
    UsageError,
    add_output_argument,
    iso_date,
    read_case_argument,
    report_each_case,
)
from spo_advisor.cli.output import open_output
from spo_advisor.report.review_render import review_title
from spo_advisor.review.record import (
    RecordError,
    load_record,
    looks_like_record,
    record_kind,
    verify,
)
from spo_advisor.review.replay import review

SWAPPED = ("the arguments are the wrong way round: give the record first, then the case "
           "(spo-advisor verify RECORD.json CASE)")

if TYPE_CHECKING:
    from spo_advisor.cli.common import SubParsers


def _review(args: argparse.Namespace) -> int:
    return report_each_case(args, lambda case, rules: review(case, args.as_of, rules=rules),
                            review_title)


def _verify(args: argparse.Namespace) -> int:
    try:
        record = load_record(args.record)
        record_kind(record, args.record)
    except RecordError:
        if args.case != "-" and looks_like_record(args.case):
            raise UsageError(SWAPPED) from None
        raise
    signed = ""
    if args.key is not None:
        from spo_advisor.review.signing import SignatureFailure, check_signature

        try:
            signed = check_signature(record, args.key)
        except SignatureFailure as failure:
            print(f"Record signature fails: {failure}.")
            return EXIT_PROBLEMS
    case = read_case_argument(args.case)
    outcome = verify(record, case, rules=load_rules(args.rules))
    print(outcome.headline())
    if signed:
        print(f"Signed with the key given (public key sha256 {signed[:16]}…).")
    count = len(outcome.differences)
    if count:
        print(f"{count} difference{'' if count == 1 else 's'} (old → new):")
        for difference in outcome.differences:
            print(f"  {difference}")
    return EXIT_OK if outcome.identical else EXIT_PROBLEMS


def _sign(args: argparse.Namespace) -> int:
    from spo_advisor.review.signing import sign_record

    signed = sign_record(load_record(args.record), args.key)
    with open_output(args.out, [args.record, args.key]) as out:
        out.write(json.dumps(signed, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


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
    verify_cmd.add_argument("--key", default=None, metavar="PUBLIC.pem",
                            help="also check the record's Ed25519 signature with this public key")
    verify_cmd.set_defaults(run=_verify)

    sign_cmd = commands.add_parser(
        "sign", help="sign a decision record with an Ed25519 private key (extra: sign)")
    sign_cmd.add_argument("record", metavar="RECORD.json", help="the recorded JSON")
    sign_cmd.add_argument("--key", required=True, metavar="PRIVATE.pem",
                          help="the force's Ed25519 private key (PEM, unencrypted)")
    add_output_argument(sign_cmd)
    sign_cmd.set_defaults(run=_sign)
