"""`tracker kafka groups|describe|tail` runs Apache Kafka's own tools against a real broker: a
consumer group the services would form is listed, described with its members' client ids, and
a topic's messages are printed with their keys."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from shared.kafka import client_id, new_producer
from tests.conftest import broker_engine

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(broker_engine() == "tansu",
                                 reason="Tansu answers no group admin APIs")]


async def tracker(bootstrap: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a thread: the event loop keeps the test's consumer heartbeating meanwhile
    (a JVM tool takes seconds to start; a member silent for the session timeout is dropped)."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TRACKER_DATA_DIR": str(cwd)}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "tracker.cli", *args], capture_output=True,
        text=True, cwd=cwd, env=env, timeout=120, check=False)


async def test_groups_describe_and_tail_through_kafkas_own_tools(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    topic, group = f"t-{uuid.uuid4().hex[:10]}", f"g-{uuid.uuid4().hex[:10]}"
    producer = new_producer(kafka_bootstrap)
    await producer.start()
    try:
        for i in range(3):
            await producer.send_and_wait(topic, f"m{i}".encode(), key=f"k{i}".encode())
    finally:
        await producer.stop()
    member = client_id("ladder")
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group,
                                client_id=member, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        got = await consumer.getmany(timeout_ms=10_000)
        while sum(len(v) for v in got.values()) < 1:
            got = await consumer.getmany(timeout_ms=10_000)
        await consumer.commit()

        listed = await tracker(kafka_bootstrap, "kafka", "groups", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert group in listed.stdout.split()
        described = await tracker(kafka_bootstrap, "kafka", "describe", group, cwd=tmp_path)
        assert described.returncode == 0, described.stderr
        assert topic in described.stdout and member in described.stdout, described.stdout
    finally:
        await consumer.stop()

    tailed = await tracker(kafka_bootstrap, "kafka", "tail", topic, "--from-beginning",
                     "--max-messages", "3", cwd=tmp_path)
    assert tailed.returncode == 0, tailed.stderr
    for i in range(3):
        assert f"k{i}" in tailed.stdout and f"m{i}" in tailed.stdout, tailed.stdout
