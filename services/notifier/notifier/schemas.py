"""The notifier API's request bodies (validated at the door) and response models."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from notifier.domain import requests as _requests
from notifier.domain.alerts import AlertKind, Severity
from notifier.domain.wording import Language
from shared.codes import District, Industry
from shared.paging import Page

# the request bodies, defined with their rules in the domain
ADMIN_ONLY_FIELDS = _requests.ADMIN_ONLY_FIELDS
QuietHours = _requests.QuietHours
OfficerIn = _requests.OfficerIn
OfficerPatch = _requests.OfficerPatch
AssignmentIn = _requests.AssignmentIn
AllowlistIn = _requests.AllowlistIn
FallbackIn = _requests.FallbackIn


# ---------------------------------------------------------------- responses

DeliveryStatus = Literal["pending", "sending", "delivered", "failed", "held", "digest"]
ChannelKind = Literal["webhook", "wecom", "dingtalk", "feishu", "email"]
RoutedVia = Literal["explicit", "coverage", "targets", "fallback", "escalation", "none"]
_ID = "3f2b8c1e-6a4d-4e7b-9c0a-1d2e3f4a5b6c"
_AT = "2026-12-02T09:00:00+08:00"


class EmailChannelView(BaseModel):
    """An email channel as the API shows it."""

    key: str = Field(description="Stable name: the kind, then kind#2… for repeats",
                     examples=["email"])
    kind: Literal["email"]
    to: str | None = Field(description="Recipient; null: the officer's own address",
                           examples=["wangmin@kjj.dl.gov.cn"])


class UrlChannelView(BaseModel):
    """A webhook or WeCom robot channel; the URL is redacted unless the caller owns it."""

    key: str = Field(examples=["wecom"])
    kind: Literal["webhook", "wecom"]
    url: str = Field(description="Full only for admins and the officer themselves",
                     examples=["https://qyapi.weixin.qq.com/…"])


class SignedChannelView(BaseModel):
    """A DingTalk or Feishu bot channel, which may sign its requests."""

    key: str = Field(examples=["dingtalk"])
    kind: Literal["dingtalk", "feishu"]
    url: str = Field(description="Full only for admins and the officer themselves",
                     examples=["https://oapi.dingtalk.com/…"])
    signed: bool = Field(description="A signing secret is set (never shown)", examples=[True])


ChannelView = Annotated[EmailChannelView | UrlChannelView | SignedChannelView,
                        Field(discriminator="kind")]


class QuietHoursView(BaseModel):
    """The officer's daily quiet window (bureau time)."""

    start: time = Field(examples=["22:00:00"])
    end: time = Field(examples=["08:00:00"])


class Officer(BaseModel):
    """A case officer: coverage, channels (webhook URLs redacted for others) and schedule."""

    id: uuid.UUID = Field(examples=[_ID])
    name: str = Field(examples=["王敏"])
    email: str = Field(examples=["wangmin@kjj.dl.gov.cn"])
    districts: list[District] = Field(description="Empty: every district", examples=[["hitech"]])
    industries: list[Industry] = Field(description="Empty: every industry", examples=[[]])
    channels: list[ChannelView]
    quiet_hours: QuietHoursView | None
    language: Language = Field(examples=["zh"])
    supervisor_id: uuid.UUID | None = Field(description="Who takes unacknowledged critical "
                                            "alerts", examples=[None])
    receives_targets: bool = Field(description="Gets the year's target alerts", examples=[False])
    preferences: dict[str, str] = Field(description="alert kind → immediate | digest | off",
                                        examples=[{"promotion": "digest"}])
    digest_at: time = Field(description="Daily digest time, bureau time", examples=["09:00:00"])
    next_digest_at: datetime = Field(examples=[_AT])
    created_at: datetime = Field(examples=[_AT])
    updated_at: datetime = Field(examples=[_AT])


class FirmAssignment(BaseModel):
    """A firm's explicit officer as just set (null: coverage decides again)."""

    firm_id: uuid.UUID = Field(examples=[_ID])
    officer_id: uuid.UUID | None = Field(examples=[_ID])


class FirmOfficer(FirmAssignment):
    """A firm's explicit officer and since when (both null when coverage decides)."""

    assigned_at: datetime | None = Field(examples=[_AT])


class Allowlist(BaseModel):
    """Webhook hosts allowed: from the environment, from the admin, and their union."""

    environment: list[str] = Field(description="NOTIFIER_WEBHOOK_ALLOWLIST",
                                   examples=[["oapi.dingtalk.com", "qyapi.weixin.qq.com"]])
    hosts: list[str] = Field(description="The admin's list", examples=[["hooks.example.com"]])
    effective: list[str] = Field(description="Every host a webhook may point at",
                                 examples=[["hooks.example.com", "oapi.dingtalk.com",
                                            "qyapi.weixin.qq.com"]])


