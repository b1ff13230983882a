"""Each standing event type maps to its own alert: recoveries are good news, overrides say who."""

from datetime import UTC, datetime, timedelta

import pytest

from notifier.domain.alerts import alert_kind_for, is_critical, severity_of
from notifier.domain.render import render
from notifier.domain.schedule import decide_delivery, escalation_due
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_recovery_is_an_info_alert_never_escalated() -> None:
    for event in (b.standing_event("TierRecovered", "recovered", "gazelle", "gazelle"),
                  b.standing_event("TierAtRisk", "recovered", "gazelle", "gazelle")):  # older
        kind = alert_kind_for(event)
        assert kind == "recovery"
        assert severity_of(kind) == "info" and not is_critical(kind)
        assert not escalation_due(kind, NOW - timedelta(days=3), None, NOW, timedelta(hours=4))
        rendered = render(event, kind, "en", "https://tracker.example")
        assert rendered.severity == "info" and rendered.title.startswith("Recovered")


def test_override_downgrade_is_an_override_alert_naming_the_officer() -> None:
    event = b.standing_event("TierOverridden", "override", "gazelle", "eaglet", direction="down",
                             by="officer:wang", reason="manual override: report under review")
    kind = alert_kind_for(event)
    assert kind == "override" and not is_critical(kind)
    en = render(event, kind, "en", "https://tracker.example")
    assert "officer:wang" in en.title and "lowered" in en.title
    assert "Promot" not in en.title + en.body_text
    assert "report under review" in en.body_text
    zh = render(event, kind, "zh", "https://tracker.example")
    assert "下调" in zh.title and "晋级" not in zh.title
    # an older override, carried by TierPromoted, is an override too, not a promotion
    old = b.standing_event("TierPromoted", "override", "gazelle", "eaglet")
    assert alert_kind_for(old) == "override"


def test_revocation_event_type_is_critical() -> None:
    event = b.standing_event("TierRevoked", "revoked", "gazelle", "none")
    kind = alert_kind_for(event)
    assert kind == "revocation" and is_critical(kind)
    plan = decide_delivery(kind, "off", NOW, None, None, None)
    assert plan.mode != "skip"


def test_a_correction_is_titled_as_one() -> None:
    event = b.standing_event("TierPromoted", "promoted", "none", "eaglet",
                             supersedes="6f1c2a52-3b8e-4d0e-9a51-2f4c6b1d7e90",
                             decided_on="2024-04-12")
    en = render(event, "promotion", "en", "https://tracker.example")
    assert en.title.startswith("Correction (2024-04-12): Promoted")
    plain = render(b.standing_event(), "promotion", "en", "https://tracker.example")
    assert not plain.title.startswith("Correction")
