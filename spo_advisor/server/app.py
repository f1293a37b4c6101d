"""The HTTP service for case systems: ``spo-advisor serve`` (the ``server`` extra).

Routes: ``GET /healthz`` (no authentication); ``POST /v1/assess``, ``/v1/review`` and
``/v1/what-would-change`` take the case JSON and return exactly the library's JSON;
``GET /v1/rules`` names the rule set served; FastAPI serves ``/openapi.json`` and
``/docs``. With a token (``SPO_ADVISOR_API_TOKEN``) every ``/v1`` route needs
``Authorization: Bearer <token>``, compared in constant time; without one the service
only listens on a loopback address.

A bad case is a 422 listing each problem's location and message (never the value); a
body over 5 MiB is a 413. Nothing here logs a request body: uvicorn's access log has the
method, path and status only. Assessments run in worker threads (:data:`ASSESSMENT_THREADS`),
so the event loop keeps serving while the engine works. :func:`serve` with ``workers`` above
1 runs that many processes on one socket (uvicorn's workers), each building its app with
:func:`app_from_environment`.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from spo_advisor.advice.assess import assess, library_version, load_rules
from spo_advisor.advice.changes import Change
from spo_advisor.advice.whatif import what_would_change
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import MAX_BYTES, parse_case_text
from spo_advisor.model.errors import CaseError, Problem, SpoAdvisorError
from spo_advisor.model.result import Assessment
from spo_advisor.review.replay import Review, review

TOKEN_ENV = "SPO_ADVISOR_API_TOKEN"
RULES_ENV = "SPO_ADVISOR_RULES"
"""The rule-set directory :func:`app_from_environment` serves (unset: the shipped rules)."""
WORKERS_PER_CPU = 4
"""The most worker processes :func:`serve` starts, per CPU core."""
ASSESSMENT_THREADS = 2
"""Assessments run at once, in worker threads. The work is CPU-bound and the engine
takes one lock, so more threads only add switching: with benchmarks/load_server.py at 64
clients on two cores, 2 threads gave 128 requests/s and anyio's default 40 gave 91."""
MAX_BODY = MAX_BYTES
"""The largest request body accepted: the limit on a case file."""


Credentials = Annotated[HTTPAuthorizationCredentials | None,
                        Depends(HTTPBearer(auto_error=False))]
"""The bearer token of a request, if it sent one."""


class ServiceError(SpoAdvisorError):
    """The service cannot start as asked."""


class ProblemOut(BaseModel):
    """One problem with the case sent: where it is and what is wrong, never the value."""

    code: str
    message: str
    location: str = Field(description="Dotted path in the case, e.g. victim.age")
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None


class ProblemsOut(BaseModel):
    """The body of a 422: every problem found in the case."""

    problems: list[ProblemOut]


class OrderOut(BaseModel):
    """One order the rule set decides."""

    order: str
    title: str


class RulesOut(BaseModel):
    """The rule set the service assesses with."""

    name: str
    version: str
    sha256: str
    orders: list[OrderOut]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _problems_response(error: CaseError) -> JSONResponse:
    problems = [ProblemOut(code=p.code, message=p.message, location=p.location, line=p.line,
                           column=p.column, suggestion=p.suggestion) for p in error.problems]
    return JSONResponse(ProblemsOut(problems=problems).model_dump(mode="json"), status_code=422)


