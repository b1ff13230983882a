"""Pure parts of the notifier service: officer data shapes, settings, escalation wording."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from notifier.channels.models import parse_channel
from notifier.config import Settings
from notifier.domain.officers import channel_keys, channels_of, route_of, stored_channel
from notifier.domain.render import render
from notifier.handlers.intake import escalated
from notifier.queries import officer_view
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": uuid.uuid4(), "name": "王敏", "email": "w@kjj.dl.gov.cn", "districts": ["hitech"],
        "industries": [], "channels": [], "quiet_start": None, "quiet_end": None,
        "language": "zh", "supervisor_id": None, "receives_targets": False, "preferences": {},
        "digest_at": time(9), "next_digest_at": None, "created_at": None, "updated_at": None,
        "deleted_at": None,
    }
    row.update(overrides)
    return row


def test_channel_keys_are_the_kind_then_numbered_repeats() -> None:
    kinds = ["webhook", "email", "webhook", "webhook"]
    assert channel_keys([{"kind": k} for k in kinds]) == ["webhook", "email", "webhook#2",
                                                          "webhook#3"]


def test_stored_channel_keeps_the_signing_secret_and_views_hide_tokens() -> None:
    channel = parse_channel({"kind": "feishu", "url": "https://open.feishu.cn/hook/abc",
                             "secret": "s3"})
    stored = stored_channel(channel)
    assert stored == {"kind": "feishu", "url": "https://open.feishu.cn/hook/abc", "secret": "s3"}
    row = _row(channels=[stored, {"kind": "email", "to": None}])
    hidden = officer_view(row, reveal=False)["channels"]
    assert hidden[0] == {"key": "feishu", "kind": "feishu", "url": "https://open.feishu.cn/…",
                         "signed": True}
    assert "s3" not in repr(officer_view(row, reveal=True))
    assert channels_of(row)["feishu"].secret.get_secret_value() == "s3"  # type: ignore[union-attr]


def test_route_of_an_officer_row() -> None:
    boss = uuid.uuid4()
    route = route_of(_row(supervisor_id=boss, receives_targets=True))
    assert route.covers("hitech", "clean_energy") and not route.covers("jinpu", "other")
    assert route.active and route.receives_targets and route.supervisor_id == boss


def test_settings_parse_lists_durations_and_keep_the_lease_above_the_timeout() -> None:
    s = Settings(
        _env_file=None, notifier_webhook_allowlist=" a.example.com, ,10.0.0.5",
        notifier_escalation_after="PT2H", notifier_lease_s=5, notifier_delivery_timeout_s=30)
    assert s.webhook_hosts == ["a.example.com", "10.0.0.5"]
    assert s.notifier_escalation_after == timedelta(hours=2)
    assert s.lease == timedelta(seconds=60)
    seconds = Settings(_env_file=None, notifier_escalation_after=90)
    assert seconds.notifier_escalation_after == timedelta(seconds=90)
    assert s.smtp() is None
    assert s.link_base == s.ladder_url


def test_escalated_alert_names_the_officer_and_keeps_the_link() -> None:
    event = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet")
    for lang, prefix in (("zh", "【升级】"), ("en", "[Escalated] ")):
        original = render(event, "demotion", lang, b.BASE_URL)  # type: ignore[arg-type]
        up = escalated(original, "王敏")
        assert up.title == prefix + original.title
        assert up.body_text.splitlines()[0] == up.title and "王敏" in up.body_text
        assert up.link == original.link and up.severity == "critical"
        assert original.body_text.splitlines()[2] in up.body_text
