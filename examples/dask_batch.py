"""Assess a multi-force archive of cases on a Dask cluster (or on one machine).

Assessment is a pure function of (case, rule-set version), so an archive splits into
partitions that are assessed independently: each partition goes through
:func:`spo_advisor.assess_many`, and ``load_rules`` caches the rule set per process, so
each Dask worker loads and validates it once, whatever the number of partitions.

    python examples/dask_batch.py CASES.jsonl [MORE.jsonl ...] --out-dir results/
        [--scheduler threads|processes|synchronous] [--blocksize 16MiB] [--rules DIR]

Input is JSON lines, one case a line (``examples/batch/cases.jsonl``). Output is one
JSON object a line per partition file: the assessment, or ``{"problems": [...]}`` for a
bad case (problems name the field, never its value). To run on a cluster, create a
``dask.distributed.Client`` for it before computing; nothing else changes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dask.bag as db

from spo_advisor import Assessment, Case, CaseError, assess_many, load_rules
from spo_advisor.model.case_reading import parse_case_text


def _parse(line: str) -> Case | CaseError:
    try:
        return parse_case_text(line, filename="<line>", json_text=True)
    except CaseError as error:
        return error


def to_record(result: Assessment | CaseError) -> dict[str, Any]:
    """The output line for one case: its assessment, or its problems."""
    if isinstance(result, CaseError):
        return {"problems": [{"code": p.code, "location": p.location, "message": p.message}
                             for p in result.problems]}
    return result.model_dump(mode="json")


def assess_partition(lines: Iterable[str], rules: str | None = None) -> list[dict[str, Any]]:
    """Assess one partition of JSON lines, in order; blank lines are skipped."""
    parsed = [_parse(line) for line in lines if line.strip()]
    assessed = assess_many([case for case in parsed if isinstance(case, Case)],
                           rules=load_rules(rules))  # cached: once per worker process
    return [to_record(item if isinstance(item, CaseError) else next(assessed))
            for item in parsed]


def assess_archive(paths: list[str], *, rules: str | None = None,
                   blocksize: str | int = "16MiB") -> db.Bag:
    """A Dask bag of assessment records for every case in ``paths``, in input order."""
    return db.read_text(paths, blocksize=blocksize).map_partitions(assess_partition, rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", metavar="CASES.jsonl")
    parser.add_argument("--out-dir", required=True, type=Path)
    parser.add_argument("--scheduler", default="threads",
                        choices=("threads", "processes", "synchronous"))
    parser.add_argument("--blocksize", default="16MiB")
    parser.add_argument("--rules", default=None, metavar="DIR")
    args = parser.parse_args()
    bag = assess_archive(args.inputs, rules=args.rules, blocksize=args.blocksize)
    written = bag.map(json.dumps).to_textfiles(str(args.out_dir / "*.jsonl"),
                                               compute=True, scheduler=args.scheduler)
    print(f"{len(written)} partition files in {args.out_dir}")


if __name__ == "__main__":
    main()
