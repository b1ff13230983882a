"""Payload builders for each channel, in the vendors' documented formats. Pure, no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from typing import Any
from urllib.parse import quote_plus

from notifier.domain.render import RenderedAlert
from notifier.domain.wording import say

# Vendor size limits: WeCom markdown content ≤ 4096 bytes; Feishu request body ≤ 20 KB;
# DingTalk documents no figure we trust, so it gets the Feishu margin too.
WECOM_MAX_BYTES = 4096
BOT_MAX_BYTES = 18_000


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut `text` to at most `max_bytes` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    marker = "…"
    cut = raw[: max_bytes - len(marker.encode("utf-8"))]
    return cut.decode("utf-8", errors="ignore") + marker


def markdown(rendered: RenderedAlert) -> str:
    """Title as a heading, body lines as paragraphs, the link as a markdown link."""
    label = say(rendered.language, "msg.open")
    # Skip the body's first line (the title) and its last (the plain link): both are
    # rendered better below. Blank lines between lines because DingTalk ignores single \n.
    lines = [ln for ln in rendered.body_text.splitlines()[1:] if ln.strip()]
    if rendered.link and lines and lines[-1].endswith(rendered.link):
        lines = lines[:-1]
    out = [f"### {rendered.title}", *lines]
    if rendered.link:
        out.append(f"[{label}]({rendered.link})")
    return "\n\n".join(out)


def wecom_payload(rendered: RenderedAlert) -> dict[str, Any]:
    """WeCom (企业微信) group robot markdown message."""
    return {"msgtype": "markdown",
            "markdown": {"content": truncate_utf8(markdown(rendered), WECOM_MAX_BYTES)}}


def dingtalk_payload(rendered: RenderedAlert) -> dict[str, Any]:
    """DingTalk (钉钉) custom robot markdown message; `title` shows in the chat list."""
    return {"msgtype": "markdown",
            "markdown": {"title": rendered.title,
                         "text": truncate_utf8(markdown(rendered), BOT_MAX_BYTES)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk signature, URL-encoded: HMAC-SHA256(key=secret, msg=f"{ts}\\n{secret}")."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with `timestamp` (ms) and `sign` query parameters appended."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu signature: base64(HMAC-SHA256(key=f"{ts}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def feishu_payload(
    rendered: RenderedAlert, *, secret: str | None = None, timestamp_s: int | None = None
) -> dict[str, Any]:
    """Feishu (飞书) custom bot rich-text `post` message, signed when a secret is set."""
    lang_key = "zh_cn" if rendered.language == "zh" else "en_us"
    lines = [ln for ln in rendered.body_text.splitlines()[1:] if ln.strip()]
    if rendered.link and lines and lines[-1].endswith(rendered.link):
        lines = lines[:-1]
    lines = truncate_utf8("\n".join(lines), BOT_MAX_BYTES).splitlines()
    content: list[list[dict[str, str]]] = [[{"tag": "text", "text": ln}] for ln in lines]
    if rendered.link:
        label = say(rendered.language, "msg.open")
        content.append([{"tag": "a", "text": label, "href": rendered.link}])
    payload: dict[str, Any] = {
        "msg_type": "post",
        "content": {"post": {lang_key: {"title": rendered.title, "content": content}}},
    }
    if secret:
        if timestamp_s is None:
            raise ValueError("a signed Feishu message needs its timestamp")
        # Feishu wants the timestamp as a string of seconds.
        payload["timestamp"] = str(timestamp_s)
        payload["sign"] = feishu_sign(secret, timestamp_s)
    return payload


def generic_payload(
    rendered: RenderedAlert, *, alert_id: str, idempotency_key: str
) -> dict[str, Any]:
    """Generic webhook JSON: everything a receiver needs to show or dedupe the alert."""
    return {
        "alert_id": alert_id,
        "idempotency_key": idempotency_key,
        "kind": rendered.kind,
        "severity": rendered.severity,
        "language": rendered.language,
        "title": rendered.title,
        "body": rendered.body_text,
        "body_html": rendered.body_html,
        "link": rendered.link,
        "firm_id": rendered.firm_id,
        "event_id": rendered.event_id,
    }


def build_email(from_addr: str, to_addr: str, rendered: RenderedAlert) -> EmailMessage:
    """multipart/alternative email: plain text first, HTML second, UTF-8 subject."""
    msg = EmailMessage()
    # Header values must be one line; titles are built from one-line parts, but be sure.
    msg["Subject"] = " ".join(rendered.title.split())
    msg["From"] = from_addr
    msg["To"] = to_addr
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=from_addr.rpartition("@")[2] or None)
    msg.set_content(rendered.body_text, charset="utf-8")
    lang = "zh-CN" if rendered.language == "zh" else "en"
    page = (
        f"<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(rendered.title)}</title></head><body>{rendered.body_html}</body></html>"
    )
    msg.add_alternative(page, subtype="html", charset="utf-8")
    return msg
