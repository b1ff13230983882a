"""Channel configuration, SMTP settings and delivery results."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter


class _Channel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _UrlChannel(_Channel):
    # Bot URLs carry their access token in the query string, so the URL is a secret too:
    # kept out of repr; use `redacted_url()` in logs and errors.
    url: str = Field(repr=False, description="Webhook URL; must pass the allowlist check.")

    def redacted_url(self) -> str:
        """Scheme and host only, safe to log."""
        return redact_url(self.url)


class WebhookChannel(_UrlChannel):
    """Generic JSON webhook."""

    kind: Literal["webhook"] = "webhook"


class WecomChannel(_UrlChannel):
    """WeCom (企业微信) group robot."""

    kind: Literal["wecom"] = "wecom"


class DingtalkChannel(_UrlChannel):
    """DingTalk (钉钉) custom robot; `secret` (SEC...) enables signing."""

    kind: Literal["dingtalk"] = "dingtalk"
    secret: SecretStr | None = None


class FeishuChannel(_UrlChannel):
    """Feishu (飞书) custom bot; `secret` enables signature verification."""

    kind: Literal["feishu"] = "feishu"
    secret: SecretStr | None = None


class EmailChannel(_Channel):
    """SMTP email; `to` defaults to the officer's own address."""

    kind: Literal["email"] = "email"
    to: str | None = None


ChannelConfig = Annotated[
    Union[WebhookChannel, WecomChannel, DingtalkChannel, FeishuChannel, EmailChannel],
    Field(discriminator="kind"),
]
CHANNEL_CONFIG: TypeAdapter[ChannelConfig] = TypeAdapter(ChannelConfig)


def parse_channel(raw: dict[str, Any] | str | bytes) -> ChannelConfig:
    """Parse a stored channel config by its `kind`; raises pydantic.ValidationError."""
    if isinstance(raw, dict):
        return CHANNEL_CONFIG.validate_python(raw)
    return CHANNEL_CONFIG.validate_json(raw)


class SmtpSettings(BaseModel):
    """Outgoing mail server; `password` is never shown in repr or logs."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    from_addr: str
    timeout: float = Field(default=10.0, gt=0, description="Socket timeout per SMTP step, s.")


class DeliveryResult(BaseModel):
    """Outcome of one delivery attempt. For email `status_code` is the SMTP reply code."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    status_code: int | None = None
    error: str | None = None
    retryable: bool = False


def redact_url(url: str) -> str:
    """`scheme://host[:port]/…`: enough to tell targets apart, no path or token."""
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid url>"
    port = f":{u.port}" if u.port else ""
    host = f"[{u.host}]" if ":" in u.host else u.host
    return f"{u.scheme}://{host}{port}/…"
