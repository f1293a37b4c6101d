"""A batch survives its faults: a case that fails in any way is one bad line, a worker
process that dies is noticed at once (the lines lost listed, exit 3), and ``--jobs`` is
bounded by the CPUs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, incident

from spo_advisor.advice.assess import assess
from spo_advisor.cli import batch
from spo_advisor.cli.main import main


def case(number: int) -> dict[str, Any]:
    return {"case_id": f"F-{number}", "assessed_on": "2021-03-01",
            "incidents": [incident("2021-02-01", "following")]}


def write_cases(path: Path, count: int) -> str:
    path.write_text("".join(json.dumps(case(n)) + "\n" for n in range(count)), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["batch", *argv, "--rules", str(MINI_RULES)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_unforeseen_error_is_one_bad_line_with_its_case_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        jobs: str) -> None:
    def faulty(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case.case_id == "F-5":
            raise ZeroDivisionError("a value from the case")
        return assess(case, *args, **kwargs)

    monkeypatch.setattr(batch, "assess", faulty)  # forked workers inherit it
    source = write_cases(tmp_path / "cases.jsonl", 40)
    code, out, err = run(capsys, source, "--out", str(tmp_path / "out.jsonl"), "--jobs", jobs)
    assert code == 1
    assert err == (f"{source}:6:1: [internal_error] the case could not be assessed "
                   "(ZeroDivisionError): a fault in spo_advisor, please report it (case F-5)\n")
    assert "a value from the case" not in out + err
    results = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["case_id"] for r in results] == [f"F-{n}" for n in range(40)]
    assert results[5]["line"] == 6
    assert out.startswith("40 case lines: 39 assessed, 1 bad\n")


def test_a_worker_that_dies_is_noticed_and_the_lines_lost_are_listed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    real_line = batch._assess_line

    def dying(settings: Any, line: Any) -> Any:
        if line.number == 40:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_line(settings, line)

    monkeypatch.setattr(batch, "_assess_line", dying)
    source = write_cases(tmp_path / "cases.jsonl", 200)
    started = time.monotonic()
    code, out, err = run(capsys, source, "--out", str(tmp_path / "out.jsonl"), "--jobs", "2")
    assert time.monotonic() - started < 30
    assert (code, out) == (3, "")
    assert err.startswith(f"error: {source}: a worker process was lost (killed or out of "
                          "memory): lines ")
    assert err.endswith(f" not assessed; stopped, and {tmp_path / 'out.jsonl'} not written\n")
    lost = err.split(": lines ")[1].split(" not assessed")[0]
    assert any(int(a) <= 40 <= int(b or a) for a, _, b in
               (part.partition("-") for part in lost.split(", ")))
    assert list(tmp_path.iterdir()) == [Path(source)]


def worker_pids(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for two workers")
def test_kill_9_of_a_worker_ends_the_batch_within_seconds(tmp_path: Path) -> None:
    source = write_cases(tmp_path / "cases.jsonl", 20_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "spo_advisor.cli.main", "batch", source, "--out",
         str(tmp_path / "out.jsonl"), "--jobs", "2", "--rules", str(MINI_RULES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (workers := worker_pids(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers, "no worker process started"
    time.sleep(0.5)
    os.kill(workers[0], signal.SIGKILL)
    killed = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - killed < 10
    assert process.returncode == 3
    assert b"a worker process was lost" in err and b"Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()


def test_jobs_are_bounded_by_the_cpus(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("one CPU: no worker processes")

    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    source = write_cases(tmp_path / "cases.jsonl", 3)
    code, _, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"), "--jobs", "8")
    assert code == 0


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_ends_a_batch_with_130_no_traceback_and_no_output(tmp_path: Path, jobs: str) -> None:
    source = write_cases(tmp_path / "cases.jsonl", 20_000)
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "spo_advisor.cli.main", "batch", source, "--out", str(out),
         "--jobs", jobs, "--rules", str(MINI_RULES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(".out.jsonl.") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the batch did not start"
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert (process.returncode, err) == (130, b"interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
