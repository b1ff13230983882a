"""`python -m <service>`: one way to serve any of the three services."""

from __future__ import annotations

from typing import Any

import uvicorn

from shared.logs import configure_logging
from shared.settings import ServiceSettings


def server_options() -> dict[str, Any]:
    """How uvicorn serves every service (and the benchmarks' bare app, so they compare)."""
    # uvloop and httptools named, not "auto": auto falls back silently to asyncio and h11
    # when they are missing, and a slower server should fail loudly instead. No access log:
    # its level is WARNING anyway (shared.logs), so it only cost a call per request.
    return {"loop": "uvloop", "http": "httptools", "access_log": False, "log_config": None,
            "timeout_graceful_shutdown": 10}


def serve(service: str, settings: ServiceSettings) -> None:
    """Run `<service>.app:app` until SIGINT/SIGTERM, logging JSON lines."""
    configure_logging(service, settings.log_level)
    uvicorn.run(f"{service}.app:app", host=settings.bind_host, port=settings.service_port,
                **server_options())
