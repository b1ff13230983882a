"""`python -m ladder`: serve the ladder API."""

import uvicorn

from ladder.config import get_settings
from shared.logs import configure_logging


def main() -> None:
    """Run the service until SIGINT/SIGTERM."""
    settings = get_settings()
    configure_logging("ladder", settings.log_level)
    uvicorn.run("ladder.app:app", host=settings.bind_host, port=settings.service_port,
                log_config=None, timeout_graceful_shutdown=10)


if __name__ == "__main__":
    main()
