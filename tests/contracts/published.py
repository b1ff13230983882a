"""Every event on the public topics checked against the JSON Schema its type exports."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator

from shared.events import SCHEMA_VERSIONS, json_schemas
from shared.kafka import partitions_of
from shared.topics import ALL_TOPICS

_VALIDATORS = {name: Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
               for name, schema in json_schemas().items()}


def problems_of(value: bytes | None) -> tuple[str, list[str]]:
    """(event type, what is wrong with the message) against its exported schema."""
    try:
        body: Any = json.loads(value or b"")
    except ValueError as exc:
        return "?", [f"not JSON: {exc}"]
    kind = body.get("event_type", "?") if isinstance(body, dict) else "?"
    version = body.get("schema_version") if isinstance(body, dict) else None
    if kind not in SCHEMA_VERSIONS or version != SCHEMA_VERSIONS[kind]:
        return kind, [f"no exported schema for {kind} v{version}"]
    errors = _VALIDATORS[f"{kind}.v{version}"].iter_errors(body)
    return kind, [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors]


async def _read_all(bootstrap: str) -> tuple[Counter[str], list[str]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_wait_ms=5)
    await consumer.start()
    seen: Counter[str] = Counter()
    failures: list[str] = []
    try:
        tps = await partitions_of(consumer, ALL_TOPICS)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        # read until the broker has nothing more, not to its end offsets: Tansu's can lag
        quiet = 0
        while quiet < 2:
            batch = await consumer.getmany(timeout_ms=1000, max_records=2000)
            quiet = 0 if any(batch.values()) else quiet + 1
            for tp, records in batch.items():
                for r in records:
                    kind, wrong = problems_of(r.value)
                    seen[kind] += 1
                    failures += [f"{tp.topic}/{tp.partition}/{r.offset} {kind}: {w}" for w in wrong]
    finally:
        await consumer.stop()
    return seen, failures


def check_published(bootstrap: str) -> Counter[str]:
    """Read the three topics to their end; fail on any event its schema refuses. Returns the
    count per type. (Runs its own loop in a thread: callers may be inside one, e.g. Playwright.)"""
    with ThreadPoolExecutor(1) as pool:
        seen, failures = pool.submit(asyncio.run, _read_all(bootstrap)).result()
    assert not failures, f"{len(failures)} published event(s) break their schema:\n" + \
        "\n".join(failures[:20])
    return seen
