"""Outbox rows in doubt: sent to the broker, but the relay died (or lost its database) before it
marked them published. Sending them again would put each event on the topic twice, and
topics are a public interface (dashboards and bureau systems read them without our dedupe),
so a relay that starts looks for them on the broker first."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from aiokafka import AIOKafkaConsumer

from shared.db import DbConn
from shared.kafka import partitions_of

log = logging.getLogger(__name__)

# Kafka stamps a record when the producer sends it, always after its row was written (the
# row's created_at is its transaction's start); the margin only absorbs clock granularity.
MARGIN = timedelta(seconds=1)
# a relay must not hang on a partition that never reaches its end offset: past this, what
# was not found is sent (a duplicate at worst, which consumers drop)
READ_S = 30.0


async def event_ids_since(bootstrap: str, topic: str, since_ms: int) -> set[str]:
    """Event ids of the records on `topic` stamped at or after `since_ms`, up to its end now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                fetch_max_wait_ms=5, group_id=None)
    await consumer.start()
    try:
        tps = await partitions_of(consumer, [topic])
        if not tps:
            return set()
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.offsets_for_times({tp: since_ms for tp in tps})
        todo = {}
        for tp in tps:
            start = starts[tp].offset if starts[tp] is not None else ends[tp]
            if start < ends[tp]:
                consumer.seek(tp, start)
                todo[tp] = ends[tp]
        found: set[str] = set()
        deadline = time.monotonic() + READ_S
        while todo and time.monotonic() < deadline:
            batch = await consumer.getmany(*todo, timeout_ms=500)
            for records in batch.values():
                for record in records:
                    found.add(_event_id(record.value))
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    del todo[tp]
        found.discard("")
        return found
    finally:
        await consumer.stop()


def _event_id(value: bytes | None) -> str:
    try:
        return str(json.loads(value or b"")["event_id"])
    except (ValueError, KeyError, TypeError):
        return ""  # not one of our envelopes (a poison message someone else wrote)


async def mark_sent(conn: DbConn, bootstrap: str) -> int:
    """Mark unpublished rows whose events the broker already holds; returns how many."""
    marked = 0
    for row in await conn.fetch("SELECT topic, min(created_at) AS since FROM outbox"
                                " WHERE published_at IS NULL GROUP BY topic"):
        since_ms = int((row["since"] - MARGIN).timestamp() * 1000)
        held = await event_ids_since(bootstrap, row["topic"], since_ms)
        if not held:
            continue
        done = await conn.fetch(
            "UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND topic = $1"
            " AND event_id = ANY($2::uuid[]) RETURNING id", row["topic"], sorted(held))
        if done:
            log.warning("%d outbox rows of %s were on the broker already (sent before a crash); "
                        "marked published, not sent again", len(done), row["topic"],
                        extra={"topic": row["topic"]})
        marked += len(done)
    return marked
