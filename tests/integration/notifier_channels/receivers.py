"""Local test receivers on 127.0.0.1: a minimal HTTP webhook endpoint and an SMTP sink."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Call:
    """One request the receiver got."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpReceiver:
    """Speaks just enough HTTP/1.1 to play a webhook endpoint.

    /ok → 200 {"errcode":0}; /feishu-ok → 200 {"code":0}; /status/<n> → that status;
    /vendor/<code> → 200 {"errcode": code}; /flaky/<name>?fail=N → 500 for the first N
    calls then 200; /hang → never answers; /redirect → 302 to the metadata address.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._seen: dict[str, int] = defaultdict(int)
        self._release = asyncio.Event()
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._release.set()  # let hanging handlers finish so no task outlives the test
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _respond(self, call: Call) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        parts = call.path.strip("/").split("/")
        if parts[0] == "ok":
            return 200, {"errcode": 0, "errmsg": "ok"}, {}
        if parts[0] == "feishu-ok":
            return 200, {"code": 0, "msg": "success", "data": {}}, {}
        if parts[0] == "status":
            return int(parts[1]), {}, {}
        if parts[0] == "vendor":
            return 200, {"errcode": int(parts[1]), "errmsg": "vendor says no"}, {}
        if parts[0] == "flaky":
            self._seen[parts[1]] += 1
            failing = self._seen[parts[1]] <= int(call.query.get("fail", "0"))
            return (500, {"error": "flaky"}, {}) if failing else (200, {}, {})
        if parts[0] == "hang":
            await self._release.wait()
            return 200, {}, {}
        if parts[0] == "redirect":
            return 302, None, {"Location": "http://169.254.169.254/latest/meta-data"}
        return 404, {}, {}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *header_lines = head.split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in
                       (ln.split(":", 1) for ln in header_lines if ":" in ln)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            split = urlsplit(target)
            call = Call(method, split.path, dict(parse_qsl(split.query)), headers, body)
            self.calls.append(call)
            status, payload, extra = await self._respond(call)
            data = json.dumps(payload).encode() if payload is not None else b""
            lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(data)}", "Connection: close"]
            if payload is not None:
                lines.append("Content-Type: application/json")
            lines += [f"{k}: {v}" for k, v in extra.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client gave up (e.g. our timeout test): nothing to answer
        finally:
            writer.close()


class MailSink:
    """aiosmtpd handler that keeps what it accepts; `reply` forces an answer to DATA."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.reply: str | None = None
        self.logins: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.reply:
            return self.reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        if ok:
            self.logins.append(auth_data.login.decode())
        # handled=False: let aiosmtpd send the 535 itself (True would leave the client waiting).
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    """A running aiosmtpd on 127.0.0.1."""

    port: int
    sink: MailSink
