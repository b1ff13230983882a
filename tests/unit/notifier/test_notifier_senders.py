"""Sender behaviour against an in-memory HTTP transport: headers, signing, classification."""

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from notifier.channels.models import (
    ChannelConfig,
    DeliveryResult,
    DingtalkChannel,
    EmailChannel,
    FeishuChannel,
    SmtpSettings,
    WebhookChannel,
    parse_channel,
)
from notifier.channels.senders import send, send_with_retry
from notifier.domain.render import RenderedAlert, render
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit

ALLOW = {"hooks.example.com"}


def fake_dns(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def alert() -> RenderedAlert:
    return render(b.near_miss(), "near_miss", "en", b.BASE_URL)


def responder(status: int, body: object = None, seen: list[httpx.Request] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)
    return handle


async def deliver(channel: ChannelConfig, handler: Handler, **kw: Any) -> DeliveryResult:
    async with client(handler) as http:
        return await send(channel, alert(), http=http, smtp=None, allowlist=ALLOW,
                          idempotency_key="idem-1", timeout_s=2, resolver=fake_dns, **kw)


def test_secrets_are_hidden_from_repr() -> None:
    ch = parse_channel({"kind": "dingtalk", "url": "https://hooks.example.com/r?access_token=TOKEN",
                        "secret": "SECxyz"})
    assert isinstance(ch, DingtalkChannel)
    assert "SECxyz" not in repr(ch) and "TOKEN" not in repr(ch)
    assert ch.redacted_url() == "https://hooks.example.com/…"
    smtp = SmtpSettings(host="127.0.0.1", from_addr="n@x.cn", username="u", password="pw")
    assert "pw" not in repr(smtp)
    with pytest.raises(ValueError):
        parse_channel({"kind": "carrier_pigeon", "url": "https://x"})
    assert parse_channel('{"kind": "email"}') == EmailChannel()


async def test_generic_webhook_posts_json_with_idempotency_key() -> None:
    seen: list[httpx.Request] = []
    r = await deliver(WebhookChannel(url="https://hooks.example.com/in"), responder(204, seen=seen),
                      alert_id="alert-9")
    assert r.ok and r.status_code == 204
    (req,) = seen
    assert req.headers["Idempotency-Key"] == "idem-1"
    assert req.headers["Content-Type"].startswith("application/json")
    body = json.loads(req.content)
    assert body["alert_id"] == "alert-9" and body["kind"] == "near_miss"


async def test_dingtalk_signs_in_the_query_string() -> None:
    seen: list[httpx.Request] = []
    ch = DingtalkChannel(url="https://hooks.example.com/robot/send?access_token=t", secret="SECs")
    ok = responder(200, {"errcode": 0, "errmsg": "ok"}, seen)
    r = await deliver(ch, ok, clock=lambda: 1700000000.0)
    assert r.ok
    params = seen[0].url.params
    assert params["timestamp"] == "1700000000000" and params["access_token"] == "t"
    assert params["sign"]


async def test_feishu_signs_in_the_body() -> None:
    seen: list[httpx.Request] = []
    ch = FeishuChannel(url="https://hooks.example.com/hook/x", secret="test-secret")
    ok = responder(200, {"code": 0, "msg": "success"}, seen)
    r = await deliver(ch, ok, clock=lambda: 1700000000.0)
    assert r.ok
    body = json.loads(seen[0].content)
    assert body["timestamp"] == "1700000000"
    assert body["sign"] == "mbm4Y4oluIPQ00qlBIhX8vAZ0EKv3nw0LuTb91jPL84="  # from openssl


@pytest.mark.parametrize(("kind", "status", "body", "ok", "retryable"), [
    ("webhook", 500, None, False, True), ("webhook", 503, None, False, True),
    ("webhook", 429, None, False, True), ("webhook", 400, None, False, False),
    ("webhook", 404, None, False, False), ("webhook", 302, None, False, False),
    ("webhook", 200, {"errcode": 1}, True, False),  # generic webhooks: 2xx is enough
    ("wecom", 200, {"errcode": 0, "errmsg": "ok"}, True, False),
    ("wecom", 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False, False),
    ("wecom", 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, False, True),
    ("dingtalk", 200, {"errcode": 310000, "errmsg": "sign not match"}, False, False),
    ("dingtalk", 200, {"errcode": 410100, "errmsg": "send too fast"}, False, True),
    ("feishu", 200, {"code": 19021, "msg": "sign match fail"}, False, False),
    ("feishu", 200, {"StatusCode": 0, "StatusMessage": "success"}, True, False),
    ("wecom", 200, None, True, False),
])
async def test_status_and_vendor_code_classification(kind: str, status: int, body: object,
                                                     ok: bool, retryable: bool) -> None:
    ch = parse_channel({"kind": kind, "url": "https://hooks.example.com/x"})
    r = await deliver(ch, responder(status, body))
    assert (r.ok, r.retryable, r.status_code) == (ok, retryable, status)
    if not ok:
        assert r.error


async def test_refused_url_is_never_called() -> None:
    seen: list[httpx.Request] = []
    evil = WebhookChannel(url="https://evil.test/x?token=TOKEN123")
    r = await deliver(evil, responder(200, seen=seen))
    assert not r.ok and not r.retryable
    assert "allowlist" in (r.error or "") and "TOKEN123" not in (r.error or "")
    assert seen == []


async def test_transport_errors_are_retryable_and_do_not_leak_the_url() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")
    r = await deliver(WebhookChannel(url="https://hooks.example.com/x?token=SECRET"), boom)
    assert not r.ok and r.retryable and "SECRET" not in (r.error or "")


async def test_email_without_recipient_or_smtp_is_a_config_error() -> None:
    async with client(responder(200)) as http:
        no_to = await send(EmailChannel(), alert(), http=http, smtp=None, allowlist=set(),
                           idempotency_key="k", timeout_s=1)
        no_smtp = await send(EmailChannel(), alert(), http=http, smtp=None, allowlist=set(),
                             idempotency_key="k", timeout_s=1, officer_email="o@x.cn")
    assert "recipient" in (no_to.error or "") and not no_to.retryable
    assert "SMTP" in (no_smtp.error or "") and not no_smtp.retryable


async def test_send_with_retry_backs_off_then_gives_up() -> None:
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)

    async with client(responder(503)) as http:
        out = await send_with_retry(
            WebhookChannel(url="https://hooks.example.com/x"), alert(), max_attempts=4,
            sleep=sleep, rng=lambda: 1.0, http=http, smtp=None, allowlist=ALLOW,
            idempotency_key="k", timeout_s=1, resolver=fake_dns,
        )
    assert out.attempts == 4 and not out.result.ok and waits == [2.0, 4.0, 8.0]


async def test_header_injection_in_the_recipient_is_refused_before_connecting() -> None:
    smtp = SmtpSettings(host="127.0.0.1", port=9, from_addr="n@x.cn")
    async with client(responder(200)) as http:
        r = await send(EmailChannel(to="o@x.cn\r\nBcc: spy@evil.test"), alert(), http=http,
                       smtp=smtp, allowlist=set(), idempotency_key="k", timeout_s=1)
    assert not r.ok and not r.retryable and "cannot build" in (r.error or "")
