"""`/asyncapi.json` and a readable `/asyncapi` page on every service (public, like `/docs`)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from shared.asyncapi import asyncapi_document

_STYLE = """body{font:15px/1.5 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;
color:#1d2733;background:#f4f6f9}header{background:#12355b;color:#fff;padding:18px 32px}
main{max-width:1100px;margin:0 auto;padding:16px 32px}section{background:#fff;border-radius:8px;
padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px #0002}h2{margin:0 0 4px;font-size:19px}
code,pre{font:13px ui-monospace,Menlo,monospace}pre{background:#f0f3f7;padding:10px;
border-radius:6px;overflow:auto;max-height:320px}.op{display:inline-block;padding:1px 8px;
border-radius:10px;font-size:12px;color:#fff;margin-right:6px}.send{background:#2e7d32}
.receive{background:#1565c0}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e3e7ec;
padding:3px 10px;text-align:left;vertical-align:top}"""


def _fields(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    data = schema.get("properties", {}).get("data", {})
    ref = data.get("$ref", "").rsplit("/", 1)[-1]
    props = schemas.get(ref, {}).get("properties", {})
    rows = "".join(
        f"<tr><td><code>{escape(k)}</code></td><td>{escape(str(v.get('type', v.get('$ref', 'object')).rsplit('/', 1)[-1]))}"
        f"</td><td>{escape(v.get('description', ''))}</td></tr>" for k, v in props.items())
    return f"<table><tr><th>data field</th><th>type</th><th>meaning</th></tr>{rows}</table>"


def render(doc: dict[str, Any]) -> str:
    """The document as one self-contained HTML page (no scripts, nothing fetched)."""
    comps = doc["components"]
    parts = [f"<header><h1>{escape(doc['info']['title'])}</h1><div>AsyncAPI {doc['asyncapi']} · "
             f"<a style='color:#cde' href='asyncapi.json'>asyncapi.json</a></div></header><main>"
             f"<p>{escape(doc['info']['description'])}</p>"]
    for cid, channel in doc["channels"].items():
        ops = "".join(f"<p><span class='op {o['action']}'>{o['action']}</span>"
                      f"{escape(o.get('title', name))}: {escape(o.get('description', o.get('summary', '')))}</p>"
                      for name, o in doc["operations"].items()
                      if o["channel"]["$ref"] == f"#/channels/{cid}")
        msgs = []
        for name in channel.get("messages", {}):
            m = comps["messages"][name]
            sample = json.dumps(m["examples"][0]["payload"], ensure_ascii=False, indent=2)
            msgs.append(f"<details><summary>{escape(name)} <small>v{m['x-schema-version']}</small>"
                        f" — {escape(m['summary'])}</summary>{_fields(comps['schemas'][name], comps['schemas'])}"
                        f"<p>Example</p><pre>{escape(sample)}</pre></details>")
        parts.append(f"<section id='{escape(cid)}'><h2><code>{escape(channel['address'])}</code>"
                     f"</h2><p>{escape(channel['description'])}</p>{ops}{''.join(msgs)}</section>")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{escape(doc['info']['title'])}</title><style>{_STYLE}</style></head><body>"
            + "".join(parts) + "</main></body></html>")


class AsyncApiDocument(BaseModel):
    """An AsyncAPI 3.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)."""

    model_config = ConfigDict(extra="allow")

    asyncapi: str = Field(examples=["3.0.0"])
    info: dict[str, Any]
    channels: dict[str, Any]
    operations: dict[str, Any]
    components: dict[str, Any]


def add_asyncapi(app: FastAPI, service: str) -> None:
    """Serve the service's document; its FastStream broker (app.state.broker) adds what it reads."""

    def document(request: Request) -> dict[str, Any]:
        settings = getattr(request.app.state, "settings", None)
        server = settings.kafka_bootstrap_servers if settings else "127.0.0.1:9092"
        return asyncapi_document(service, broker=getattr(request.app.state, "broker", None),
                                 server=server.split(",")[0])

    @app.get("/asyncapi.json", tags=["ops"], response_model=AsyncApiDocument,
             summary="AsyncAPI 3.0 document of the service's topics")
    async def asyncapi_json(request: Request) -> dict[str, Any]:
        return document(request)

    @app.get("/asyncapi", tags=["ops"], summary="The AsyncAPI document as a page",
             response_class=HTMLResponse)
    async def asyncapi_page(request: Request) -> HTMLResponse:
        return HTMLResponse(render(document(request)))
