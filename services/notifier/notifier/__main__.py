"""`python -m notifier`: serve the notifier API."""

import uvicorn

from notifier.config import get_settings
from shared.logs import configure_logging


def main() -> None:
    """Run the service until SIGINT/SIGTERM."""
    settings = get_settings()
    configure_logging("notifier", settings.log_level)
    uvicorn.run("notifier.app:app", host=settings.bind_host, port=settings.service_port,
                log_config=None, timeout_graceful_shutdown=10)


if __name__ == "__main__":
    main()
