"""Walk each service's OpenAPI document: every 2xx has a named schema, every error is problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from entitlements.app import build_app as entitlements_app
from ladder.app import build_app as ladder_app
from notifier.app import build_app as notifier_app
from registry.app import build_app as registry_app

pytestmark = pytest.mark.unit

def _apps() -> dict[str, FastAPI]:
    """The apps as their composition roots build them (nothing starts until their lifespan)."""
    return {"registry": registry_app(), "ladder": ladder_app(), "notifier": notifier_app(),
            "entitlements": entitlements_app()}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in document["paths"].items()
            for method, op in item.items() if isinstance(op, dict) and "responses" in op]


@pytest.mark.parametrize("service", ["registry", "ladder", "notifier", "entitlements"])
def test_every_error_response_is_problem_json(service: str) -> None:
    document = _apps()[service].openapi()
    assert "Problem" in document["components"]["schemas"]
    wrong = []
    for method, path, op in _operations(document):
        codes = set(op["responses"])
        if "500" not in codes or (op.get("security") and not {"401", "403"} <= codes):
            wrong.append(f"{method} {path}: lacks 500/401/403")
        for code, response in op["responses"].items():
            if code[0] in "45" and set(response.get("content", {})) != {"application/problem+json"}:
                wrong.append(f"{method} {path} {code}: {sorted(response.get('content', {}))}")
    assert not wrong, "\n".join(wrong)


def _typed(schema: dict[str, Any]) -> bool:
    """A named model (or a list of one), not a bare `object` nobody can generate a client from."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}))
    return any(_typed(s) for s in schema.get("anyOf", schema.get("oneOf", [])))


@pytest.mark.parametrize("service", ["registry", "ladder", "notifier", "entitlements"])
def test_every_success_response_has_a_schema(service: str) -> None:
    document = _apps()[service].openapi()
    wrong = []
    for method, path, op in _operations(document):
        for code, response in op["responses"].items():
            if code[0] != "2" or code == "204":
                continue
            content = response.get("content", {})
            if not content:
                wrong.append(f"{method} {path} {code}: no content")
            for media, body in content.items():
                if media == "application/json" and not _typed(body.get("schema", {})):
                    wrong.append(f"{method} {path} {code}: untyped {body.get('schema')}")
    assert not wrong, "\n".join(wrong)
