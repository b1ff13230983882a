"""The HTTP frame every service shares: health, metrics, body limits, fair limits (429s),
problem+json errors."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.asyncapi_web import add_asyncapi
from shared.errors import DomainError
from shared.limits import RateLimit
from shared.metrics import exposition
from shared.problems import (
    document_problems,
    escaped_status,
    invalid,
    on_domain_error,
    on_http_exception,
    on_unexpected,
    on_validation_error,
    problem,
)

log = logging.getLogger(__name__)

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram("http_request_seconds", "HTTP request latency", ["service", "route"])
ReadyCheck = Callable[[], Awaitable[str | None]]  # returns a problem, or None when ready


class Health(BaseModel):
    """The process answers."""

    status: Literal["ok"]
    service: str = Field(examples=["registry"])


class Readiness(BaseModel):
    """The service can do its work now (when not, /readyz answers a 503 problem)."""

    status: Literal["ready"]
    service: str = Field(examples=["registry"])


class BodyTooLarge(Exception):
    """Raised while reading a body that outgrows the limit."""


_NUL_ESCAPE = b"\\u0000"


class BodyLimit:
    """Refuses bodies over the limit (413) before the app buffers them, and NUL characters in
    the path, query or a JSON body (422): PostgreSQL cannot store them, so no field may."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, upload_paths: tuple[str, ...]):
        self.app, self.limit, self.upload_limit, self.upload_paths = (
            app, limit, upload_limit, upload_paths
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            await _nul(send)
            return
        limit = self.upload_limit if path.startswith(self.upload_paths) else self.limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, int(declared), limit)
            return
        if path.startswith(self.upload_paths):
            await self._stream_upload(scope, receive, send, limit)
            return
        # JSON bodies are small (the limit): read them whole, check them, then hand them on
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > limit:
                await _too_large(send, len(body), limit)
                return
            if not message.get("more_body", False):
                break
        if b"\x00" in body or _NUL_ESCAPE in body:
            await _nul(send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for a disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _stream_upload(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Uploads stream through; one that outgrows the limit is cut off with a 413."""
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await _too_large(send, seen, limit)


class Correlate:
    """Gives each request a correlation id (its `x-request-id`, else a new one) in
    `request.state` and on the response, and counts it in the HTTP metrics.

    Pure ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs the
    rest of the app in a task group of its own with memory streams between them, on every
    request, which the registry's profile showed on every hot path (bench/profiles/)."""

    def __init__(self, app: ASGIApp, service: str):
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        cid = given.decode("latin-1") if given else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = cid  # what request.state reads
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()),
                                      (b"x-request-id", cid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # answered by `on_unexpected`, outside this middleware
            status = escaped_status(exc)
            raise
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(self.service, scope["method"], route, status).inc()
            LATENCY.labels(self.service, route).observe(time.perf_counter() - started)


async def _too_large(send: Send, size: int, limit: int) -> None:
    response = problem(413, f"request body is {size} bytes or more; the limit is {limit} bytes")
    await response({"type": "http"}, _no_receive, send)


async def _nul(send: Send) -> None:
    response = invalid([{"field": "request", "rule": "no_nul",
                         "message": "NUL characters (\\u0000) are not allowed in any field"}])
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _document_problems(app: FastAPI) -> None:
    """The OpenAPI document shows every error response as problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def allow_origins(app: FastAPI, urls: list[str]) -> None:
    """Let pages from these origins call the API with a bearer token (CORS; no cookies)."""
    origins = sorted({f"{u.scheme}://{u.netloc}" for u in map(urlsplit, urls) if u.netloc})
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])


def create_app(
    *, service: str, title: str, description: str, version: str = "0.1.0",
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    max_body_bytes: int = 1_048_576, max_upload_bytes: int = 8_388_608,
    upload_paths: tuple[str, ...] = (),
) -> FastAPI:
    """A FastAPI app with health, readiness, metrics, body limits and error shapes."""
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.ready_checks = []
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, on_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected)
    _document_problems(app)

    app.add_middleware(RateLimit, service=service)  # inside Correlate: a 429 is counted too
    app.add_middleware(Correlate, service=service)
    app.add_middleware(
        BodyLimit, limit=max_body_bytes, upload_limit=max_upload_bytes, upload_paths=upload_paths
    )

    @app.get("/healthz", tags=["ops"], summary="The process is up")
    async def healthz() -> Health:
        return Health(status="ok", service=service)

    @app.get("/readyz", tags=["ops"], summary="Database and broker are reachable",
             response_model=Readiness, responses={503: {"description": "Not ready: the problem's `problems` say why"}})
    async def readyz(request: Request) -> Readiness | JSONResponse:
        problems = [p for check in request.app.state.ready_checks if (p := await check())]
        if problems:
            return problem(503, "not ready: " + "; ".join(problems), instance="/readyz",
                           problems=problems)
        return Readiness(status="ready", service=service)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=PlainTextResponse,
             responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}})
    async def metrics() -> PlainTextResponse:
        # the sum over every process of the service when it runs several (shared.metrics)
        return PlainTextResponse(exposition().decode(), media_type=CONTENT_TYPE_LATEST)

    add_asyncapi(app, service)
    return app
