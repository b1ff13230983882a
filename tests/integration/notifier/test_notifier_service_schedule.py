"""Time-driven delivery with a movable clock: quiet hours, daily digests, escalation."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest

from notifier.config import Settings
from tests.integration.notifier.helpers import (
    FakeClock,
    bureau_time,
    consume,
    create_officer,
    deliveries,
    inbox,
    running,
    until,
)
from tests.integration.notifier_channels.receivers import HttpReceiver, SmtpServer
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def test_quiet_hours_hold_routine_alerts_but_not_critical_ones(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    clock = FakeClock(bureau_time(2025, 3, 10, 23, 0))
    async with running(make_settings(), clock) as (app, client):
        await create_officer(client, quiet_hours={"start": "22:00", "end": "08:00"},
                             channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        await consume(app, b.standing_event())  # a promotion: can wait for the morning
        await consume(app, b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet"))

        async def one_call() -> bool:
            return len(receiver.calls) == 1
        await until(one_call, what="the critical alert")
        assert receiver.calls[0].json()["kind"] == "demotion"
        (held,) = await deliveries(client, status="held")
        assert held["kind"] == "promotion"
        release = datetime.fromisoformat(held["next_attempt_at"])
        assert release == bureau_time(2025, 3, 11, 8, 0)
        await asyncio.sleep(0.3)
        assert len(receiver.calls) == 1  # still night: nothing else went out

        clock.now = bureau_time(2025, 3, 11, 8, 0) + timedelta(seconds=1)
        app.state.worker.wake()

        async def released() -> bool:
            return len(receiver.calls) == 2
        await until(released, what="the held alert at the end of quiet hours")
        assert receiver.calls[1].json()["kind"] == "promotion"
        assert await deliveries(client, status="held") == []


async def test_digest_alerts_go_out_as_one_email_at_digest_time(
    make_settings: Callable[..., Settings], smtp_server: SmtpServer,
) -> None:
    clock = FakeClock(bureau_time(2025, 3, 10, 8, 0))
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                             smtp_from="notifier@kjj.dl.gov.cn")
    async with running(settings, clock) as (app, client):
        officer = await create_officer(
            client, email="zhao@kjj.dl.gov.cn", channels=[{"kind": "email"}], digest_at="09:00",
            preferences={"promotion": "digest", "near_miss": "digest",
                         "filing_expiring": "digest"})
        for event in (b.standing_event(), b.near_miss(), b.filing_expiring()):
            await consume(app, event)
        assert len(await deliveries(client, status="digest")) == 3
        await asyncio.sleep(0.3)
        assert smtp_server.sink.envelopes == []

        clock.now = bureau_time(2025, 3, 10, 9, 0) + timedelta(seconds=1)
        app.state.worker.wake()

        async def mailed() -> bool:
            return len(smtp_server.sink.envelopes) == 1
        await until(mailed, what="the digest email")
        (envelope,) = smtp_server.sink.envelopes
        assert envelope.rcpt_tos == ["zhao@kjj.dl.gov.cn"]
        msg = email.message_from_bytes(envelope.original_content or b"",
                                       _class=EmailMessage, policy=email.policy.default)
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert "共 3 条提醒" in str(msg["Subject"])
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert text.count("https://ladder.test/v1/firms/") == 3

        async def settled() -> list[dict]:
            done = await deliveries(client, status="delivered")
            return done if len(done) == 4 else []
        done = await until(settled, what="the digest and its members to be delivered")
        assert sorted(d["kind"] for d in done) == sorted(
            ["digest", "promotion", "near_miss", "filing_expiring"])
        digest = next(d for d in done if d["kind"] == "digest")
        assert all(d["digest_id"] == digest["id"] for d in done if d is not digest)
        assert len((await inbox(client, officer["id"]))["items"]) == 3

        clock.advance(days=1)
        app.state.worker.wake()
        await asyncio.sleep(0.3)
        assert len(smtp_server.sink.envelopes) == 1  # nothing new: no empty digest


async def test_unacknowledged_critical_alert_escalates_once_to_the_supervisor(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    clock = FakeClock(bureau_time(2025, 3, 10, 10, 0))
    async with running(make_settings(notifier_escalation_after="PT1H"), clock) as (app, client):
        boss = await create_officer(client, name="李处长", districts=["changhai"],
                                    channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        officer = await create_officer(client, name="王敏", districts=["hitech"],
                                       supervisor_id=boss["id"])
        await consume(app, b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet"))
        await consume(app, b.standing_event("TierAtRisk", "at_risk", "gazelle", "gazelle",
                                            at_risk=True, failing=[b.failing()]))
        await consume(app, b.standing_event())  # a promotion never escalates
        items = (await inbox(client, officer["id"]))["items"]
        demotion = next(i for i in items if i["kind"] == "demotion")
        at_risk = next(i for i in items if i["kind"] == "at_risk")
        assert (await client.post(f"/v1/alerts/{at_risk['id']}/ack")).status_code == 200

        clock.advance(minutes=30)
        app.state.worker.wake()
        await asyncio.sleep(0.3)
        assert (await inbox(client, boss["id"]))["items"] == []

        clock.advance(minutes=31)
        app.state.worker.wake()

        async def escalated() -> list[dict]:
            return (await inbox(client, boss["id"]))["items"]
        (up,) = await until(escalated, what="the escalation")
        assert up["title"].startswith("【升级】") and up["escalation_of"] == demotion["id"]
        assert "王敏" in up["body"]

        async def pushed() -> bool:
            return len(receiver.calls) == 1
        await until(pushed, what="the supervisor's webhook")
        assert receiver.calls[0].json()["title"] == up["title"]
        original = (await client.get(f"/v1/alerts/{demotion['id']}")).json()
        assert original["escalated_to"] == boss["id"]

        clock.advance(hours=5)
        app.state.worker.wake()
        await asyncio.sleep(0.3)
        assert len((await inbox(client, boss["id"]))["items"]) == 1 and len(receiver.calls) == 1
