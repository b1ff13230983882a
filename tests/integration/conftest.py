"""In-process services for integration tests: the real app, lifespan and all, over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give a client that talks to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def service_settings(cls: Any, *, server_url: str, database: str, bootstrap: str, **extra: Any) -> Any:
    """Settings for one service under test, ignoring the process environment's service ports."""
    from tests.factories import ADMIN_TOKEN

    return cls(database_url=server_url, database_name=database, kafka_bootstrap_servers=bootstrap,
               tracker_admin_token=ADMIN_TOKEN, **extra)


@asynccontextmanager
async def serve_http(app: FastAPI) -> AsyncIterator[str]:
    """Run the app on a real socket (uvicorn) for what ASGI-in-process cannot do, e.g. streams."""
    import asyncio

    import uvicorn

    from tracker.embedded import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
