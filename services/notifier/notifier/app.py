"""Composition root of the notifier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from notifier.config import get_settings
from shared.runtime import service_runtime
from shared.web import create_app


def build_app() -> FastAPI:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings):
            yield

    return create_app(service="notifier", title="Cultivation tracker — notifier",
                      description="Alerts.", lifespan=lifespan)


app = build_app()
