"""The HTTP limit: a bare ASGI app returning a constant, under the services' own server.

Usage: python bench/bare_asgi.py PORT   (serves until SIGTERM)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn
from starlette.types import Receive, Scope, Send

from shared.service_main import server_options

BODY = b'{"status":"ok","service":"bare"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer every HTTP request with the same small JSON body (what /healthz answers)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), **server_options())
