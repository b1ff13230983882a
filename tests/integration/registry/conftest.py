"""The registry app on a real PostgreSQL and a real broker, for the registry's API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.ladder.stack import registry_app


@pytest.fixture
async def client(pg_server_url: str, registry_db: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    async with registry_app(pg_server_url, registry_db, kafka_bootstrap) as c:
        yield c
