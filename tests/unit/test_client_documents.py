"""The typed client against the services' own OpenAPI documents (built in memory, no I/O):
every operation it calls is in the document, and the model it parses is the one the document
names for the 2xx answer; every public method sends one of those operations."""

from __future__ import annotations

import inspect
import re
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Literal

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from entitlements.app import build_app as entitlements_app
from ladder.app import build_app as ladder_app
from notifier.app import build_app as notifier_app
from registry.app import build_app as registry_app
from tracker.client import (
    ApiProblem,
    Entitlements,
    Ladder,
    Notifier,
    Pages,
    Registry,
    ServiceClient,
)
from tracker.client import base as client_base
from tracker.client import entitlements as entitlements_client
from tracker.client import ladder as ladder_client
from tracker.client import notifier as notifier_client
from tracker.client import registry as registry_client
from tracker.client.base import NoContent, Operation

pytestmark = pytest.mark.unit

CLIENTS: dict[str, tuple[type[ServiceClient], types.ModuleType, Callable[[], FastAPI]]] = {
    "registry": (Registry, registry_client, registry_app),
    "ladder": (Ladder, ladder_client, ladder_app),
    "notifier": (Notifier, notifier_client, notifier_app),
    "entitlements": (Entitlements, entitlements_client, entitlements_app),
}


def _operations(module: types.ModuleType) -> list[Operation[Any]]:
    """The operations a client module declares, and the two every service has."""
    found = [v for v in vars(module).values() if isinstance(v, Operation)]
    return [*found, client_base.HEALTH, client_base.READY]


def _component(model: type[BaseModel]) -> str:
    """The name FastAPI gives the model's schema (`Page[Firm]` is `Page_Firm_`)."""
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", model.__name__)


def _successes(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c: answer for c, answer in op["responses"].items() if c.startswith("2")}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {name: build().openapi() for name, (_, _, build) in CLIENTS.items()}


@pytest.mark.parametrize("service", list(CLIENTS))
def test_every_operation_is_documented_and_parses_the_documented_answer(
        service: str, documents: dict[str, dict[str, Any]]) -> None:
    document = documents[service]
    components = document["components"]["schemas"]
    wrong = []
    for op in _operations(CLIENTS[service][1]):
        documented = document["paths"].get(op.path, {}).get(op.method.lower())
        if documented is None:
            wrong.append(f"{op.method} {op.path}: not in the document")
            continue
        answers = _successes(documented)
        if op.model is NoContent:
            if set(answers) != {"204"} or answers["204"].get("content"):
                wrong.append(f"{op.method} {op.path}: answers {sorted(answers)}, not a bare 204")
            continue
        for code, answer in answers.items():  # a replayed create answers 200 beside its 201
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            name = schema.get("$ref", "").rsplit("/", 1)[-1]
            if name != _component(op.model) and not name.endswith("__" + _component(op.model)):
                wrong.append(f"{op.method} {op.path} {code}: document names {schema}, "
                             f"the client parses {op.model.__name__}")
                continue
            fields = set(op.model.model_json_schema(mode="serialization").get("properties", {}))
            if fields != set(components[name].get("properties", {})):
                wrong.append(f"{op.method} {op.path} {code}: fields differ from {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", list(CLIENTS))
def test_the_client_calls_every_documented_api_operation(
        service: str, documents: dict[str, dict[str, Any]]) -> None:
    """Nothing under /v1 is left out, except what is not JSON (streams, exports, dashboard,
    import templates: `tracker import template` writes them itself, from the same spec)."""
    called = {(op.method, op.path) for op in _operations(CLIENTS[service][1])}
    skipped = ("/v1/stream", "/v1/exports/", "/v1/dashboard/", "/v1/imports/template")
    missing = [f"{method.upper()} {path}" for path, item in documents[service]["paths"].items()
               for method in item if path.startswith("/v1/")
               and not path.startswith(skipped) and (method.upper(), path) not in called]
    assert not missing, missing


def _sample(hint: Any) -> Any:
    """An argument of the annotated type, good enough to build a request from."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return _sample(typing.get_args(hint)[0])
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)[0]
    if typing.get_origin(hint) is dict:
        return {}
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return hint.model_construct()
    return {uuid.UUID: uuid.UUID(int=7), int: 2022, str: "x", bytes: b"x"}[hint]


def _public_methods(client: type[ServiceClient]) -> list[str]:
    return [name for name, member in inspect.getmembers(client, inspect.isfunction)
            if not name.startswith("_") and name != "aclose"]


@pytest.mark.parametrize("service", list(CLIENTS))
async def test_every_method_sends_a_declared_operation_and_each_is_sent(service: str) -> None:
    client_class, module, _ = CLIENTS[service]
    templates = {op: re.compile(re.sub(r"\{[^}]+\}", "[^/]+", op.path))
                 for op in _operations(module)}
    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(418, json={"status": 418, "detail": "recorded"},
                              headers={"content-type": "application/problem+json"})

    wrong, sent = [], set()
    async with client_class("http://svc.test", "t", transport=httpx.MockTransport(refuse)) as api:
        for name in _public_methods(client_class):
            method = getattr(api, name)
            hints = typing.get_type_hints(method)
            args = [_sample(hints[p.name]) for p in inspect.signature(method).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD]
            seen.clear()
            with pytest.raises(ApiProblem):
                result = method(*args)
                await (result.first() if isinstance(result, Pages) else result)
            (request,) = seen
            matches = [op for op, pattern in templates.items()
                       if op.method == request.method and pattern.fullmatch(request.url.path)]
            if len(matches) != 1:
                wrong.append(f"{name}: {request.method} {request.url.path} matches {matches}")
            sent.update(matches)
    wrong += [f"no method sends {op.method} {op.path}" for op in templates if op not in sent]
    assert not wrong, "\n".join(wrong)
