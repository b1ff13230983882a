"""Composition root of the ladder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ladder.config import get_settings
from shared.runtime import service_runtime
from shared.web import create_app


def build_app() -> FastAPI:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings):
            yield

    return create_app(service="ladder", title="Cultivation tracker — ladder",
                      description="Tier standings.", lifespan=lifespan)


app = build_app()
