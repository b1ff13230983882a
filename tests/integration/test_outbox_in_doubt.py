"""A relay that died between sending a batch and marking it published sends it only once."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable

import pytest

from shared import outbox
from shared.db import create_pool
from shared.events import FirmRegistered, FirmRegisteredData
from shared.kafka import new_producer
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS
from tests.chaos.harness import until
from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.kafka_helpers import read_to_end

pytestmark = pytest.mark.integration


async def _none(count: Awaitable[int]) -> bool:
    return await count == 0


async def test_events_sent_before_a_crash_are_not_sent_again(
        pg_server_url: str, kafka_bootstrap: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    firms = [uuid.uuid4() for _ in range(3)]
    events = []
    async with pool.acquire() as conn, conn.transaction():
        for firm in firms:
            events.append(await outbox.add(
                conn, FirmRegistered, subject=str(firm),
                data=FirmRegisteredData.model_validate({"firm": {"id": firm, **firm_payload()}})))
    # what a relay killed right after its send left behind: two events on the broker, and
    # every row still unpublished
    producer = new_producer(kafka_bootstrap)
    await producer.start()
    for event in events[:2]:
        await producer.send_and_wait(FIRM_EVENTS, event.model_dump_json().encode(),
                                     key=event.subject.encode())
    await producer.stop()

    relay = outbox.OutboxRelay(pool, dsn, kafka_bootstrap, poll_s=0.2)
    relay.start()
    try:
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        await until(lambda: _none(pool.fetchval(unpublished)), "the relay to publish the rest",
                    timeout_s=60)
    finally:
        await relay.stop()
        await pool.close()
    wanted = {str(e.event_id) for e in events}
    on_topic = await read_to_end(kafka_bootstrap, FIRM_EVENTS,
                                 until=lambda found: wanted <= {f.get("event_id") for f in found})
    seen = Counter(f["event_id"] for f in on_topic if f.get("event_id") in wanted)
    assert seen == Counter(wanted), seen
