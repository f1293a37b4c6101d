"""A real ``spo-advisor serve`` process on a free loopback port, for HTTP tests."""

from __future__ import annotations

import os
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
            stdout=sink, stderr=subprocess.STDOUT, env=env)
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
        yield Server(url, log)
    finally:
        process.terminate()
        process.wait(timeout=10)
