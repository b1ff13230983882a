"""`python -m entitlements`: serve the entitlements API."""

from entitlements.config import get_settings
from shared.service_main import serve

if __name__ == "__main__":
    serve("entitlements", get_settings())
