"""One error body for every status: RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from shared.db import UNAVAILABLE
from shared.errors import Conflict, DomainError, Rejected

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    """One input that broke one rule."""

    field: str = Field(description="Dotted path of the input, e.g. `revenue_cny` or `cursor`",
                       examples=["revenue_cny"])
    rule: str = Field(description="The rule it broke, stable for clients to match on",
                      examples=["greater_than_equal"])
    message: str = Field(examples=["Input should be greater than or equal to 0"])


class Problem(BaseModel):
    """What went wrong (RFC 9457). 422s list each field and rule in `errors`; a 409 names what
    it conflicts with in `conflict`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="The HTTP status phrase", examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(description="What happened, for a person",
                        examples=["1 input broke a rule"])
    instance: str | None = Field(default=None, description="The request path",
                                 examples=["/v1/firms"])
    correlation_id: str | None = Field(default=None, description="The request's `x-request-id`")
    errors: list[FieldError] | None = Field(default=None, description="422: each field and rule")
    conflict: dict[str, Any] | None = Field(default=None,
                                            description="409: the resource it conflicts with")


def problem(
    status: int, detail: str, *, instance: str | None = None, correlation_id: str | None = None,
    errors: list[dict[str, str]] | None = None, conflict: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None, **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `extensions` become members of their own (RFC 9457 §3.2)."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase,
                            "status": status, "detail": detail}
    for key, value in (("instance", instance), ("correlation_id", correlation_id),
                       ("errors", errors), ("conflict", conflict), *extensions.items()):
        if value is not None:
            body[key] = value
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers,
                        media_type=PROBLEM_JSON)


def _where(request: Request) -> dict[str, Any]:
    return {"instance": request.url.path,
            "correlation_id": getattr(request.state, "correlation_id", None)}


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each field that failed validation, with the rule it broke."""
    errors = []
    for err in exc.errors():
        message = err.get("msg", "invalid value")
        if err.get("type") == "json_invalid":
            message = f"malformed JSON: {err.get('ctx', {}).get('error', message)}"
        errors.append({"field": _field_of(tuple(err.get("loc", ()))),
                       "rule": err.get("type", "invalid"), "message": message})
    return errors


def invalid(errors: list[dict[str, str]], **where: Any) -> JSONResponse:
    """The 422 for inputs that broke rules."""
    first = errors[0]["message"] if len(errors) == 1 else f"{len(errors)} inputs broke a rule"
    return problem(422, first, errors=errors, **where)


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return invalid(field_errors(exc), **_where(request))


async def on_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    if isinstance(exc, Rejected):
        return invalid([{"field": exc.extra["field"], "rule": exc.extra["rule"],
                         "message": exc.message}], **_where(request))
    if isinstance(exc, Conflict):
        return problem(409, exc.message, conflict=exc.extra or None, **_where(request))
    return problem(exc.status, exc.message, **_where(request))


async def on_http_exception(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=exc.headers, **_where(request))


def escaped_status(exc: Exception) -> int:
    """The status `on_unexpected` answers for an exception no handler took."""
    return 503 if isinstance(exc, UNAVAILABLE) else 500


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    where = _where(request)
    if escaped_status(exc) == 503:  # not the client's fault: it may send the same again later
        log.warning("database unavailable", extra={"correlation_id": where["correlation_id"],
                                                   "path": where["instance"]})
        return problem(503, "the database is unavailable; retry shortly",
                       headers={"Retry-After": "1"}, **where)
    log.exception("unhandled error", extra={"correlation_id": where["correlation_id"],
                                            "path": where["instance"]})
    return problem(500, "internal error; it has been logged", **where)


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _operation_errors(operation: dict[str, Any]) -> dict[str, str]:
    """The error statuses any route of this kind can answer, beyond what it declares."""
    errors = {"500": "Internal error (logged)", "503": "The database is unavailable; retry"}
    if operation.get("security"):
        errors |= {"401": "Missing, invalid or revoked bearer token",
                   "403": "The caller's role may not do this",
                   "429": "Over the fair limit of this key and route class (shared.limits): "
                          "wait `Retry-After` seconds; `RateLimit-*` headers give the policy"}
    if operation.get("parameters") or operation.get("requestBody"):
        errors["422"] = "An input broke a rule; `errors` names each field and rule"
    if operation.get("requestBody"):
        errors["413"] = "The request body is over the size limit"
    return errors


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every error response of every operation documented as problem+json with `Problem`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in components["Problem"].pop("$defs", {}).items():
        components.setdefault(name, sub)
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in _operation_errors(operation).items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
    return schema
