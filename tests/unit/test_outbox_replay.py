"""`tracker outbox replay`: its arguments and what it tells the operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.cli import parser
from tracker.outbox_replay import parse_since, report

pytestmark = pytest.mark.unit


def test_since_is_utc_unless_it_says_otherwise() -> None:
    assert parse_since("2026-11-30") == datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_since("2026-11-30T08:00:00+08:00") == datetime(
        2026, 11, 30, 8, tzinfo=timezone(timedelta(hours=8)))


def test_the_command_takes_a_topic_and_refuses_a_bad_since(
        capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["outbox", "replay", "--topic", "registry.firm-events",
                                "--since", "2026-11-30"])
    assert (args.topic, args.since) == ("registry.firm-events", datetime(2026, 11, 30, tzinfo=UTC))
    with pytest.raises(SystemExit):
        parser().parse_args(["outbox", "replay", "--topic", "t", "--since", "last week"])
    assert "--since" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser().parse_args(["outbox", "replay"])  # --topic is required


def test_the_report_says_where_events_were_queued_or_that_none_were() -> None:
    code, message = report("ladder.standing-events", {"registry": 0, "ladder": 12, "notifier": 0})
    assert code == 0 and "12 event(s) of ladder.standing-events" in message
    assert "ladder: 12" in message and "registry" not in message
    code, message = report("typo.topic", {"registry": 0, "ladder": 0, "notifier": 0})
    assert code == 1 and "nothing to replay" in message
