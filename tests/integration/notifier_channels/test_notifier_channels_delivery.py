"""Real deliveries to local receivers: HTTP bots and webhooks, retries, timeouts, SMTP."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from typing import Any

import httpx
import pytest

from notifier.channels.models import (
    DingtalkChannel,
    EmailChannel,
    FeishuChannel,
    SmtpSettings,
    WebhookChannel,
    WecomChannel,
)
from notifier.channels.senders import send, send_with_retry
from notifier.domain.render import RenderedAlert, render
from notifier.domain.wording import Language
from tests.integration.notifier_channels.receivers import HttpReceiver, SmtpServer
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration

ALLOW = {"127.0.0.1"}  # loopback is refused unless listed explicitly, as here


def alert(language: Language = "zh") -> RenderedAlert:
    event = b.standing_event("TierAtRisk", "at_risk", "gazelle", "gazelle", at_risk=True,
                             failing=[b.failing()])
    return render(event, "at_risk", language, b.BASE_URL)


async def test_generic_webhook_is_recorded(receiver: HttpReceiver, http: httpx.AsyncClient) -> None:
    a = alert()
    r = await send(WebhookChannel(url=receiver.url("/ok")), a, http=http, smtp=None,
                   allowlist=ALLOW, idempotency_key="idem-a", timeout_s=5, alert_id="alert-a")
    assert r.ok and r.status_code == 200
    (call,) = receiver.calls
    assert call.method == "POST" and call.headers["idempotency-key"] == "idem-a"
    body = call.json()
    assert body["title"] == a.title and body["alert_id"] == "alert-a" and body["link"] == a.link


async def test_vendor_bots_reach_the_receiver_signed(
    receiver: HttpReceiver, http: httpx.AsyncClient,
) -> None:
    kw: dict[str, Any] = dict(http=http, smtp=None, allowlist=ALLOW, idempotency_key="k",
                              timeout_s=5)
    wecom = await send(WecomChannel(url=receiver.url("/ok?key=abc")), alert(), **kw)
    ding = await send(DingtalkChannel(url=receiver.url("/ok?access_token=t"), secret="SECx"),
                      alert(), **kw)
    fei = await send(FeishuChannel(url=receiver.url("/feishu-ok"), secret="fs"), alert("en"), **kw)
    assert wecom.ok and ding.ok and fei.ok
    w, d, f = receiver.calls
    assert w.json()["msgtype"] == "markdown" and w.query == {"key": "abc"}
    assert d.query["access_token"] == "t" and d.query["sign"]
    assert abs(int(d.query["timestamp"]) - time.time() * 1000) < 60_000
    feishu = f.json()
    assert feishu["msg_type"] == "post" and feishu["sign"] and "en_us" in feishu["content"]["post"]


async def test_vendor_error_code_in_a_200_is_a_failure(
    receiver: HttpReceiver, http: httpx.AsyncClient,
) -> None:
    ch = DingtalkChannel(url=receiver.url("/vendor/310000"))
    r = await send(ch, alert(), http=http, smtp=None, allowlist=ALLOW, idempotency_key="k",
                   timeout_s=5)
    assert not r.ok and not r.retryable and "310000" in (r.error or "")


async def test_flaky_receiver_succeeds_after_retries(
    receiver: HttpReceiver, http: httpx.AsyncClient,
) -> None:
    out = await send_with_retry(
        WebhookChannel(url=receiver.url("/flaky/a?fail=2")), alert(), base_s=0.01, cap_s=0.05,
        http=http, smtp=None, allowlist=ALLOW, idempotency_key="same-key", timeout_s=5,
    )
    assert out.result.ok and out.attempts == 3
    assert [c.headers["idempotency-key"] for c in receiver.calls] == ["same-key"] * 3


async def test_retries_are_bounded(receiver: HttpReceiver, http: httpx.AsyncClient) -> None:
    out = await send_with_retry(
        WebhookChannel(url=receiver.url("/flaky/b?fail=99")), alert(), max_attempts=3,
        base_s=0.01, cap_s=0.02, http=http, smtp=None, allowlist=ALLOW, idempotency_key="k",
        timeout_s=5,
    )
    assert not out.result.ok and out.result.retryable and out.result.status_code == 500
    assert out.attempts == 3 and len(receiver.calls) == 3


@pytest.mark.parametrize(("path", "retryable"), [("/status/429", True), ("/status/503", True),
                                                 ("/status/400", False), ("/redirect", False)])
async def test_status_codes(receiver: HttpReceiver, http: httpx.AsyncClient, path: str,
                           retryable: bool) -> None:
    r = await send(WebhookChannel(url=receiver.url(path)), alert(), http=http, smtp=None,
                   allowlist=ALLOW, idempotency_key="k", timeout_s=5)
    assert not r.ok and r.retryable is retryable
    assert len(receiver.calls) == 1  # a redirect is not followed


async def test_hanging_receiver_times_out_as_retryable(
    receiver: HttpReceiver, http: httpx.AsyncClient,
) -> None:
    started = time.monotonic()
    r = await send(WebhookChannel(url=receiver.url("/hang")), alert(), http=http, smtp=None,
                   allowlist=ALLOW, idempotency_key="k", timeout_s=0.3)
    assert not r.ok and r.retryable and "timed out" in (r.error or "")
    assert time.monotonic() - started < 3


async def test_loopback_not_allowlisted_is_never_contacted(
    receiver: HttpReceiver, http: httpx.AsyncClient,
) -> None:
    r = await send(WebhookChannel(url=receiver.url("/ok")), alert(), http=http, smtp=None,
                   allowlist={"hooks.example.com"}, idempotency_key="k", timeout_s=5)
    assert not r.ok and not r.retryable and "allowlist" in (r.error or "")
    assert receiver.calls == []


async def test_closed_port_is_a_retryable_connection_error(http: httpx.AsyncClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again on exit: nothing listens there
    r = await send(WebhookChannel(url=f"http://127.0.0.1:{port}/x"), alert(), http=http,
                   smtp=None, allowlist=ALLOW, idempotency_key="k", timeout_s=2)
    assert not r.ok and r.retryable


def smtp_settings(port: int, **kw: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, from_addr="notifier@kjj.dl.gov.cn",
                        timeout=5, **kw)


async def test_email_arrives_as_multipart_text_and_html(
    smtp_server: SmtpServer, http: httpx.AsyncClient,
) -> None:
    a = alert()
    r = await send(EmailChannel(), a, http=http, smtp=smtp_settings(smtp_server.port),
                   allowlist=set(), idempotency_key="mail-1", timeout_s=5,
                   officer_email="officer@kjj.dl.gov.cn")
    assert r.ok
    (env,) = smtp_server.sink.envelopes
    assert env.rcpt_tos == ["officer@kjj.dl.gov.cn"] and env.mail_from == "notifier@kjj.dl.gov.cn"
    assert env.original_content is not None
    msg = email.message_from_bytes(env.original_content, policy=email.policy.default)
    assert msg["Subject"] == a.title and msg["Message-ID"] == "<mail-1@kjj.dl.gov.cn>"
    assert msg.get_content_type() == "multipart/alternative"
    text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert "尚缺" in text and a.link in text
    assert '<meta charset="utf-8">' in html
    assert f'href="{a.link}"' in html and "<h3>下一步</h3>" in html


async def test_email_to_overrides_officer_and_login_works(
    smtp_server: SmtpServer, http: httpx.AsyncClient,
) -> None:
    settings = smtp_settings(smtp_server.port, username="notifier", password="s3cret")
    r = await send(EmailChannel(to="desk@kjj.dl.gov.cn"), alert("en"), http=http, smtp=settings,
                   allowlist=set(), idempotency_key="k", timeout_s=5, officer_email="o@x.cn")
    assert r.ok and smtp_server.sink.logins == ["notifier"]
    assert smtp_server.sink.envelopes[0].rcpt_tos == ["desk@kjj.dl.gov.cn"]


async def test_wrong_password_is_not_retryable(
    smtp_server: SmtpServer, http: httpx.AsyncClient,
) -> None:
    settings = smtp_settings(smtp_server.port, username="notifier", password="wrong")
    r = await send(EmailChannel(to="d@x.cn"), alert(), http=http, smtp=settings, allowlist=set(),
                   idempotency_key="k", timeout_s=5)
    assert not r.ok and not r.retryable and r.status_code == 535
    assert "wrong" not in (r.error or "")


@pytest.mark.parametrize(("reply", "retryable"), [("451 4.3.0 try again later", True),
                                                  ("554 5.7.1 rejected", False)])
async def test_smtp_reply_codes(smtp_server: SmtpServer, http: httpx.AsyncClient, reply: str,
                                retryable: bool) -> None:
    smtp_server.sink.reply = reply
    r = await send(EmailChannel(to="d@x.cn"), alert(), http=http,
                   smtp=smtp_settings(smtp_server.port), allowlist=set(), idempotency_key="k",
                   timeout_s=5)
    assert not r.ok and r.retryable is retryable and r.status_code == int(reply[:3])


async def test_smtp_server_down_is_retryable(http: httpx.AsyncClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = await send(EmailChannel(to="d@x.cn"), alert(), http=http, smtp=smtp_settings(port),
                   allowlist=set(), idempotency_key="k", timeout_s=5)
    assert not r.ok and r.retryable
