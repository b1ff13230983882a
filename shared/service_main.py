"""`python -m <service>`: one way to serve any of the three services."""

from __future__ import annotations

import uvicorn

from shared.logs import configure_logging
from shared.settings import ServiceSettings


def serve(service: str, settings: ServiceSettings) -> None:
    """Run `<service>.app:app` until SIGINT/SIGTERM, logging JSON lines."""
    configure_logging(service, settings.log_level)
    uvicorn.run(f"{service}.app:app", host=settings.bind_host, port=settings.service_port,
                log_config=None, timeout_graceful_shutdown=10)
