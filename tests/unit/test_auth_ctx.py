"""The shared request context dependencies: a route taking `ReaderCtx` gets the caller."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.auth import Principal, ReaderCtx, current_principal

pytestmark = pytest.mark.unit


def test_a_ctx_parameter_is_the_caller_not_a_request_field() -> None:
    app = FastAPI()

    @app.get("/who")
    async def who(ctx: ReaderCtx) -> dict[str, str | None]:
        return {"actor": ctx.actor, "correlation_id": ctx.correlation_id}

    app.dependency_overrides[current_principal] = lambda: Principal(key_id="k", role="viewer")
    assert "parameters" not in app.openapi()["paths"]["/who"]["get"]
    answer = TestClient(app).get("/who")
    assert answer.status_code == 200 and answer.json() == {"actor": "viewer:k",
                                                           "correlation_id": None}
