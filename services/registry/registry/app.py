"""Composition root of the registry: settings, pool, relay, routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from registry.api import routers
from registry.config import Settings, get_settings
from shared.runtime import service_runtime
from shared.web import create_app


def build_app(settings: Settings | None = None) -> FastAPI:
    """The registry's ASGI app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings):
            yield

    app = create_app(
        service="registry", title="Cultivation tracker — registry",
        description="System of record for firms and their facts. Every change is published "
        "on Kafka topic `registry.firm-events`.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes, upload_paths=("/v1/imports",),
    )
    for router in routers:
        app.include_router(router)
    return app


app = build_app()
