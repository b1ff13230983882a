"""`python -m registry`: serve the registry API."""

from registry.config import get_settings
from shared.service_main import serve

if __name__ == "__main__":
    serve("registry", get_settings())
