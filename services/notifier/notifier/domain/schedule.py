"""When to send: quiet hours, daily digests, retry backoff, escalation. Pure time logic."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from notifier.domain.alerts import ALERT_KINDS, CRITICAL_KINDS, AlertKind, is_critical

BUREAU_TZ = ZoneInfo("Asia/Shanghai")
MAX_ATTEMPTS = 6
DEFAULT_DIGEST_AT = time(9, 0)

Preference = Literal["immediate", "digest", "off"]
PREFERENCES: tuple[str, ...] = ("immediate", "digest", "off")


@dataclass(frozen=True)
class Plan:
    """What to do with one alert: send now/later, add to a digest, or skip."""

    send_at: datetime | None
    mode: Literal["immediate", "digest", "skip"]
    held_for_quiet_hours: bool = False


def _local(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return now.astimezone(BUREAU_TZ)


def in_quiet_hours(now: datetime, start: time | None, end: time | None) -> bool:
    """True if `now` (bureau time) falls in [start, end); the window may cross midnight.

    `start == end` (or either missing) means no quiet hours. The start minute is quiet,
    the end minute is not: 22:00–08:00 holds 22:00:00 and releases at 08:00:00.
    """
    if start is None or end is None:
        return False
    # Wall-clock times of day: a tzinfo on them would make comparisons raise.
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if start == end:
        return False
    t = _local(now).time().replace(tzinfo=None)
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_hours_release(now: datetime, start: time | None, end: time | None) -> datetime:
    """When the quiet window containing `now` ends (bureau time); `now` if not in one."""
    if not in_quiet_hours(now, start, end):
        return now
    assert start is not None and end is not None  # in_quiet_hours returned True
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    local = _local(now)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)  # evening part of a window that ends tomorrow morning
    return datetime.combine(day, end, tzinfo=BUREAU_TZ)


def next_digest_at(now: datetime, at: time) -> datetime:
    """The next daily digest time strictly after `now` (bureau time).

    Strictly after, so a digest job that runs at exactly 09:00:00 schedules tomorrow's
    run instead of itself again.
    """
    local = _local(now)
    candidate = datetime.combine(local.date(), at.replace(tzinfo=None), tzinfo=BUREAU_TZ)
    if candidate <= local:
        candidate = datetime.combine(
            local.date() + timedelta(days=1), at.replace(tzinfo=None), tzinfo=BUREAU_TZ
        )
    return candidate


def backoff(
    attempt: int, base_s: float = 2.0, cap_s: float = 300.0,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Exponential with *equal* jitter: d = min(cap, base * 2**(attempt-1)), then a wait in
    [d/2, d]. Equal rather than full jitter so a retry never fires almost at once at a
    receiver that just failed, while still spreading retries of many alerts apart.
    Always within [0, cap_s].
    """
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    # Clamp the exponent: 2.0**2000 would overflow long before the cap matters.
    d = min(cap_s, base_s * 2.0 ** min(attempt - 1, 62))
    return d / 2 + (d / 2) * rng()


def should_retry(attempt: int, retryable: bool, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """True if a failed attempt number `attempt` may be followed by another one."""
    return retryable and attempt < max_attempts


def decide_delivery(
    kind: AlertKind | str,
    preference: Preference | str,
    now: datetime,
    quiet_start: time | None,
    quiet_end: time | None,
    digest_at: time | None,
) -> Plan:
    """Plan one alert for one officer from their preference, quiet hours and digest time.

    Critical kinds ignore quiet hours and treat `off` as `immediate`. Non-critical alerts
    (immediate or digest) that fall in quiet hours are held until the window ends.
    """
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    if preference not in PREFERENCES:
        raise ValueError(f"unknown preference {preference!r} for {kind}")
    _local(now)
    critical = is_critical(kind)
    if preference == "off":
        if not critical:
            return Plan(send_at=None, mode="skip")
        preference = "immediate"
    if preference == "immediate":
        send_at = now
        mode: Literal["immediate", "digest"] = "immediate"
    else:
        send_at = next_digest_at(now, digest_at or DEFAULT_DIGEST_AT)
        mode = "digest"
    if critical:
        return Plan(send_at=send_at, mode=mode)
    release = quiet_hours_release(send_at, quiet_start, quiet_end)
    return Plan(send_at=release, mode=mode, held_for_quiet_hours=release != send_at)


def validate_preferences(prefs: dict[str, str]) -> dict[str, Preference]:
    """Check an officer's kind → preference map; ValueError names the offending kind."""
    out: dict[str, Preference] = {}
    for kind, pref in prefs.items():
        if kind not in ALERT_KINDS:
            raise ValueError(f"unknown alert kind {kind!r}; known: {', '.join(ALERT_KINDS)}")
        if pref not in PREFERENCES:
            raise ValueError(
                f"{kind}: unknown preference {pref!r}; use immediate, digest or off"
            )
        if pref == "off" and kind in CRITICAL_KINDS:
            raise ValueError(f"{kind} is a critical alert kind and cannot be turned off")
        out[kind] = pref  # type: ignore[assignment]  # checked against PREFERENCES above
    return out


def escalation_due(
    kind: str, delivered_at: datetime | None, acknowledged_at: datetime | None,
    now: datetime, after: timedelta,
) -> bool:
    """True when a critical alert delivered `after` ago is still unacknowledged."""
    if not is_critical(kind) or delivered_at is None or acknowledged_at is not None:
        return False
    return _local(now) >= _local(delivered_at) + after
