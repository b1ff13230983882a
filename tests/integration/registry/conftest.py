"""The registry app on a real PostgreSQL and a real broker, for the registry's API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from registry.app import build_app
from registry.config import Settings
from tests.factories import auth
from tests.integration.conftest import serve, service_settings


@pytest.fixture
async def client(pg_server_url: str, registry_db: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings, server_url=pg_server_url, database=registry_db,
                                bootstrap=kafka_bootstrap)
    async with serve(build_app(settings)) as c:
        c.headers.update(auth())
        yield c
