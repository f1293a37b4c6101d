"""examples/dask_batch.py: assess_many over Dask partitions, on Dask's local schedulers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, load_script

from spo_advisor import assess_many

CASES = ROOT / "examples" / "batch" / "cases.jsonl"
SCRIPT = ROOT / "examples" / "dask_batch.py"


EXAMPLE = load_script(SCRIPT)


def expected(lines: list[str]) -> list[dict[str, object]]:
    """What assess_many gives for the lines, in one process."""
    cases = [json.loads(line) for line in lines if line.strip()]
    return [EXAMPLE.to_record(result) for result in assess_many(cases)]


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_archive_in_partitions_matches_assess_many(tmp_path: Path, scheduler: str) -> None:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    archive = tmp_path / "archive.jsonl"
    archive.write_text("\n".join(lines + ["{not json", '{"case_id": "BAD", "victim": 7}']) + "\n",
                       encoding="utf-8")
    bag = EXAMPLE.assess_archive([str(archive)], blocksize=4000)
    assert bag.npartitions > 1
    records = bag.compute(scheduler=scheduler)
    assert records[:-2] == expected(lines)
    assert [[(p["code"], p["location"]) for p in record["problems"]]
            for record in records[-2:]] == [[("invalid_json", "")], [("wrong_type", "victim")]]


def test_script_writes_partition_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(SCRIPT), str(CASES), "--out-dir", str(out),
                    "--scheduler", "synchronous", "--blocksize", "4000"],
                   check=True, capture_output=True)
    records = [json.loads(line) for path in sorted(out.glob("*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines()]
    assert records == expected(CASES.read_text(encoding="utf-8").splitlines())
