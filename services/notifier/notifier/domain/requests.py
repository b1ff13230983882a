"""The notifier API's request bodies: validated at the door, with the rules handlers rely on.
`notifier.schemas` re-exports them beside the response models, for clients."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from notifier.channels.models import ChannelConfig
from notifier.domain.wording import Language
from shared.codes import District, Industry

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ADMIN_ONLY_FIELDS = ("districts", "industries", "supervisor_id", "receives_targets")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuietHours(_In):
    """A daily window (bureau time, Asia/Shanghai) in which non-critical alerts wait."""

    start: time = Field(examples=["22:00"])
    end: time = Field(examples=["08:00"])


Channels = Annotated[list[ChannelConfig], Field(max_length=10)]


class OfficerIn(_In):
    """A case officer: what they cover and how they want to hear about it."""

    name: str = Field(min_length=1, max_length=100, examples=["王敏"])
    email: str = Field(pattern=EMAIL_PATTERN, max_length=254, examples=["wangmin@kjj.dl.gov.cn"])
    districts: list[District] = Field(
        default_factory=list, description="Districts covered; empty means every district."
    )
    industries: list[Industry] = Field(
        default_factory=list, description="Industries covered; empty means every industry."
    )
    channels: Channels = Field(
        default_factory=list,
        description="Where alerts are pushed besides the inbox: webhook, wecom, dingtalk, "
        "feishu (with optional signing `secret`) or email.",
        examples=[[{"kind": "wecom",
                    "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}]],
    )
    quiet_hours: QuietHours | None = None
    language: Language = "zh"
    supervisor_id: uuid.UUID | None = None
    receives_targets: bool = Field(default=False, description="Gets the year's target alerts.")
    preferences: dict[str, str] = Field(
        default_factory=dict, description="alert kind → immediate | digest | off",
        examples=[{"promotion": "digest", "near_miss": "off"}],
    )
    digest_at: time = Field(default=time(9, 0), description="Daily digest time, bureau time.")


class OfficerPatch(_In):
    """Any subset of an officer's fields."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    districts: list[District] | None = None
    industries: list[Industry] | None = None
    channels: Channels | None = None
    quiet_hours: QuietHours | None = None
    language: Language | None = None
    supervisor_id: uuid.UUID | None = None
    receives_targets: bool | None = None
    preferences: dict[str, str] | None = None
    digest_at: time | None = None


class AssignmentIn(_In):
    """Who looks after a firm; null removes the explicit assignment."""

    officer_id: uuid.UUID | None


class AllowlistIn(_In):
    """Webhook hosts allowed on top of NOTIFIER_WEBHOOK_ALLOWLIST."""

    hosts: list[Annotated[str, Field(min_length=1, max_length=253)]] = Field(
        max_length=200, examples=[["hooks.example.com", "*.corp.example.cn", "10.0.0.5"]]
    )


class FallbackIn(_In):
    """The officer who receives alerts nobody covers; null clears it."""

    officer_id: uuid.UUID | None
