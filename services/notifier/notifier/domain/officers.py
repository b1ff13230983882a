"""An officer's stored form: channels by key, table columns, and what routing needs."""

from __future__ import annotations

from collections import Counter
from datetime import time
from typing import Any, TypeAlias

from notifier.channels.models import ChannelConfig, EmailChannel, parse_channel
from notifier.domain.routing import OfficerRoute
from notifier.domain.schedule import DEFAULT_DIGEST_AT

# A database record or a plain dict: anything indexed by column name (the domain stays free of
# the driver, and unit tests pass dicts).
Row: TypeAlias = Any


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
