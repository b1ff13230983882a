"""An independent Kafka consumer for tests: read a topic until what we expect has arrived."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer


def _from_beginning(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=5, group_id=None,
    )


async def collect(
    bootstrap: str, topic: str, *, match: Callable[[dict[str, Any]], bool], count: int,
    timeout_s: float = 20.0,
) -> list[dict[str, Any]]:
    """Events on `topic` (from the beginning) that `match`, once `count` of them arrived."""
    consumer = _from_beginning(bootstrap, topic)
    await consumer.start()
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(found) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    event["_key"] = record.key.decode() if record.key else None
                    if match(event):
                        found.append(event)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return found


async def read_to_end(
    bootstrap: str, topic: str, *, until: Callable[[list[dict[str, Any]]], bool],
    timeout_s: float = 60.0,
) -> list[dict[str, Any]]:
    """Every event on `topic`, duplicates included: read from the beginning until `until`
    holds for what was read and every partition is read up to its end offset as of then."""
    consumer = _from_beginning(bootstrap, topic)
    await consumer.start()
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                found.extend(json.loads(r.value) for r in records)
            if batch or not until(found):
                continue
            assigned = list(consumer.assignment())
            if not assigned:
                continue
            ends = await consumer.end_offsets(assigned)
            if all([await consumer.position(tp) >= ends[tp] for tp in assigned]):
                return found
        raise AssertionError(f"{topic}: read {len(found)} events; what was wanted never came")
    finally:
        await consumer.stop()