class FallbackOfficer(BaseModel):
    """Who receives alerts no officer covers."""

    officer_id: uuid.UUID | None = Field(description="The admin's choice", examples=[_ID])
    environment: uuid.UUID | None = Field(description="NOTIFIER_FALLBACK_OFFICER",
                                          examples=[None])
    effective: uuid.UUID | None = Field(description="The one in effect", examples=[_ID])


class Alert(BaseModel):
    """An inbox entry: one event told to one officer (null officer: nobody took it)."""

    id: uuid.UUID = Field(examples=[_ID])
    officer_id: uuid.UUID | None = Field(examples=[_ID])
    kind: AlertKind = Field(examples=["demotion"])
    severity: Severity = Field(examples=["critical"])
    critical: bool = Field(description="Ignores quiet hours; escalates when unacknowledged",
                           examples=[True])
    title: str = Field(examples=["【降级】大连某科技有限公司"])
    body: str = Field(description="Plain text", examples=["…"])
    body_html: str = Field(examples=["<div class=\"alert alert-critical\">…</div>"])
    link: str | None = Field(examples=["http://127.0.0.1:8002/firms/…"])
    language: Language = Field(examples=["zh"])
    firm_id: uuid.UUID | None = Field(examples=[_ID])
    subject: str = Field(description="The event's subject", examples=[f"firm:{_ID}"])
    unrouted: bool = Field(description="No officer covered it", examples=[False])
    routed_via: RoutedVia = Field(examples=["coverage"])
    source_event_id: uuid.UUID = Field(examples=[_ID])
    created_at: datetime = Field(examples=[_AT])
    read: bool = Field(description="Acknowledged", examples=[False])
    acknowledged_at: datetime | None = Field(examples=[None])
    acknowledged_by: str | None = Field(examples=[None])
    escalation_of: uuid.UUID | None = Field(description="The alert this escalates",
                                            examples=[None])
    escalated_at: datetime | None = Field(examples=[None])
    escalated_to: uuid.UUID | None = Field(examples=[None])
    key: str = Field(default="", description="The kind's word in GET /v1/dashboard/catalogue "
                     "(ladder), for a page in another language than `language`",
                     examples=["alert.demotion"])
    params: dict[str, Any] = Field(default_factory=dict, description="The alert's facts as "
                                   "codes (firm name, tiers, year, target key...), empty on "
                                   "alerts stored before they were kept",
                                   examples=[{"firm": "大连某科技有限公司", "from_tier": "gazelle",
                                              "to_tier": "eaglet"}])
    history: bool = Field(default=False, description="About something older than "
                          "NOTIFIER_HISTORY_AFTER_DAYS when it arrived: kept on the firm's "
                          "record, never in an inbox nor sent", examples=[False])
    on: date | None = Field(default=None, description="The date of what it tells (the "
                            "decision's, the list's, the deadline's), not when it was written",
                            examples=["2022-05-10"])


class Delivery(BaseModel):
    """One message in the delivery queue: an alert (or a digest) to one channel."""

    id: uuid.UUID = Field(examples=[_ID])
    alert_id: uuid.UUID | None = Field(description="Null for a digest message", examples=[_ID])
    officer_id: uuid.UUID = Field(examples=[_ID])
    channel_key: str = Field(examples=["wecom"])
    channel: ChannelKind = Field(examples=["wecom"])
    kind: AlertKind | Literal["digest"] = Field(examples=["demotion"])
    status: DeliveryStatus = Field(examples=["delivered"])
    attempts: int = Field(examples=[1])
    max_attempts: int = Field(examples=[8])
    next_attempt_at: datetime = Field(examples=[_AT])
    digest_id: uuid.UUID | None = Field(description="The digest that carried it",
                                        examples=[None])
    last_status_code: int | None = Field(examples=[200])
    last_error: str | None = Field(examples=[None])
    created_at: datetime = Field(examples=[_AT])
    updated_at: datetime = Field(examples=[_AT])
    delivered_at: datetime | None = Field(examples=[_AT])


class DeliveryAttempt(BaseModel):
    """One try at sending a delivery."""

    attempt: int = Field(examples=[1])
    at: datetime = Field(examples=[_AT])
    ok: bool = Field(examples=[True])
    status_code: int | None = Field(examples=[200])
    error: str | None = Field(examples=[None])
    duration_ms: int = Field(examples=[84])


class AlertDetail(Alert):
    """An alert with its deliveries (up to 100)."""

    deliveries: list[Delivery]


class DeliveryDetail(Delivery):
    """A delivery with every attempt made."""

    attempts_made: list[DeliveryAttempt]


class InboxPage(Page[Alert]):
    """A page of an officer's inbox, with how many of their alerts are unread."""

    unread: int = Field(description="Unread alerts in the whole inbox", examples=[3])
