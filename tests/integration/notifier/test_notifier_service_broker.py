"""Through the real broker and the app's own subscriber: duplicates still alert once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaProducer

from notifier.config import Settings
from shared.topics import ALERT_EVENTS
from tests.integration.notifier.helpers import create_officer, deliveries, inbox, running, until
from tests.integration.notifier_channels.receivers import HttpReceiver
from tests.kafka_helpers import collect
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def test_duplicate_event_on_kafka_delivers_once_per_officer(
    make_settings: Callable[..., Settings], receiver: HttpReceiver, kafka_bootstrap: str,
) -> None:
    settings = make_settings(notifier_subscribe=True)
    async with running(settings) as (app, client):
        first = await create_officer(client, name="甲", districts=["hitech"],
                                     channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        second = await create_officer(client, name="乙", industries=["next_gen_it"],
                                      channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        event = b.standing_event(firm=b.firm(district="hitech", industry="next_gen_it"))
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for _ in range(2):  # the same event twice, as an at-least-once upstream may send it
                await producer.send_and_wait(settings.notifier_events_topic,
                                             event.model_dump_json().encode(),
                                             key=event.subject.encode())
        finally:
            await producer.stop()

        async def both_delivered() -> bool:
            done = await deliveries(client, status="delivered")
            return len(done) == 2
        await until(both_delivered, timeout=90, what="two deliveries")

        async def duplicate_seen() -> bool:
            r = await client.get("/metrics")
            return 'outcome="duplicate"' in r.text and settings.notifier_consumer_group in r.text
        await until(duplicate_seen, timeout=60, what="the duplicate to be consumed")

        assert len(receiver.calls) == 2
        keys = {c.headers["idempotency-key"] for c in receiver.calls}
        assert len(keys) == 2
        for officer in (first, second):
            page = await inbox(client, officer["id"])
            assert len(page["items"]) == 1 and page["unread"] == 1
            assert page["items"][0]["link"].endswith(f"/v1/firms/{event.data.firm.id}/standing")
        alert_ids = {c.json()["alert_id"] for c in receiver.calls}
        published = await collect(
            kafka_bootstrap, ALERT_EVENTS, count=2,
            match=lambda e: e["event_type"] == "AlertDelivered"
            and e["data"]["alert_id"] in alert_ids)
        assert {e["data"]["alert_id"] for e in published} == alert_ids

        async def ready() -> bool:  # every subscriber (standings, entitlements) has joined
            return (await client.get("/readyz")).status_code == 200
        await until(ready, timeout=60, what="/readyz to answer 200")
        metrics = (await client.get("/metrics")).text
        assert 'notifier_deliveries_total{channel="webhook",status="delivered"}' in metrics
        assert "notifier_delivery_queue_depth" in metrics
