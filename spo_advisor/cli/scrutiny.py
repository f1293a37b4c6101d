"""Force scrutiny: :func:`scrutiny` and the ``spo-advisor scrutiny`` command.

The cases go through the batch's machinery (:mod:`spo_advisor.cli.batch`): the JSON Lines
input streamed a line at a time, bounded worker processes that load the rule set once. Each
case comes back as a partial aggregate (:mod:`spo_advisor.scrutiny.partial`), merged in the
parent, so ``--jobs 2`` gives exactly the figures of ``--jobs 1``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from spo_advisor.advice.assess import load_rules
from spo_advisor.cli import common as cli
from spo_advisor.cli.batch import (
    WorkerLostError,
    _case_from_line,
    _jobs,
    _line_ranges,
    _open_input,
    _ordered_map,
    _read_lines,
    _Settings,
)
from spo_advisor.cli.output import open_output
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.errors import CaseError, EnvironmentFailure
from spo_advisor.report.scrutiny_render import scrutiny_csv, scrutiny_document, scrutiny_text
from spo_advisor.scrutiny.figures import figures
from spo_advisor.scrutiny.outcome import Period
from spo_advisor.scrutiny.partial import Partial
from spo_advisor.scrutiny.result import Scrutiny
from spo_advisor.scrutiny.run import scrutinize

__all__ = ["add_commands", "scrutiny"]

CaseSource = Case | dict[str, Any] | str | Path
_Task = tuple[Period, bool, int, Any]  # the period, detail, the item's number, the item


def _scrutinize_item(settings: _Settings, task: _Task) -> Partial:
    period, detail, number, case = task
    return scrutinize(case, number, period, settings.rules, detail=detail)


def _scrutinize_line(settings: _Settings, task: _Task) -> Partial:
    period, detail, number, line = task
    try:
        case = _case_from_line(line)
    except CaseError as error:
        partial = Partial()
        partial.add_bad(number, [problem.code for problem in error.problems])
        return partial
    return scrutinize(case, number, period, settings.rules, detail=detail)


def scrutiny(cases: Iterable[CaseSource], date_from: date, date_to: date, *,
             as_of: date | None = None, rules: RuleSet | str | Path | None = None,
             jobs: int = 1, detail: bool = False) -> Scrutiny:
    """The scrutiny of a caseload: each case replayed (as :func:`~spo_advisor.review`
    replays it, without hindsight) up to ``as_of`` (default ``date_to``), and the cases
    entered from ``date_from`` to ``date_to`` counted (:mod:`spo_advisor.scrutiny.outcome`
    says which). A bad case is counted by its position (from 1) and problem codes and the
    others go on. ``jobs`` above 1 replays in that many processes; ``detail`` adds each
    case's own figures. Raises :class:`~spo_advisor.scrutiny.outcome.PeriodError` for
    dates out of order.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError("jobs must be a whole number, at least 1")
    period = Period.of(date_from, date_to, as_of)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    tasks = ((period, detail, number, case) for number, case in enumerate(cases, 1))
    total = Partial()
    for partial in _ordered_map(_scrutinize_item, tasks, _Settings(ruleset, None), jobs):
        total.merge(partial)
    return figures(total, period, ruleset, detail=detail)


DESCRIPTION = """\
Replay every case of a JSON Lines file (one case a line, as `spo-advisor schema` gives
it) as `review` does, without hindsight, and count, for the cases in the period: when an
SPO, an interim SPO, a DVPN/DVPO and a DAPN/DAPO were first indicated (recommended or
consider), how many were applied for or obtained and after how long, the missed
opportunities with the reasons recorded for not applying (legal bars or not), the cases
that could not be judged for unknown facts, by month and by relationship.

A case is in the period when its earliest dated record (incident, action or risk
assessment) falls from --from to --to. Every case is replayed up to --to (or --as-of, when
given, to let later actions count); records dated after that are left out.

Standard output gets the headline figures in plain words; --out the HTML report (case
ids only, unless --detail); --csv the figures, one row per measure and period. A bad line
is counted and listed by line number and problem codes on standard error and in the
report, never its values, and the other lines are still counted.

exit status: 0 done; 1 done, with bad lines excluded; 2 the command could not run (bad
arguments or dates, unreadable input or rules, an output that is also the input); 3 an
output cannot be written, or a worker process was lost; 130 interrupted."""


def add_commands(commands: cli.SubParsers, rules_commands: cli.SubParsers) -> None:
    """Add ``spo-advisor scrutiny``."""
    command = commands.add_parser(
        "scrutiny", help="replay a caseload and report the figures for a period",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("input", metavar="CASES.jsonl",
                         help="one case per line, a JSON object; - for standard input")
    command.add_argument("--from", dest="date_from", type=cli.iso_date, required=True,
                         metavar="DATE", help="first day of the period")
    command.add_argument("--to", dest="date_to", type=cli.iso_date, required=True,
                         metavar="DATE", help="last day of the period")
    command.add_argument("--as-of", type=cli.iso_date, metavar="DATE",
                         help="replay up to this date, not before --to (default: --to)")
    cli.add_output_argument(command, "REPORT.html")
    command.add_argument("--csv", metavar="FIGURES.csv",
                         help="write the figures as CSV, one row per measure and period")
    command.add_argument("--detail", action="store_true",
                         help="the report shows each case's dates, not only its id")
    command.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                         help="replay in N processes, at most the number of CPUs (default: 1)")
    command.add_argument("--rules", default=None, metavar="DIR",
                         help="rule-set directory (default: the shipped England and Wales rules)")
    command.set_defaults(run=run_scrutiny)


def run_scrutiny(args: argparse.Namespace) -> int:
    """``spo-advisor scrutiny``: see :data:`DESCRIPTION`."""
    if args.out is not None and args.out == args.csv:
        raise cli.UsageError("--out and --csv name the same file")
    period = Period.of(args.date_from, args.date_to, args.as_of)
    settings = _Settings(load_rules(args.rules), None)
    total = Partial()
    with ExitStack() as stack:
        handle, name, _ = _open_input(stack, args.input)
        report = stack.enter_context(open_output(args.out, [args.input])) if args.out else None
        table = stack.enter_context(open_output(args.csv, [args.input])) if args.csv else None
        lines = ((period, args.detail, line.number, line) for line in _read_lines(handle))
        try:
            for partial in _ordered_map(_scrutinize_line, lines, settings, args.jobs):
                total.merge(partial)
        except WorkerLostError as error:
            numbers = _line_ranges(task[2] for task in error.items)
            raise EnvironmentFailure(f"{name}: {error}: lines {numbers} not counted; stopped, "
                                     "and no report written") from None
        result = figures(total, period, settings.rules, detail=args.detail)
        for bad in result.bad_lines:
            print(f"{name}:{bad.line}: not a valid case ({', '.join(bad.codes)}); excluded",
                  file=sys.stderr)
        if report is not None:
            report.write(scrutiny_document(result, settings.rules))
        if table is not None:
            table.write(scrutiny_csv(result))
    print(scrutiny_text(result, settings.rules))
    return cli.EXIT_PROBLEMS if result.bad_lines else cli.EXIT_OK

