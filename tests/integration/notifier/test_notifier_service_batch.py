"""A consumed batch on the real PostgreSQL: routed set-based, duplicates found in one
statement, and a batch that fails goes message by message without losing or doubling any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from notifier.config import Settings
from shared.events import EventEnvelope
from tests.integration.notifier.helpers import consume, create_officer, deliveries, running
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration
HOOK = {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}


@dataclass
class Record:
    """What the Kafka subscriber hands the consumer for one message."""

    value: bytes
    key: bytes
    partition: int = 0
    offset: int = 0


def records(events: list[EventEnvelope]) -> list[Record]:
    return [Record(e.model_dump_json().encode(), e.subject.encode(), 0, i)
            for i, e in enumerate(events)]


async def test_a_batch_is_applied_at_once_and_repeats_count_as_duplicates(
        make_settings: Callable[..., Settings]) -> None:
    async with running(make_settings(notifier_worker_enabled=False)) as (app, client):
        officer = await create_officer(client, channels=[HOOK, {"kind": "email", "to": None}])
        seen_before, fresh = b.near_miss(), [b.standing_event() for _ in range(5)]
        assert await consume(app, seen_before) == "applied"
        woken: list[int] = []
        app.state.consumer.after_commit = _counting(app.state.consumer.after_commit, woken)
        batch = [*fresh, seen_before, fresh[0]]
        counts = await app.state.consumer.process_batch(records(batch))
        assert counts == {"applied": 5, "duplicate": 2, "dead_lettered": 0}
        assert len(woken) == 5
        queued = await deliveries(client, officer_id=officer["id"])
        assert len(queued) == 2 * 6 and {d["status"] for d in queued} == {"pending"}
        r = await client.get(f"/v1/officers/{officer['id']}/inbox", params={"limit": 500})
        assert len(r.json()["items"]) == 6


async def test_a_failing_batch_goes_message_by_message_and_applies_each_once(
        make_settings: Callable[..., Settings]) -> None:
    async with running(make_settings(notifier_worker_enabled=False)) as (app, client):
        await create_officer(client, channels=[HOOK])
        consumer = app.state.consumer

        async def broken(conn: Any, events: list[EventEnvelope]) -> list[Any]:
            await consumer.handle_batch_real(conn, events)  # written, then rolled back
            raise RuntimeError("one poison message in the batch")

        consumer.handle_batch_real, consumer.handle_batch = consumer.handle_batch, broken
        events = [b.near_miss() for _ in range(4)]
        counts = await consumer.process_batch(records(events))
        assert counts == {"applied": 4, "duplicate": 0, "dead_lettered": 0}
        assert len(await deliveries(client)) == 4
        again = await consumer.process_batch(records(events))
        assert again == {"applied": 0, "duplicate": 4, "dead_lettered": 0}


def _counting(after_commit: Any, calls: list[int]) -> Any:
    async def counted(event: EventEnvelope, result: Any) -> None:
        calls.append(len(result))
        await after_commit(event, result)
    return counted
