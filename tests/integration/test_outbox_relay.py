"""The outbox relay through broker outages, restarts, a broker that lost everything, and
`tracker outbox replay`."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared import outbox
from shared.db import create_pool
from shared.events import FirmRegistered, FirmRegisteredData
from shared.kafka import topic_end_offsets
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS
from tests.conftest import fresh_database
from tests.kafka_helpers import collect
from tracker.embedded import KafkaBroker, free_port
from tracker.outbox_replay import requeue

pytestmark = pytest.mark.integration


async def _append_registered(pool, firm_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import firm_payload

    data = {"firm": {"id": firm_id, **firm_payload()}}
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, FirmRegistered, subject=str(firm_id),
                         data=FirmRegisteredData.model_validate(data))


async def _wait_published(pool, n: int, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout_s * 10)):
        if await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= n:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox rows not published in time")


async def test_relay_waits_out_a_broker_outage_and_the_broker_keeps_it_across_a_restart(
        pg_server_url: str, tmp_path: Path) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    broker = KafkaBroker(free_port(), tmp_path / "kafka")
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

        # Kafka keeps its log across a restart: a restarted relay publishes only what is new
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
        await relay.stop()
        assert await topic_end_offsets(broker.bootstrap, FIRM_EVENTS) == 3  # none twice
    finally:
        await relay.stop()
        broker.stop()
        await pool.close()


async def test_a_broker_that_lost_its_data_is_reported_and_refilled_on_request(
        pg_server_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    port = free_port()
    broker = KafkaBroker(port, tmp_path / "first")
    broker.start()
    relay = outbox.OutboxRelay(pool, dsn, broker.bootstrap, poll_s=0.2)
    firm_ids = [uuid.uuid4() for _ in range(3)]
    try:
        relay.start()
        for firm_id in firm_ids[:2]:
            await _append_registered(pool, firm_id)
        await _wait_published(pool, 2)
        await relay.stop()
        broker.stop()

        broker = KafkaBroker(port, tmp_path / "wiped")  # same address, empty data dir
        broker.start()
        relay = outbox.OutboxRelay(pool, dsn, broker.bootstrap, poll_s=0.2)
        with caplog.at_level(logging.ERROR, logger="shared.outbox"):
            relay.start()
            await _append_registered(pool, firm_ids[2])
            await _wait_published(pool, 3)
            for _ in range(100):
                if await topic_end_offsets(broker.bootstrap, FIRM_EVENTS) == 1:
                    break
                await asyncio.sleep(0.1)
        lost = [r for r in caplog.records if "BROKER LOST DATA" in r.getMessage()]
        assert len(lost) == 1 and FIRM_EVENTS in lost[0].getMessage(), caplog.text
        # nothing was refilled by itself: only the new event is there
        assert await topic_end_offsets(broker.bootstrap, FIRM_EVENTS) == 1

        assert await requeue(dsn, FIRM_EVENTS) == 3
        wanted = {str(f) for f in firm_ids}
        events = await collect(broker.bootstrap, FIRM_EVENTS, count=4,
                               match=lambda e: e["subject"] in wanted)
        assert sorted(e["subject"] for e in events) == sorted([*wanted, str(firm_ids[2])])
    finally:
        await relay.stop()
        broker.stop()
        await pool.close()


async def test_replay_since_a_time_requeues_only_what_was_written_since(
        pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    try:
        old, new = uuid.uuid4(), uuid.uuid4()
        await _append_registered(pool, old)
        await pool.execute("UPDATE outbox SET created_at = now() - interval '2 days',"
                           " published_at = now() - interval '2 days'")
        await _append_registered(pool, new)
        await pool.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
        since = datetime.now(UTC) - timedelta(days=1)
        assert await requeue(dsn, FIRM_EVENTS, since) == 1
        pending = await pool.fetch("SELECT subject FROM outbox WHERE published_at IS NULL")
        assert [r["subject"] for r in pending] == [str(new)]
        assert await requeue(dsn, "no.such-topic") == 0
    finally:
        await pool.close()


async def test_a_stop_during_a_broker_outage_drains_once_the_broker_is_back(
        pg_server_url: str, tmp_path: Path) -> None:
    """The drain used to give up when the relay's first attempt had failed: `stop()` ended its
    retry loop, and every pending row stayed unpublished."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    broker = KafkaBroker(free_port(), tmp_path / "kafka")
    relay = outbox.OutboxRelay(pool, dsn, broker.bootstrap, poll_s=5.0)
    try:
        relay.start()
        for _ in range(5):
            await _append_registered(pool, uuid.uuid4())
        stopping = asyncio.create_task(relay.stop(drain_s=120))
        await asyncio.sleep(1.0)  # the relay has failed to reach the broker by now
        assert not stopping.done()
        await asyncio.to_thread(broker.start)
        await stopping
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
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


async def test_one_relay_per_database_and_a_standby_takes_over(
    pg_server_url: str, fresh_broker: str
) -> None:
    """The relay's lock lives on its own connection: a second relay stands by, a pooled
    connection going back to its pool (which sends no reset query) does not free the lock, and
    when the first relay stops the standby publishes what comes next."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn, max_size=4)
    first = outbox.OutboxRelay(pool, dsn, fresh_broker, poll_s=0.2)
    standby = outbox.OutboxRelay(pool, dsn, fresh_broker, poll_s=0.2)
    try:
        first.start()
        await _append_registered(pool, uuid.uuid4())
        await _wait_published(pool, 1)
        standby.start()
        for _ in range(10):  # pooled connections come and go while both run
            async with pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
            await asyncio.sleep(0.1)
        holders = await pool.fetchval(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        assert holders == 1 and first.connected and not standby.connected
        await first.stop(drain_s=10)
        await _append_registered(pool, uuid.uuid4())
        await _wait_published(pool, 2)
        assert standby.connected
    finally:
        await first.stop()
        await standby.stop()
        await pool.close()
