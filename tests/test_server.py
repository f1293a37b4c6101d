"""The HTTP service, run for real: uvicorn on a free loopback port, called with httpx."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import EXAMPLES, ROOT
from server_process import Server, running_server

from spo_advisor import assess, load_case, review, what_would_change
from spo_advisor.cli.main import main

TOKEN = "test-token-3f9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "Zanzibar-Quill-7731"
CASE: dict[str, Any] = load_case(EXAMPLES / "ex_partner.yaml").model_dump(
    mode="json", exclude_none=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server") / "server.log", TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as session:
        yield session


def test_healthz_needs_no_token(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("route", ["/v1/assess", "/v1/review", "/v1/what-would-change"])
def test_case_routes_return_the_library_json(client: httpx.Client, route: str) -> None:
    produce = {"/v1/assess": lambda: assess(CASE).model_dump(mode="json"),
               "/v1/review": lambda: review(CASE).model_dump(mode="json"),
               "/v1/what-would-change": lambda: [change.model_dump(mode="json")
                                                 for change in what_would_change(CASE)]}
    response = client.post(route, json=CASE, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == produce[route]()


def test_rules_names_the_rule_set(client: httpx.Client) -> None:
    body = client.get("/v1/rules", headers=AUTH).json()
    assert body["name"] == "england_and_wales"
    assert body["sha256"] == assess(CASE).ruleset.sha256
    assert "spo" in [order["order"] for order in body["orders"]]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
@pytest.mark.parametrize(("method", "route"), [("POST", "/v1/assess"), ("GET", "/v1/rules")])
def test_v1_needs_the_token(client: httpx.Client, headers: dict[str, str], method: str,
                            route: str) -> None:
    response = client.request(method, route, json=CASE, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_bad_case_is_422_with_location_and_message_never_the_value(client: httpx.Client) -> None:
    case = {**CASE, "relationship": SECRET, "victim": {"age": SECRET}}
    response = client.post("/v1/assess", json=case, headers=AUTH)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert sorted(p["location"] for p in problems) == ["relationship", "victim.age"]
    assert all(p["message"] for p in problems)
    assert SECRET not in response.text


@pytest.mark.parametrize("body", [b"{not json " + SECRET.encode(), b"[1, 2]", b"\xff\xfe",
                                  f"case_id: {SECRET}".encode()])
def test_body_that_is_not_a_case_is_422(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/assess", content=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["problems"]
    assert SECRET not in response.text


def test_body_over_5_mib_is_413(client: httpx.Client) -> None:
    body = json.dumps({**CASE, "padding": "x" * (5 * 1024 * 1024)}).encode()
    assert client.post("/v1/assess", content=body, headers=AUTH).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield body[:1024]
        yield body[1024:]

    assert client.post("/v1/assess", content=chunks(), headers=AUTH).status_code == 413


def test_openapi_and_docs(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert {"/healthz", "/v1/assess", "/v1/review", "/v1/what-would-change",
            "/v1/rules"} <= set(document["paths"])
    assert "Case" in document["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_the_log_never_holds_case_contents(server: Server, client: httpx.Client) -> None:
    client.post("/v1/assess", json={**CASE, "case_id": SECRET}, headers=AUTH)
    client.post("/v1/assess", json={**CASE, "relationship": SECRET}, headers=AUTH)
    log = server.log.read_text()
    assert '"POST /v1/assess HTTP/1.1" 200' in log
    assert SECRET not in log


def test_refuses_a_non_loopback_host_without_a_token(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SPO_ADVISOR_API_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert capsys.readouterr().err == (
        "error: refusing to serve on 0.0.0.0 without a token: set SPO_ADVISOR_API_TOKEN, "
        "or serve on 127.0.0.1\n")


def test_without_a_token_loopback_needs_no_authentication(tmp_path: Path) -> None:
    with running_server(tmp_path / "server.log", None) as running:
        response = httpx.post(f"{running.url}/v1/assess", json=CASE, timeout=30)
    assert response.status_code == 200


def test_load_script_smoke_run() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load_server.py"),
                             "--seconds", "0.3"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["workers", "clients", "requests", "req/s", "p50", "ms", "p99",
                                "ms"]
    assert [line.split()[:2] for line in lines[2:5]] == [["1", "1"], ["1", "8"], ["1", "64"]]
    assert lines[5].startswith("in-process assess, one at a time: ")
    assert lines[7].split() == ["target", "figure", "target", "met"]
    assert lines[8].startswith("p99 at 64 clients, workers: 1 ")
