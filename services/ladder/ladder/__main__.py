"""`python -m ladder`: serve the ladder API."""

from ladder.config import get_settings
from shared.service_main import serve

if __name__ == "__main__":
    serve("ladder", get_settings())
