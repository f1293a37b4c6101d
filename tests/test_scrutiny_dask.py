"""examples/dask_scrutiny.py: partial aggregates merged on Dask's local schedulers give
exactly the in-process figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, load_script
from test_scrutiny_caseload import GENERATOR

import spo_advisor

SCRIPT = ROOT / "examples" / "dask_scrutiny.py"


EXAMPLE = load_script(SCRIPT)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_gives_the_in_process_figures(tmp_path: Path, scheduler: str) -> None:
    cases = list(GENERATOR.caseload(120, 2021, "cleveland", 7))
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    on_dask = EXAMPLE.scrutiny_of_archive([str(archive)], date(2021, 1, 1),
                                          date(2021, 12, 31), blocksize=20_000,
                                          scheduler=scheduler)
    assert EXAMPLE.db.read_text(str(archive), blocksize=20_000).npartitions > 1
    in_process = spo_advisor.scrutiny(cases, date(2021, 1, 1), date(2021, 12, 31))
    assert on_dask == in_process
    assert on_dask.cases.count > 100


def test_partitions_count_bad_lines_without_values(tmp_path: Path) -> None:
    archive = tmp_path / "archive.jsonl"
    cases = list(GENERATOR.caseload(30, 2021, "cleveland", 2))
    archive.write_text("".join(json.dumps(c) + "\n" for c in cases) + "{not json Zanzibar\n",
                       encoding="utf-8")
    result = EXAMPLE.scrutiny_of_archive([str(archive)], date(2021, 1, 1), date(2021, 12, 31),
                                         blocksize=5_000, scheduler="synchronous")
    assert [bad.codes for bad in result.bad_lines] == [["invalid_json"]]
    assert "Zanzibar" not in result.model_dump_json()
    assert result.lines == 31
