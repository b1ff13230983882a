"""Deliver one rendered alert over one channel (HTTP bots, generic webhook, SMTP)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import smtplib
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from notifier.channels import formats
from notifier.channels.models import (
    ChannelConfig,
    DeliveryResult,
    DingtalkChannel,
    EmailChannel,
    FeishuChannel,
    SmtpSettings,
    WebhookChannel,
    WecomChannel,
)
from notifier.channels.ssrf import Resolver, WebhookNotAllowed, check_webhook_url, system_resolver
from notifier.domain.render import RenderedAlert
from notifier.domain.schedule import MAX_ATTEMPTS, backoff

__all__ = [
    "ChannelConfig", "DeliveryResult", "RetryOutcome", "SmtpSettings", "send", "send_with_retry",
]

log = logging.getLogger(__name__)

# Vendor error codes that mean "busy / too fast, try later" rather than a bad request:
# WeCom -1 system busy, 45009 frequency limit; DingTalk -1 busy, 130101 and 410100 send
# too fast; Feishu 11232 frequency limited. Everything else (bad sign, keyword, format)
# will fail again the same way.
_RETRYABLE_VENDOR_CODES = {
    "wecom": {-1, 45009},
    "dingtalk": {-1, 130101, 410100},
    "feishu": {11232},
}


async def send(
    channel: ChannelConfig,
    rendered: RenderedAlert,
    *,
    http: httpx.AsyncClient,
    smtp: SmtpSettings | None,
    allowlist: Iterable[str],
    idempotency_key: str,
    timeout_s: float,
    alert_id: str | None = None,
    officer_email: str | None = None,
    resolver: Resolver = system_resolver,
    clock: Callable[[], float] = time.time,
) -> DeliveryResult:
    """Deliver once; never raises for delivery failures, the result says if a retry may help."""
    if isinstance(channel, EmailChannel):
        result = await _send_email(channel, rendered, smtp, idempotency_key, officer_email)
        target = smtp.host if smtp else "-"
    else:
        target = channel.redacted_url()
        result = await _send_http(
            channel, rendered, http, set(allowlist), idempotency_key, timeout_s,
            alert_id or idempotency_key, resolver, clock,
        )
    log_fn = log.info if result.ok else log.warning
    # shared.logs only emits whitelisted extras, so the delivery facts go in the message.
    # `target` is redacted and `error` never quotes URLs or passwords.
    log_fn(
        "alert delivery %s: channel=%s target=%s retryable=%s error=%s idempotency_key=%s",
        "ok" if result.ok else "failed", channel.kind, target, result.retryable, result.error,
        idempotency_key,
        extra={"event_id": rendered.event_id, "firm_id": rendered.firm_id,
               "status": result.status_code},
    )
    return result


@dataclass(frozen=True)
class RetryOutcome:
    """Final result of `send_with_retry` and how many attempts it took."""

    result: DeliveryResult
    attempts: int


async def send_with_retry(
    channel: ChannelConfig,
    rendered: RenderedAlert,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    base_s: float = 2.0,
    cap_s: float = 300.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    rng: Callable[[], float] = random.random,
    **send_kwargs: Any,
) -> RetryOutcome:
    """In-process retries with backoff; for short waits (persisted retries use `backoff`)."""
    attempt = 0
    while True:
        attempt += 1
        result = await send(channel, rendered, **send_kwargs)
        if result.ok or not result.retryable or attempt >= max_attempts:
            return RetryOutcome(result, attempt)
        await sleep(backoff(attempt, base_s, cap_s, rng))


# ---------------------------------------------------------------- HTTP


def _request(
    channel: WebhookChannel | WecomChannel | DingtalkChannel | FeishuChannel,
    rendered: RenderedAlert, alert_id: str, idempotency_key: str, clock: Callable[[], float],
) -> tuple[str, dict[str, Any]]:
    if isinstance(channel, WecomChannel):
        return channel.url, formats.wecom_payload(rendered)
    if isinstance(channel, DingtalkChannel):
        url = channel.url
        if channel.secret is not None:
            url = formats.dingtalk_signed_url(
                url, channel.secret.get_secret_value(), int(clock() * 1000)
            )
        return url, formats.dingtalk_payload(rendered)
    if isinstance(channel, FeishuChannel):
        secret = channel.secret.get_secret_value() if channel.secret else None
        return channel.url, formats.feishu_payload(
            rendered, secret=secret, timestamp_s=int(clock())
        )
    return channel.url, formats.generic_payload(
        rendered, alert_id=alert_id, idempotency_key=idempotency_key
    )


async def _send_http(
    channel: WebhookChannel | WecomChannel | DingtalkChannel | FeishuChannel,
    rendered: RenderedAlert, http: httpx.AsyncClient, allowlist: set[str],
    idempotency_key: str, timeout_s: float, alert_id: str, resolver: Resolver,
    clock: Callable[[], float],
) -> DeliveryResult:
    try:
        # Re-checked at every send: the name may resolve elsewhere than when it was saved.
        # In a thread because getaddrinfo blocks.
        await asyncio.to_thread(check_webhook_url, channel.url, allowlist, resolver=resolver)
    except WebhookNotAllowed as exc:
        return DeliveryResult(ok=False, error=f"refused: {exc.reason}", retryable=exc.retryable)
    url, payload = _request(channel, rendered, alert_id, idempotency_key, clock)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Idempotency-Key": idempotency_key}
    try:
        # Overall deadline too: httpx's timeout is per phase, a trickling body could outlast it.
        async with asyncio.timeout(timeout_s):
            resp = await http.post(
                url, content=body, headers=headers, timeout=timeout_s, follow_redirects=False
            )
    except (TimeoutError, httpx.TimeoutException):
        return DeliveryResult(ok=False, error=f"timed out after {timeout_s:g}s", retryable=True)
    except httpx.TransportError as exc:
        # Exception text can quote the URL (and so its token): name the class only.
        return DeliveryResult(
            ok=False, error=f"connection failed: {type(exc).__name__}", retryable=True
        )
    except httpx.HTTPError as exc:  # e.g. an undecodable response: retrying will not help
        return DeliveryResult(ok=False, error=f"HTTP client error: {type(exc).__name__}")
    return _classify(channel.kind, resp)


def _classify(kind: str, resp: httpx.Response) -> DeliveryResult:
    status = resp.status_code
    if status == 429 or status >= 500:
        return DeliveryResult(ok=False, status_code=status, error=f"HTTP {status}", retryable=True)
    if 300 <= status < 400:
        # Following a redirect would skip the allowlist check of the new location.
        return DeliveryResult(
            ok=False, status_code=status, error=f"HTTP {status}: redirect refused"
        )
    if status >= 400 or status < 200:
        return DeliveryResult(ok=False, status_code=status, error=f"HTTP {status}")
    if kind not in _RETRYABLE_VENDOR_CODES:
        return DeliveryResult(ok=True, status_code=status)
    try:
        data = resp.json()
    except ValueError:
        return DeliveryResult(ok=True, status_code=status)  # no JSON body: trust the 2xx
    if not isinstance(data, dict):
        return DeliveryResult(ok=True, status_code=status)
    if kind == "feishu":
        code = data.get("code", data.get("StatusCode", 0))
        msg = data.get("msg", data.get("StatusMessage", ""))
    else:
        code, msg = data.get("errcode", 0), data.get("errmsg", "")
    if code in (0, None):
        return DeliveryResult(ok=True, status_code=status)
    return DeliveryResult(
        ok=False, status_code=status, error=f"{kind} error {code}: {str(msg)[:200]}",
        retryable=code in _RETRYABLE_VENDOR_CODES[kind],
    )


# ---------------------------------------------------------------- SMTP


def _smtp_send(settings: SmtpSettings, msg: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as client:
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            client.login(settings.username, password)
        client.send_message(msg)


async def _send_email(
    channel: EmailChannel, rendered: RenderedAlert, smtp: SmtpSettings | None,
    idempotency_key: str, officer_email: str | None,
) -> DeliveryResult:
    to = channel.to or officer_email
    if not to:
        return DeliveryResult(ok=False, error="email channel has no recipient")
    if smtp is None:
        return DeliveryResult(ok=False, error="SMTP is not configured")
    try:
        msg = formats.build_email(smtp.from_addr, to, rendered)
    except ValueError as exc:  # e.g. a line break in an address: refused by the email policy
        return DeliveryResult(ok=False, error=f"cannot build the email: {exc}")
    # Same Message-ID on every retry, so a mail that did arrive before a lost reply is
    # recognisable as a duplicate.
    del msg["Message-ID"]
    domain = smtp.from_addr.rpartition("@")[2] or "notifier.local"
    msg["Message-ID"] = f"<{idempotency_key}@{domain}>"
    msg["X-Idempotency-Key"] = idempotency_key
    try:
        await asyncio.to_thread(_smtp_send, smtp, msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryResult(
            ok=False, status_code=codes[0] if codes else None,
            error=f"recipient refused: SMTP {codes}", retryable=all(400 <= c < 500 for c in codes),
        )
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return DeliveryResult(
            ok=False, status_code=exc.smtp_code, error=f"SMTP {exc.smtp_code}: {text[:200]}",
            retryable=400 <= exc.smtp_code < 500,
        )
    except smtplib.SMTPServerDisconnected:
        return DeliveryResult(ok=False, error="SMTP server disconnected", retryable=True)
    except smtplib.SMTPException as exc:  # e.g. STARTTLS or AUTH not offered: config
        return DeliveryResult(ok=False, error=f"SMTP error: {type(exc).__name__}: {exc}")
    except OSError as exc:  # refused, unreachable, socket timeout: the server may come back
        return DeliveryResult(
            ok=False, error=f"SMTP connection failed: {type(exc).__name__}", retryable=True
        )
    return DeliveryResult(ok=True, status_code=250)
