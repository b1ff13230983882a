"""The ladder's HTTP API: thin routes that parse, call one handler or read model, answer."""

from fastapi import FastAPI

from ladder.api import dashboard, planning, round, standing, stream


def mount(app: FastAPI) -> None:
    """Every route of the ladder, and the dashboard's static assets."""
    app.include_router(standing.router)
    app.include_router(planning.router)
    app.include_router(round.router)
    app.include_router(stream.router)
    dashboard.mount(app)
