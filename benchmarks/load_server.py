"""Load on the HTTP service: requests per second and p99 latency of ``POST /v1/assess``.

    .venv/bin/python benchmarks/load_server.py                 # 1, 8 and 64 clients, 10 s each
    .venv/bin/python benchmarks/load_server.py --quick         # 2 s each (a smoke run)
    .venv/bin/python benchmarks/load_server.py --url http://host:8000   # a running service

Without ``--url`` it starts ``spo-advisor serve`` on a free loopback port (one uvicorn
process) and stops it after. Clients are coroutines on one httpx.AsyncClient, each
sending the example cases in turn as fast as answers come back. Beside the figures is
``assess`` called in this process on the same cases, one at a time: the ceiling one
service process could reach with HTTP cost nothing. The load generator shares the
machine with the service, so on a small machine both figures are lower than on a server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server_process import running_server

from spo_advisor import assess, load_case

CLIENTS = (1, 8, 64)


def example_cases() -> list[dict[str, Any]]:
    """The example cases as the JSON a case system would send."""
    return [load_case(path).model_dump(mode="json", exclude_none=True)
            for path in sorted((ROOT / "examples" / "cases").glob("*.yaml"))]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def load(url: str, token: str | None, clients: int, seconds: float,
               cases: list[dict[str, Any]]) -> tuple[int, float, list[float]]:
    """Requests done, seconds taken and each latency, with ``clients`` at once."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=60) as client:
        start = time.perf_counter()
        stop = start + seconds

        async def one_client(offset: int) -> None:
            for case in itertools.islice(itertools.cycle(cases), offset, None):
                sent = time.perf_counter()
                if sent >= stop:
                    return
                response = await client.post("/v1/assess", json=case)
                response.raise_for_status()
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(one_client(n) for n in range(clients)))
        return len(latencies), time.perf_counter() - start, latencies


def in_process_rate(cases: list[dict[str, Any]], seconds: float) -> float:
    """Cases per second from ``assess`` called directly, one at a time."""
    assess(cases[0])  # load the rule set first
    start = time.perf_counter()
    for done, case in enumerate(itertools.cycle(cases), start=1):
        assess(case)
        if time.perf_counter() - start >= seconds:
            break
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running service (default: start one here)")
    parser.add_argument("--quick", action="store_true", help="2 s per level")
    parser.add_argument("--seconds", type=float, help="seconds per level (default 10)")
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    cases = example_cases()
    with ExitStack() as stack:
        url, token = args.url, os.environ.get("SPO_ADVISOR_API_TOKEN")
        if url is None:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "server.log"
            token = "load-test-token"
            url = stack.enter_context(running_server(log, token)).url
        print(f"POST /v1/assess on {url}, {len(cases)} example cases, {seconds:g} s per level,"
              f" {os.cpu_count()} cores")
        print(f"{'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for clients in CLIENTS:
            done, taken, latencies = asyncio.run(load(url, token, clients, seconds, cases))
            print(f"{clients:>7} {done:>9} {done / taken:>8.1f} "
                  f"{statistics.median(latencies) * 1000:>8.1f} "
                  f"{percentile(latencies, 0.99) * 1000:>8.1f}")
    print(f"in-process assess, one at a time: {in_process_rate(cases, seconds):.1f} cases/s")


if __name__ == "__main__":
    main()
