"""`python -m notifier`: serve the notifier API."""

from notifier.config import get_settings
from shared.service_main import serve

if __name__ == "__main__":
    serve("notifier", get_settings())
