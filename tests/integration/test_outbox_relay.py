"""The outbox relay through broker outages and a broker that lost everything."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared import outbox
from shared.db import create_pool
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS
from tests.conftest import fresh_database
from tests.kafka_helpers import collect
from tracker.embedded import EmbeddedBroker, free_port

pytestmark = pytest.mark.integration


async def _append_registered(pool, firm_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import firm_payload

    data = {"firm": {"id": firm_id, **firm_payload()}}
    async with pool.acquire() as conn, conn.transaction():
        await outbox.append(conn, topic=FIRM_EVENTS, event_type="FirmRegistered",
                            producer="registry", subject=str(firm_id), data=data)


async def _wait_published(pool, n: int, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout_s * 10)):
        if await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= n:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox rows not published in time")


async def test_relay_waits_out_a_broker_outage_and_refills_a_wiped_broker(pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    broker = EmbeddedBroker(free_port())
    relay = outbox.OutboxRelay(pool, dsn, broker.bootstrap, poll_s=0.2)
    firm_ids = [uuid.uuid4() for _ in range(3)]
    try:
        relay.start()  # broker not started yet: the relay must keep trying
        await _append_registered(pool, firm_ids[0])
        await asyncio.sleep(1.0)
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1

        broker.start()
        await _wait_published(pool, 1)
        await _append_registered(pool, firm_ids[1])
        await _wait_published(pool, 2)

        # the embedded broker keeps nothing across a restart; a restarted relay refills it
        await relay.stop()
        broker.stop()
        broker.start()
        await _append_registered(pool, firm_ids[2])
        relay = outbox.OutboxRelay(pool, dsn, broker.bootstrap, poll_s=0.2)
        relay.start()
        wanted = {str(f) for f in firm_ids}
        events = await collect(broker.bootstrap, FIRM_EVENTS, count=3,
                               match=lambda e: e["subject"] in wanted)
        assert {e["subject"] for e in events} == wanted
    finally:
        await relay.stop()
        broker.stop()
        await pool.close()


async def test_sequences_are_per_subject_and_gapless(pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    try:
        a, b = uuid.uuid4(), uuid.uuid4()
        await asyncio.gather(*(_append_registered(pool, f) for f in (a, b, a, a, b)))
        rows = await pool.fetch("SELECT subject, sequence FROM outbox ORDER BY subject, sequence")
        by_subject: dict[str, list[int]] = {}
        for r in rows:
            by_subject.setdefault(r["subject"], []).append(r["sequence"])
        assert by_subject == {str(a): [1, 2, 3], str(b): [1, 2]}
    finally:
        await pool.close()


async def test_a_clean_stop_publishes_what_is_pending(pg_server_url: str, fresh_broker: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    relay = outbox.OutboxRelay(pool, dsn, fresh_broker, poll_s=5.0)  # slow poll: no luck involved
    try:
        relay.start()
        firm_ids = [uuid.uuid4() for _ in range(20)]
        for firm_id in firm_ids:
            await _append_registered(pool, firm_id)
        await relay.stop(drain_s=30)  # generous: this is about draining, not about speed
        unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        assert unpublished == 0
    finally:
        await relay.stop()
        await pool.close()
    wanted = {str(f) for f in firm_ids}
    events = await collect(fresh_broker, FIRM_EVENTS, count=20, match=lambda e: e["subject"] in wanted)
    assert len(events) == 20
