"""Force scrutiny of a large archive (a national one: 80,000 cases) on a Dask cluster, or
on one machine.

Each partition of the JSON Lines archive is replayed and counted into a partial aggregate
(:func:`spo_advisor.scrutiny.run.scrutinize`); the partials are merged exactly
(:meth:`~spo_advisor.scrutiny.partial.Partial.merge`: counts as lists of case ids, delays
as lists of days), and the figures are worked out once from the merged whole, so they are
the figures ``spo-advisor scrutiny`` gives for the same file.

    python examples/dask_scrutiny.py CASES.jsonl [MORE.jsonl ...] --from 2021-01-01 \\
        --to 2021-12-31 [--out report.html] [--csv figures.csv]
        [--scheduler threads|processes|synchronous] [--blocksize 16MiB]

Items are numbered within their partition here (the command numbers lines in the file);
a bad line is counted, never echoed. To run on a cluster, create a
``dask.distributed.Client`` for it before computing; nothing else changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import dask.bag as db

from spo_advisor import Scrutiny, load_rules
from spo_advisor.model.case_reading import parse_case_text
from spo_advisor.model.errors import CaseError
from spo_advisor.report.scrutiny_render import scrutiny_csv, scrutiny_document
from spo_advisor.scrutiny.figures import figures
from spo_advisor.scrutiny.outcome import Period
from spo_advisor.scrutiny.partial import Partial, combine
from spo_advisor.scrutiny.run import scrutinize


def scrutinize_partition(lines: Iterable[str], period: Period,
                         rules: str | None = None) -> list[Partial]:
    """One partition of JSON lines as one partial aggregate (in a list, for Dask)."""
    ruleset = load_rules(rules)  # cached: once per worker process
    total = Partial()
    for number, line in enumerate((line for line in lines if line.strip()), 1):
        try:
            case = parse_case_text(line, filename="<line>", json_text=True)
        except CaseError as error:
            total.add_bad(number, [problem.code for problem in error.problems])
            continue
        total.merge(scrutinize(case, number, period, ruleset))
    return [total]


def scrutinize_archive(paths: list[str], period: Period, *, rules: str | None = None,
                       blocksize: str | int = "16MiB") -> db.Item:
    """A Dask item: the merged partial aggregate of every case in ``paths``."""
    partials = db.read_text(paths, blocksize=blocksize).map_partitions(
        scrutinize_partition, period, rules)
    return partials.reduction(combine, combine)


def scrutiny_of_archive(paths: list[str], date_from: date, date_to: date, *,
                        rules: str | None = None, blocksize: str | int = "16MiB",
                        scheduler: str = "threads") -> Scrutiny:
    """The scrutiny of the archive, computed on Dask."""
    period = Period.of(date_from, date_to)
    merged = scrutinize_archive(paths, period, rules=rules, blocksize=blocksize)
    return figures(merged.compute(scheduler=scheduler), period, load_rules(rules))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", metavar="CASES.jsonl")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, help="the HTML report")
    parser.add_argument("--csv", type=Path, help="the figures as CSV")
    parser.add_argument("--scheduler", default="threads",
                        choices=("threads", "processes", "synchronous"))
    parser.add_argument("--blocksize", default="16MiB")
    parser.add_argument("--rules", default=None, metavar="DIR")
    args = parser.parse_args()
    result = scrutiny_of_archive(args.inputs, args.date_from, args.date_to, rules=args.rules,
                                 blocksize=args.blocksize, scheduler=args.scheduler)
    if args.out:
        args.out.write_text(scrutiny_document(result), encoding="utf-8")
    if args.csv:
        args.csv.write_text(scrutiny_csv(result), encoding="utf-8")
    print(result.explain())


if __name__ == "__main__":
    main()
