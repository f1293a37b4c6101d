"""A real ``spo-advisor serve`` process on a free loopback port, for HTTP tests.

The service runs in a session of its own, so that it and any worker processes it starts
are one process group: whatever happens, the group is ended on the way out.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """A running service: where it listens and where its log goes."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]


@contextmanager
def running_server(log: Path, token: str | None, *extra: str) -> Iterator[Server]:
    """Start ``spo-advisor serve`` and wait (up to 30 s) until ``/healthz`` answers."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "SPO_ADVISOR_API_TOKEN"}
    if token is not None:
        env["SPO_ADVISOR_API_TOKEN"] = token
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "spo_advisor.cli.main", "serve", "--port", str(port), *extra],
            stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + log.read_text())
            time.sleep(0.1)
        yield Server(url, log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        finally:
            end_group(process)


def wait_for_log(server: Server, text: str, count: int, timeout: float = 30) -> None:
    """Wait until ``text`` is in the server's log ``count`` times (one line per worker)."""
    deadline = time.monotonic() + timeout
    while server.log.read_text().count(text) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{text!r} not {count} times in the log:\n"
                               + server.log.read_text())
        time.sleep(0.1)


def end_group(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the process group ``process`` leads."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()