async def _read_case(request: Request) -> Case:
    """The case in the request body: JSON, at most :data:`MAX_BODY` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, "the case is larger than 5 MiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, "the case is larger than 5 MiB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseError([Problem("unreadable", "not UTF-8 text")]) from None
    return parse_case_text(text, filename="<request>", json_text=True)


def _json_response(content: Any) -> Response:
    return Response(json.dumps(content), media_type="application/json")


CASE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong bearer token"},
    413: {"description": "The case is larger than 5 MiB"},
    422: {"description": "The case is not valid", "model": ProblemsOut},
}


def create_app(*, token: str | None = None,
               rules: RuleSet | str | Path | None = None) -> FastAPI:
    """The service as an ASGI application; ``token`` None means no authentication."""
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    limiter = anyio.CapacityLimiter(ASSESSMENT_THREADS)
    app = FastAPI(title="spo_advisor", version=library_version(),
                  description="Explainable advice on Stalking Protection Orders and other "
                              "protective orders (England and Wales).")
    expected = token.encode("utf-8") if token is not None else None

    def authorised(credentials: Credentials) -> None:
        if expected is None:
            return
        given = credentials.credentials.encode("utf-8") if credentials is not None else b""
        if not hmac.compare_digest(given, expected):
            raise HTTPException(401, "a valid bearer token is required",
                                headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(CaseError)
    async def case_error(_: Request, error: CaseError) -> JSONResponse:
        return _problems_response(error)

    @app.get("/healthz", summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/rules", dependencies=[Depends(authorised)], summary="The rule set served",
             responses={401: ERRORS[401]})
    def rules_info() -> RulesOut:
        return RulesOut(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256,
                        orders=[OrderOut(order=code, title=order.title)
                                for code, order in ruleset.orders.items()])

    def case_route(path: str, summary: str, model: Any,
                   produce: Callable[[Case], Any]) -> None:
        async def endpoint(request: Request) -> Response:
            case = await _read_case(request)
            return _json_response(await anyio.to_thread.run_sync(produce, case,
                                                                 limiter=limiter))

        endpoint.__name__ = path.rsplit("/", 1)[-1].replace("-", "_")
        app.add_api_route(path, endpoint, methods=["POST"], summary=summary,
                          response_model=model, dependencies=[Depends(authorised)],
                          responses=ERRORS, openapi_extra=CASE_BODY)

    case_route("/v1/assess", "Assess a case", Assessment,
               lambda case: assess(case, rules=ruleset).model_dump(mode="json"))
    case_route("/v1/review", "Review a case on each of its dates", Review,
               lambda case: review(case, rules=ruleset).model_dump(mode="json"))
    case_route("/v1/what-would-change", "Unknown facts that would change a decision",
               list[Change], lambda case: [change.model_dump(mode="json") for change in
                                           what_would_change(case, rules=ruleset)])
    app.openapi = _openapi_with_case(app)  # type: ignore[method-assign]
    return app


def _openapi_with_case(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's OpenAPI document, with the case schema the POST routes read."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            case = Case.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, schema in {**case.pop("$defs", {}), "Case": case}.items():
                if schemas.setdefault(name, schema) != schema:
                    raise RuntimeError(f"two schemas named {name} in the OpenAPI document")
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def most_workers() -> int:
    """The most worker processes :func:`serve` starts: :data:`WORKERS_PER_CPU` per core."""
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


def app_from_environment() -> FastAPI:
    """The service built from the environment: the token from ``SPO_ADVISOR_API_TOKEN``, the
    rule-set directory from ``SPO_ADVISOR_RULES`` (unset: the shipped rules).

    The application factory each worker process calls (``spo_advisor.server.app:
    app_from_environment``). It cannot see the address served: :func:`serve` refuses a host
    other than loopback without a token before any worker starts.
    """
    return create_app(token=os.environ.get(TOKEN_ENV) or None,
                      rules=os.environ.get(RULES_ENV) or None)


def serve(host: str = "127.0.0.1", port: int = 8000, *,
          rules: RuleSet | str | Path | None = None, workers: int = 1) -> None:
    """Serve until interrupted (SIGINT or SIGTERM: requests under way are finished first);
    the token comes from ``SPO_ADVISOR_API_TOKEN``.

    ``workers`` above 1 serves from that many processes, at most :func:`most_workers`, each
    loading the rule set from its directory (``rules.directory`` for a :class:`RuleSet`);
    it is loaded here first, so a bad one fails before any worker starts. Raises
    :class:`ServiceError` for a number of workers out of range, or a host that is not
    loopback without a token.
    """
    if isinstance(workers, bool) or not 1 <= workers <= most_workers():
        raise ServiceError(f"workers must be from 1 to {most_workers()} "
                           f"({WORKERS_PER_CPU} per CPU core), not {workers}")
    token = os.environ.get(TOKEN_ENV) or None
    if token is None and not is_loopback(host):
        raise ServiceError(f"refusing to serve on {host} without a token: set {TOKEN_ENV}, "
                           "or serve on 127.0.0.1")
    if workers == 1:
        uvicorn.run(create_app(token=token, rules=rules), host=host, port=port,
                    access_log=True)
        return
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    saved = os.environ.get(RULES_ENV)
    os.environ[RULES_ENV] = ruleset.directory  # read by each worker as it starts
    try:
        uvicorn.run(f"{__name__}:{app_from_environment.__name__}", factory=True,
                    workers=workers, host=host, port=port, access_log=True)
    finally:
        if saved is None:
            del os.environ[RULES_ENV]
        else:
            os.environ[RULES_ENV] = saved
