"""Load on the HTTP service: requests per second, p50 and p99 latency of ``POST /v1/assess``.

    .venv/bin/python benchmarks/load_server.py                 # 1, 8 and 64 clients, 10 s each
    .venv/bin/python benchmarks/load_server.py --quick         # 2 s each (a smoke run)
    .venv/bin/python benchmarks/load_server.py --workers 2     # 2 worker processes against 1
    .venv/bin/python benchmarks/load_server.py --url http://host:8000   # a running service

Without ``--url`` it starts ``spo-advisor serve`` on a free loopback port and stops it
after: one process, or with ``--workers N`` (N above 1) also a service of N worker
processes. Each level runs in rounds taking the services in turn, and the best round
of each counts, so that other work on the machine slows both alike. A last table gives
each target with its figure and whether it is met: N workers at least 1.7 times one in
requests a second at 8 clients, p99 under 250 ms at 64 clients (of the N workers). Clients are coroutines, each on a keep-alive connection of its own sending
the example cases in turn as fast as answers come back: the requests are built once and
sent as plain HTTP/1.1 on asyncio streams, so that the load generator takes as little of
the machine as it can (``--url`` takes ``http://`` only). Beside the figures is
``assess`` called in this process on the same cases, one at a time: the ceiling one
service process could reach with HTTP cost nothing. The load generator shares the machine with the service,
so on a small machine every figure is lower than on a server, and extra workers gain
less than they would with the cores to themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server_process import running_server, wait_for_log

from spo_advisor import assess, load_case

CLIENTS = (1, 8, 64)
ROUNDS = 3
"""Rounds per level: the services measured in turn, so that other work on the machine
slows them alike; of each service the best round counts."""
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)
SPEED_UP_TARGET = 1.7
"""N workers against one, throughput at 8 clients."""
P99_TARGET_MS = 250.0
"""p99 latency at 64 clients."""


@dataclass(frozen=True)
class Level:
    """The figures at one number of clients."""

    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float


def example_cases() -> list[dict[str, Any]]:
    """The example cases as the JSON a case system would send."""
    return [load_case(path).model_dump(mode="json", exclude_none=True)
            for path in sorted((ROOT / "examples" / "cases").glob("*.yaml"))]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def requests_for(url: str, token: str | None, cases: list[dict[str, Any]]) -> list[bytes]:
    """Each case as a whole ``POST /v1/assess`` request, built once."""
    where = urlsplit(url)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    built = []
    for case in cases:
        body = json.dumps(case).encode("utf-8")
        head = (f"POST {where.path.rstrip('/')}/v1/assess HTTP/1.1\r\nHost: {where.netloc}\r\n"
                f"{auth}Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        built.append(head.encode("ascii") + body)
    return built


async def one_client(url: str, requests: list[bytes], offset: int, stop: float,
                     latencies: list[float]) -> None:
    """One keep-alive connection sending ``requests`` in turn until ``stop``."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port or 80)
    try:
        for request in itertools.islice(itertools.cycle(requests), offset, None):
            sent = time.perf_counter()
            if sent >= stop:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = CONTENT_LENGTH.search(head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            if not head.startswith(b"HTTP/1.1 200 "):
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode("ascii", "replace"))
            latencies.append(time.perf_counter() - sent)
    finally:
        writer.close()
        await writer.wait_closed()


async def load(url: str, token: str | None, clients: int, seconds: float,
               cases: list[dict[str, Any]]) -> tuple[int, float, list[float]]:
    """Requests done, seconds taken and each latency, with ``clients`` at once."""
    requests = requests_for(url, token, cases)
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(*(one_client(url, requests, n, start + seconds, latencies)
                           for n in range(clients)))
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


def measure_level(url: str, token: str | None, clients: int, seconds: float,
                  cases: list[dict[str, Any]]) -> Level:
    """The figures at ``clients`` clients against the service at ``url``."""
    done, taken, latencies = asyncio.run(load(url, token, clients, seconds, cases))
    return Level(done, done / taken, statistics.median(latencies) * 1000,
                 percentile(latencies, 0.99) * 1000)


def measure(services: dict[str, str], token: str | None, seconds: float,
            cases: list[dict[str, Any]]) -> dict[str, dict[int, Level]]:
    """Each level of clients against each service (named by its workers), printed as it
    is measured: :data:`ROUNDS` rounds taking the services in turn, each round's share
    of ``seconds``, and of each service its round of the most requests a second."""
    runs: dict[str, dict[int, Level]] = {name: {} for name in services}
    for clients in CLIENTS:
        for _ in range(ROUNDS):
            for name, url in services.items():
                got = measure_level(url, token, clients, seconds / ROUNDS, cases)
                best = runs[name].get(clients)
                if best is None or got.per_second > best.per_second:
                    runs[name][clients] = got
        for name in services:
            level = runs[name][clients]
            print(f"{name:>7} {clients:>7} {level.requests:>9} {level.per_second:>8.1f} "
                  f"{level.p50_ms:>8.1f} {level.p99_ms:>8.1f}")
    return runs


def targets(runs: dict[str, dict[int, Level]]) -> list[tuple[str, str, str, bool]]:
    """Each target met or not: what is measured, the figure, the target, whether met. The
    last service measured is the one compared with one worker and held to the p99."""
    last = list(runs)[-1]
    rows = []
    if last != "1" and "1" in runs:
        ratio = runs[last][8].per_second / runs["1"][8].per_second
        rows.append((f"req/s at 8 clients, {last} workers / 1", f"{ratio:.2f}x",
                     f">= {SPEED_UP_TARGET}x", ratio >= SPEED_UP_TARGET))
    p99 = runs[last][64].p99_ms
    rows.append((f"p99 at 64 clients, workers: {last}", f"{p99:.1f} ms",
                 f"< {P99_TARGET_MS:g} ms", p99 < P99_TARGET_MS))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running service (default: start one here)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="also start the service with N worker processes, and compare")
    parser.add_argument("--quick", action="store_true", help="2 s per level")
    parser.add_argument("--seconds", type=float, help="seconds per level (default 10)")
    args = parser.parse_args()
    if args.url and args.workers != 1:
        parser.error("--workers starts a service here; it cannot go with --url")
    if args.url and urlsplit(args.url).scheme != "http":
        parser.error("--url takes an http:// address")
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    cases = example_cases()
    print(f"POST /v1/assess on {args.url or 'loopback'}, {len(cases)} example cases, "
          f"{seconds:g} s per level and service in {ROUNDS} rounds, {os.cpu_count()} cores")
    print(f"{'workers':>7} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8}")
    with ExitStack() as stack:
        if args.url:
            token, services = os.environ.get("SPO_ADVISOR_API_TOKEN"), {"?": args.url}
        else:
            token, services = "load-test-token", {}
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            for workers in sorted({1, args.workers}):
                server = stack.enter_context(running_server(
                    scratch / f"server-{workers}.log", token, "--workers", str(workers)))
                wait_for_log(server, "Application startup complete", workers)
                services[str(workers)] = server.url
        runs = measure(services, token, seconds, cases)
    print(f"in-process assess, one at a time: {in_process_rate(cases, seconds):.1f} cases/s")
    print()
    print(f"{'target':<36} {'figure':>9} {'target':>10} {'met':>4}")
    for measured, figure, target, met in targets(runs):
        print(f"{measured:<36} {figure:>9} {target:>10} {'yes' if met else 'no':>4}")


if __name__ == "__main__":
    main()
