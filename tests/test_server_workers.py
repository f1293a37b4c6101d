"""``spo-advisor serve --workers N``: the same service from N processes on one socket."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import EXAMPLES, ROOT
from server_process import Server, running_server, wait_for_log

from spo_advisor import assess, load_case
from spo_advisor.cli.main import main
from spo_advisor.server.app import most_workers

TOKEN = "test-token-workers-81c2"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STARTED = "Application startup complete"
CASE: dict[str, Any] = load_case(EXAMPLES / "ex_partner.yaml").model_dump(
    mode="json", exclude_none=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("workers") / "server.log"
    with running_server(log, TOKEN, "--workers", "2") as running:
        wait_for_log(running, STARTED, 2)
        yield running


def test_healthz(server: Server) -> None:
    response = httpx.get(f"{server.url}/healthz", timeout=30)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_assess_returns_the_library_json(server: Server) -> None:
    expected = assess(CASE).model_dump(mode="json")
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as client:
        answers = [client.post("/v1/assess", json=CASE) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 6
    assert all(answer.json() == expected for answer in answers)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_v1_needs_the_token(server: Server, headers: dict[str, str]) -> None:
    response = httpx.post(f"{server.url}/v1/assess", json=CASE, headers=headers, timeout=30)
    assert response.status_code == 401


def test_refuses_a_non_loopback_host_without_a_token(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SPO_ADVISOR_API_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--workers", "2"]) == 2
    assert capsys.readouterr().err == (
        "error: refusing to serve on 0.0.0.0 without a token: set SPO_ADVISOR_API_TOKEN, "
        "or serve on 127.0.0.1\n")


OUT_OF_RANGE = f"workers must be from 1 to {most_workers()} (4 per CPU core), not "


@pytest.mark.parametrize(("value", "message"), [
    ("0", OUT_OF_RANGE + "0"),
    ("-3", OUT_OF_RANGE + "-3"),
    (str(most_workers() + 1), OUT_OF_RANGE + str(most_workers() + 1)),
    ("two", "--workers must be a whole number, not 'two'"),
    ("", "--workers must be a whole number, not ''"),
])
def test_bad_workers_is_a_one_line_usage_error(
        capsys: pytest.CaptureFixture[str], value: str, message: str) -> None:
    assert main(["serve", "--workers", value]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"


def test_bad_workers_exits_2_without_a_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "spo_advisor.cli.main", "serve",
                           "--workers", "0"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("error: workers must be from 1 to ")
    assert len(done.stderr.splitlines()) == 1


def test_a_bad_rule_set_fails_before_any_worker_starts(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "spo_advisor.cli.main", "serve", "--workers",
                           "2", "--rules", str(tmp_path)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Started parent process" not in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_worker(tmp_path: Path, stop: signal.Signals) -> None:
    with running_server(tmp_path / "server.log", TOKEN, "--workers", "2") as running:
        wait_for_log(running, STARTED, 2)
        assert httpx.post(f"{running.url}/v1/assess", json=CASE, headers=AUTH,
                          timeout=30).status_code == 200
        running.process.send_signal(stop)
        assert running.process.wait(timeout=30) == 0
        log = running.log.read_text()
        workers = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)]
        assert len(workers) == 2 and log.count("Finished server process") == 2
        assert "Stopping parent process" in log
        for pid in workers:  # each worker finished and was waited for
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)


def test_load_script_compares_two_workers_with_one() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load_server.py"),
                             "--workers", "2", "--seconds", "0.3"], capture_output=True,
                            text=True, check=True, timeout=300)
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[2:8]] == [
        ["1", "1"], ["2", "1"], ["1", "8"], ["2", "8"], ["1", "64"], ["2", "64"]]
    ratio, p99 = lines[-2], lines[-1]  # figures only: no timing is asserted
    assert re.fullmatch(r"req/s at 8 clients, 2 workers / 1 +\d+\.\d\dx +>= 1\.7x +(yes|no)",
                        ratio)
    assert re.fullmatch(r"p99 at 64 clients, workers: 2 +\d+\.\d ms +< 250 ms +(yes|no)", p99)
