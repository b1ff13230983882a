"""What every service client shares: one httpx client, one error, one way to call an operation."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from shared.paging import Page
from shared.problems import PROBLEM_JSON, FieldError
from shared.web import Health, Readiness
from tracker.client.paging import Pages

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T", bound=BaseModel)
M_co = TypeVar("M_co", bound=BaseModel, covariant=True)  # a page subclass is still a page


@dataclass(frozen=True)
class Operation(Generic[M_co]):
    """One operation of a service's OpenAPI document: how it is called and what it answers."""

    method: str
    path: str  # the document's path template, e.g. /v1/firms/{firm_id}
    model: type[M_co]


class NoContent(BaseModel):
    """The model of an operation that answers 204 with no body: nothing is parsed."""


@dataclass(frozen=True)
class Recorded(Generic[M]):
    """The answer of a create that is a no-op when repeated: `created` is False for a replay."""

    item: M
    created: bool


class ApiProblem(Exception):
    """An error answer (4xx/5xx), carrying its RFC 9457 problem+json body."""

    def __init__(self, status: int, body: dict[str, Any], *, method: str = "", url: str = ""):
        self.status = status
        self.body = body
        self.detail = str(body.get("detail") or body.get("title") or f"HTTP {status}")
        self.errors = [FieldError.model_validate(e) for e in body.get("errors") or []]
        self.conflict: dict[str, Any] | None = body.get("conflict")
        self.correlation_id: str | None = body.get("correlation_id")
        where = f"{method} {url}: " if method else ""
        super().__init__(f"{where}HTTP {status}: {self.detail}")

    @classmethod
    def of(cls, response: httpx.Response) -> ApiProblem:
        """The problem an error response states (a body that is not problem+json becomes one)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or PROBLEM_JSON not in response.headers.get(
                "content-type", ""):
            body = {"status": response.status_code, "title": response.reason_phrase,
                    "detail": response.text[:500] or response.reason_phrase}
        return cls(response.status_code, body, method=response.request.method,
                   url=str(response.request.url))

    def rules(self) -> set[tuple[str, str]]:
        """(field, rule) of each field error of a 422."""
        return {(e.field, e.rule) for e in self.errors}


class ServiceClient:
    """One service's API over httpx: its base URL, a bearer token, a correlation id.

    Use it as `async with Registry(url, token) as registry:`; every error answer raises
    `ApiProblem`, every answer is parsed with the response model the document names.
    """

    def __init__(self, base_url: str, token: str | None = None, *,
                 correlation_id: str | None = None, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 max_limited_wait_s: float = 120.0):
        self.max_limited_wait_s = max_limited_wait_s  # 429s waited out, in all, per call
        headers = {"x-request-id": correlation_id or uuid.uuid4().hex}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers,
                                      timeout=timeout, transport=transport)

    @property
    def correlation_id(self) -> str:
        """The `x-request-id` every request of this client carries."""
        return self.http.headers["x-request-id"]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self.http.aclose()

    async def health(self) -> Health:
        """GET /healthz: the process answers."""
        return await self._call(HEALTH)

    async def ready(self) -> Readiness:
        """GET /readyz: database and broker reachable (a 503 problem, with `problems`, if not)."""
        return await self._call(READY)

    async def _send(self, op: Operation[Any], path: dict[str, Any] | None = None, *,
                    params: dict[str, Any] | None = None, body: BaseModel | None = None,
                    json: Any = None, files: dict[str, Any] | None = None) -> httpx.Response:
        """The operation's request; its answer, or `ApiProblem` for an error answer."""
        url = op.path.format(**{k: quote(str(v), safe="") for k, v in (path or {}).items()})
        if body is not None:
            json = body.model_dump(mode="json", exclude_unset=True)
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        waited = 0.0
        while True:
            response = await self.http.request(op.method, url, params=query, json=json,
                                               files=files)
            pause = retry_after(response)
            if response.status_code != 429 or pause is None \
                    or waited + pause > self.max_limited_wait_s:
                break
            # over the service's fair limit: nothing was done, so the same call is safe again
            await asyncio.sleep(pause)
            waited += pause
        if response.status_code >= 400:
            raise ApiProblem.of(response)
        return response

    async def _call(self, op: Operation[M], path: dict[str, Any] | None = None,
                    **request: Any) -> M:
        """Send the operation and parse its answer with the operation's model."""
        return _parsed(op, await self._send(op, path, **request))

    def _pages(self, op: Operation[Page[T]], path: dict[str, Any] | None = None,
               **params: Any) -> Pages[T]:
        """The list operation's pages: `params` on every request, the cursor of the last."""
        async def fetch(cursor: str | None) -> Page[T]:
            return await self._call(op, path, params={**params, "cursor": cursor})

        return Pages(fetch)

    async def _record(self, op: Operation[M], path: dict[str, Any] | None = None,
                      **request: Any) -> Recorded[M]:
        """Send a create that answers 201 when it created and 200 for an identical replay."""
        response = await self._send(op, path, **request)
        return Recorded(_parsed(op, response), created=response.status_code == 201)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429's (or 503's) `Retry-After` asks to wait (delta-seconds; at most 60)."""
    value = response.headers.get("retry-after", "")
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return str(value)


def _parsed(op: Operation[M], response: httpx.Response) -> M:
    try:
        return op.model.model_validate(response.json())
    except (ValueError, ValidationError) as exc:  # the service broke its own document
        raise ApiProblem(502, {"title": "Bad Gateway", "detail": f"{op.method} {op.path}: the "
                               f"answer does not fit {op.model.__name__}: {exc}"[:2000]},
                         method=op.method, url=str(response.request.url)) from exc


HEALTH = Operation("GET", "/healthz", Health)
READY = Operation("GET", "/readyz", Readiness)
