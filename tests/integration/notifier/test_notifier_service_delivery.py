"""The delivery queue against real local receivers: retries, failure, the retry action."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifier.config import Settings
from shared.topics import ALERT_EVENTS
from tests.integration.notifier.helpers import consume, create_officer, deliveries, running, until
from tests.integration.notifier_channels.receivers import HttpReceiver
from tests.kafka_helpers import collect
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def test_flaky_receiver_is_retried_and_every_attempt_recorded(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    async with running(make_settings()) as (app, client):
        await create_officer(client, channels=[
            {"kind": "webhook", "url": receiver.url("/flaky/a?fail=2")}])
        assert await consume(app, b.near_miss()) == "applied"

        async def delivered() -> list[dict]:
            return await deliveries(client, status="delivered")
        (row,) = await until(delivered, what="the flaky delivery")
        detail = (await client.get(f"/v1/deliveries/{row['id']}")).json()
        assert detail["attempts"] == 3
        assert [(a["attempt"], a["ok"], a["status_code"]) for a in detail["attempts_made"]] == [
            (1, False, 500), (2, False, 500), (3, True, 200)]
        assert {c.headers["idempotency-key"] for c in receiver.calls} == {row["id"]}


async def test_exhausted_delivery_fails_is_published_and_can_be_retried(
    make_settings: Callable[..., Settings], receiver: HttpReceiver, kafka_bootstrap: str,
) -> None:
    async with running(make_settings(notifier_max_attempts=3)) as (app, client):
        officer = await create_officer(client, channels=[
            {"kind": "webhook", "url": receiver.url("/status/503")}])
        await consume(app, b.standing_event())

        async def failed() -> list[dict]:
            return await deliveries(client, status="failed")
        (row,) = await until(failed, what="the delivery to fail")
        assert row["attempts"] == 3 and row["last_status_code"] == 503
        assert len(receiver.calls) == 3
        (event,) = await collect(
            kafka_bootstrap, ALERT_EVENTS, count=1,
            match=lambda e: e["event_type"] == "AlertFailed"
            and e["data"]["alert_id"] == row["alert_id"])
        assert event["data"]["attempts"] == 3 and "503" in event["data"]["error"]

        # Someone fixes the receiver's URL, then an admin retries: the current channel is used.
        fixed = await client.patch(f"/v1/officers/{officer['id']}", json={
            "channels": [{"kind": "webhook", "url": receiver.url("/ok")}]})
        assert fixed.status_code == 200, fixed.text
        retried = await client.post(f"/v1/deliveries/{row['id']}/retry")
        assert retried.status_code == 200 and retried.json()["status"] == "pending"

        async def delivered() -> list[dict]:
            return await deliveries(client, status="delivered")
        (done,) = await until(delivered, what="the retried delivery")
        assert done["id"] == row["id"] and done["attempts"] == 4
        again = await client.post(f"/v1/deliveries/{row['id']}/retry")
        assert again.status_code == 409


async def test_receiver_that_hangs_times_out_and_fails(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    settings = make_settings(notifier_max_attempts=2, notifier_delivery_timeout_s=0.3)
    async with running(settings) as (app, client):
        await create_officer(client, channels=[{"kind": "webhook", "url": receiver.url("/hang")}])
        await consume(app, b.filing_expiring())

        async def failed() -> list[dict]:
            return await deliveries(client, status="failed")
        (row,) = await until(failed, what="the hanging delivery to fail")
        detail = (await client.get(f"/v1/deliveries/{row['id']}")).json()
        assert [a["error"] for a in detail["attempts_made"]] == ["timed out after 0.3s"] * 2
        listed = await client.get("/v1/deliveries", params={"status": "failed"})
        assert [d["id"] for d in listed.json()["items"]] == [row["id"]]
