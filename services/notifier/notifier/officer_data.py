"""An officer between the API, the database and the domain: stored form, views, routes."""

from __future__ import annotations

from collections import Counter
from datetime import time
from typing import Any

import asyncpg

from notifier.channels.models import ChannelConfig, EmailChannel, parse_channel, redact_url
from notifier.domain.routing import OfficerRoute
from notifier.domain.schedule import DEFAULT_DIGEST_AT

Row = asyncpg.Record | dict[str, Any]


def stored_channel(channel: ChannelConfig) -> dict[str, Any]:
    """A channel as stored: secrets in clear (they sign requests), nothing dropped."""
    out: dict[str, Any] = {"kind": channel.kind}
    if isinstance(channel, EmailChannel):
        out["to"] = channel.to
        return out
    out["url"] = channel.url
    secret = getattr(channel, "secret", None)
    if secret is not None:
        out["secret"] = secret.get_secret_value()
    return out


def channel_keys(channels: list[dict[str, Any]]) -> list[str]:
    """Stable names of an officer's channels: the kind, then kind#2, kind#3 for repeats."""
    seen: Counter[str] = Counter()
    keys = []
    for ch in channels:
        seen[ch["kind"]] += 1
        n = seen[ch["kind"]]
        keys.append(ch["kind"] if n == 1 else f"{ch['kind']}#{n}")
    return keys


def channels_of(row: Row) -> dict[str, ChannelConfig]:
    """An officer's channels by key, parsed."""
    raw = list(row["channels"] or [])
    return {key: parse_channel(ch) for key, ch in zip(channel_keys(raw), raw, strict=True)}


def channel_view(ch: dict[str, Any], key: str, reveal: bool) -> dict[str, Any]:
    """A channel as the API shows it; bot URLs carry tokens, so only their owner sees them."""
    out: dict[str, Any] = {"key": key, "kind": ch["kind"]}
    if ch["kind"] == "email":
        out["to"] = ch.get("to")
        return out
    out["url"] = ch["url"] if reveal else redact_url(ch["url"])
    if ch["kind"] in ("dingtalk", "feishu"):
        out["signed"] = bool(ch.get("secret"))
    return out


def officer_view(row: Row, *, reveal: bool) -> dict[str, Any]:
    """An officer as the API shows it."""
    raw = list(row["channels"] or [])
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = {"start": row["quiet_start"], "end": row["quiet_end"]}
    return {
        "id": row["id"], "name": row["name"], "email": row["email"],
        "districts": list(row["districts"]), "industries": list(row["industries"]),
        "channels": [channel_view(c, k, reveal) for c, k in zip(raw, channel_keys(raw), strict=True)],
        "quiet_hours": quiet, "language": row["language"], "supervisor_id": row["supervisor_id"],
        "receives_targets": row["receives_targets"], "preferences": dict(row["preferences"]),
        "digest_at": row["digest_at"], "next_digest_at": row["next_digest_at"],
        "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def to_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """API fields (already validated) → officer table columns."""
    out = dict(fields)
    if "channels" in out:
        out["channels"] = [stored_channel(c) for c in out["channels"]]
    if "quiet_hours" in out:
        q = out.pop("quiet_hours")
        out["quiet_start"] = q.start if q else None
        out["quiet_end"] = q.end if q else None
    return out


def route_of(row: Row) -> OfficerRoute:
    """What routing needs to know about an officer."""
    return OfficerRoute(
        officer_id=row["id"], districts=frozenset(row["districts"]),
        industries=frozenset(row["industries"]), active=row["deleted_at"] is None,
        receives_targets=row["receives_targets"], supervisor_id=row["supervisor_id"],
    )


def digest_time(row: Row) -> time:
    """The officer's daily digest time."""
    return row["digest_at"] or DEFAULT_DIGEST_AT
