"""Quiet hours, digests, backoff, delivery plans, preferences and escalation."""

from datetime import UTC, datetime, time, timedelta

import pytest

from notifier.domain.schedule import (
    BUREAU_TZ,
    DEFAULT_DIGEST_AT,
    MAX_ATTEMPTS,
    backoff,
    decide_delivery,
    escalation_due,
    in_quiet_hours,
    next_digest_at,
    quiet_hours_release,
    should_retry,
    validate_preferences,
)

pytestmark = pytest.mark.unit

NIGHT = (time(22, 0), time(8, 0))
LUNCH = (time(12, 0), time(13, 30))


def sh(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, tzinfo=BUREAU_TZ)


@pytest.mark.parametrize(
    ("now", "window", "quiet"),
    [(sh(5, 22), NIGHT, True), (sh(5, 21, 59, 59), NIGHT, False), (sh(5, 23, 30), NIGHT, True),
     (sh(6, 0), NIGHT, True), (sh(6, 7, 59, 59), NIGHT, True), (sh(6, 8), NIGHT, False),
     (sh(6, 12), LUNCH, True), (sh(6, 13, 30), LUNCH, False), (sh(6, 11, 59), LUNCH, False),
     (sh(6, 3), (time(9), time(9)), False), (sh(6, 3), (None, None), False)],
)
def test_in_quiet_hours(now: datetime, window: tuple[time, time], quiet: bool) -> None:
    assert in_quiet_hours(now, *window) is quiet


def test_quiet_hours_use_bureau_time_whatever_the_input_zone() -> None:
    utc_15 = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)  # 23:00 in Dalian
    assert in_quiet_hours(utc_15, *NIGHT)
    assert quiet_hours_release(utc_15, *NIGHT) == sh(6, 8)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_quiet_hours(datetime(2024, 3, 5, 23), *NIGHT)


@pytest.mark.parametrize(
    ("now", "window", "release"),
    [(sh(5, 22), NIGHT, sh(6, 8)), (sh(5, 23, 59), NIGHT, sh(6, 8)), (sh(6, 0), NIGHT, sh(6, 8)),
     (sh(6, 7, 59), NIGHT, sh(6, 8)), (sh(6, 12, 10), LUNCH, sh(6, 13, 30))],
)
def test_release_is_the_end_of_the_current_window(now: datetime, window: tuple[time, time],
                                                   release: datetime) -> None:
    assert quiet_hours_release(now, *window) == release


def test_release_outside_the_window_is_now() -> None:
    assert quiet_hours_release(sh(6, 8), *NIGHT) == sh(6, 8)
    assert quiet_hours_release(sh(6, 15), *NIGHT) == sh(6, 15)


def test_next_digest_is_strictly_after_now() -> None:
    at = time(9, 0)
    assert next_digest_at(sh(6, 8, 59), at) == sh(6, 9)
    assert next_digest_at(sh(6, 9), at) == sh(7, 9)
    assert next_digest_at(sh(6, 17), at) == sh(7, 9)
    assert next_digest_at(sh(31, 17), at) == datetime(2024, 4, 1, 9, tzinfo=BUREAU_TZ)


def test_backoff_grows_exponentially_within_equal_jitter_bounds() -> None:
    assert backoff(1, rng=lambda: 0.0) == 1.0 and backoff(1, rng=lambda: 1.0) == 2.0
    assert backoff(2, rng=lambda: 1.0) == 4.0 and backoff(4, rng=lambda: 0.5) == 12.0
    for attempt in range(1, 40):
        for r in (0.0, 0.3, 0.999):
            d = min(300.0, 2.0 * 2 ** (attempt - 1))
            assert d / 2 <= backoff(attempt, rng=lambda r=r: r) <= d <= 300.0  # type: ignore[misc]


def test_backoff_is_capped_even_for_huge_attempts() -> None:
    assert backoff(10_000, rng=lambda: 1.0) == 300.0
    assert backoff(10_000, base_s=0.5, cap_s=10.0, rng=lambda: 0.0) == 5.0
    with pytest.raises(ValueError):
        backoff(0)


def test_retry_budget() -> None:
    assert MAX_ATTEMPTS == 6
    assert should_retry(5, True) and not should_retry(6, True) and not should_retry(1, False)


def test_immediate_non_critical_is_held_by_quiet_hours() -> None:
    plan = decide_delivery("promotion", "immediate", sh(5, 23), *NIGHT, None)
    assert plan.mode == "immediate" and plan.send_at == sh(6, 8) and plan.held_for_quiet_hours
    plan = decide_delivery("promotion", "immediate", sh(6, 10), *NIGHT, None)
    assert plan.send_at == sh(6, 10) and not plan.held_for_quiet_hours


@pytest.mark.parametrize("kind", ["revocation", "demotion", "at_risk"])
@pytest.mark.parametrize("pref", ["immediate", "off"])
def test_critical_ignores_quiet_hours_and_cannot_be_off(kind: str, pref: str) -> None:
    plan = decide_delivery(kind, pref, sh(5, 23), *NIGHT, None)
    assert plan.mode == "immediate" and plan.send_at == sh(5, 23)


def test_off_skips_non_critical() -> None:
    plan = decide_delivery("near_miss", "off", sh(6, 10), *NIGHT, time(9))
    assert plan.mode == "skip" and plan.send_at is None


def test_digest_goes_to_the_next_digest_time_and_respects_quiet_hours() -> None:
    plan = decide_delivery("near_miss", "digest", sh(6, 10), *NIGHT, time(18))
    assert plan == type(plan)(send_at=sh(6, 18), mode="digest")
    early = decide_delivery("near_miss", "digest", sh(6, 10), *NIGHT, time(7))
    assert early.send_at == sh(7, 8) and early.held_for_quiet_hours
    critical = decide_delivery("at_risk", "digest", sh(6, 10), *NIGHT, time(7))
    assert critical.send_at == sh(7, 7) and critical.mode == "digest"
    default = decide_delivery("renewal", "digest", sh(6, 10), None, None, None)
    assert default.send_at == datetime.combine(sh(7, 0).date(), DEFAULT_DIGEST_AT, BUREAU_TZ)


def test_decide_delivery_rejects_unknowns() -> None:
    with pytest.raises(ValueError, match="kind"):
        decide_delivery("party", "immediate", sh(6, 10), None, None, None)
    with pytest.raises(ValueError, match="preference"):
        decide_delivery("promotion", "sometimes", sh(6, 10), None, None, None)


def test_validate_preferences() -> None:
    ok = {"promotion": "off", "at_risk": "digest", "demotion": "immediate"}
    assert validate_preferences(ok) == ok
    with pytest.raises(ValueError, match="revocation.*cannot be turned off"):
        validate_preferences({"promotion": "off", "revocation": "off"})
    with pytest.raises(ValueError, match="'birthday'"):
        validate_preferences({"birthday": "immediate"})
    with pytest.raises(ValueError, match="near_miss.*'weekly'"):
        validate_preferences({"near_miss": "weekly"})


def test_escalation_only_for_unacknowledged_critical_after_the_delay() -> None:
    sent, after = sh(6, 10), timedelta(hours=4)
    assert not escalation_due("at_risk", sent, None, sh(6, 13, 59), after)
    assert escalation_due("at_risk", sent, None, sh(6, 14), after)
    assert not escalation_due("at_risk", sent, sh(6, 11), sh(6, 15), after)
    assert not escalation_due("promotion", sent, None, sh(7, 15), after)
    assert not escalation_due("demotion", None, None, sh(7, 15), after)
