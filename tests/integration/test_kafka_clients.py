"""The embedded broker is a normal Kafka cluster to standard clients: the group admin APIs,
consumer lag from committed offsets, an idempotent producer, and a librdkafka consumer."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.kafka import new_producer
from shared.lag import LAG, LagMonitor
from tracker.embedded import KafkaBroker, free_port

pytestmark = pytest.mark.integration


async def _topic(bootstrap: str, partitions: int = 3) -> str:
    name = f"t-{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()
    return name


async def _produce(bootstrap: str, topic: str, n: int, partition: int = 0) -> None:
    producer = new_producer(bootstrap)  # idempotent, acks=all: what the relays run
    await producer.start()
    try:
        for i in range(n):
            await producer.send_and_wait(topic, f"m{i}".encode(), partition=partition)
    finally:
        await producer.stop()


async def _consume_and_commit(bootstrap: str, topic: str, group: str, n: int) -> None:
    """Read `n` records of partition 0 as a member of `group`, then commit exactly there."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        seen = 0
        deadline = time.monotonic() + 30
        while seen < n and time.monotonic() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=500, max_records=n - seen)
            seen += len(batch.get(tp, []))
        assert seen == n
        await consumer.commit({tp: n})
    finally:
        await consumer.stop()


async def test_group_admin_calls_list_the_group_and_its_committed_offsets(
        kafka_bootstrap: str) -> None:
    topic, group = await _topic(kafka_bootstrap), f"g-{uuid.uuid4().hex[:8]}"
    await _produce(kafka_bootstrap, topic, 5)
    await _consume_and_commit(kafka_bootstrap, topic, group, 3)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert group in {g for g, _protocol in await admin.list_consumer_groups()}
        offsets = await admin.list_consumer_group_offsets(group)
        assert {tp: o.offset for tp, o in offsets.items()} == {TopicPartition(topic, 0): 3}
    finally:
        await admin.close()


async def test_lag_comes_from_the_committed_offsets(kafka_bootstrap: str) -> None:
    topic, group = await _topic(kafka_bootstrap), f"g-{uuid.uuid4().hex[:8]}"
    idle = f"g-{uuid.uuid4().hex[:8]}"  # never committed: lags by all the topic holds
    await _produce(kafka_bootstrap, topic, 7)
    await _produce(kafka_bootstrap, topic, 2, partition=1)
    await _consume_and_commit(kafka_bootstrap, topic, group, 4)
    monitor = LagMonitor(kafka_bootstrap, [(group, topic), (idle, topic)])
    try:
        assert await monitor.lag(group, topic) == {0: 3, 1: 2, 2: 0}
        assert await monitor.lag(idle, topic) == {0: 7, 1: 2, 2: 0}
        await monitor.measure()
    finally:
        await monitor.close()
    assert LAG.labels(group, topic, "0")._value.get() == 3  # what /metrics shows


async def test_an_idempotent_producer_is_accepted(kafka_bootstrap: str) -> None:
    topic = await _topic(kafka_bootstrap, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True,
                                acks="all")
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, b"once")
    finally:
        await producer.stop()
    assert meta.offset == 0


async def test_a_librdkafka_consumer_is_assigned_its_partitions_promptly(
        kafka_bootstrap: str) -> None:
    """Tansu kept one waiting 23 s; other bureau systems use librdkafka. 15 s is the bound the
    issue sets ("within a few seconds") with room for a loaded machine, not a benchmark."""
    from confluent_kafka import Consumer

    topic, group = await _topic(kafka_bootstrap), f"g-{uuid.uuid4().hex[:8]}"
    await _produce(kafka_bootstrap, topic, 1)

    def subscribe_and_read() -> tuple[float, bytes | None]:
        consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group,
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        started = time.monotonic()
        assigned: list[float] = []
        consumer.subscribe([topic], on_assign=lambda *_: assigned.append(time.monotonic()))
        try:
            while time.monotonic() - started < 15:
                msg = consumer.poll(0.2)
                if msg is not None and msg.error() is None:
                    return assigned[0] - started, msg.value()
            return float("inf"), None
        finally:
            consumer.close()

    waited, value = await asyncio.to_thread(subscribe_and_read)
    assert value == b"m0"
    assert waited < 15


async def test_records_and_committed_offsets_survive_a_restart(tmp_path: Path) -> None:
    broker = KafkaBroker(free_port(), tmp_path / "kafka")
    bootstrap = await asyncio.to_thread(broker.start)
    try:
        topic, group = await _topic(bootstrap), f"g-{uuid.uuid4().hex[:8]}"
        await _produce(bootstrap, topic, 4)
        await _consume_and_commit(bootstrap, topic, group, 3)
        await asyncio.to_thread(broker.stop)
        cluster_id = (tmp_path / "kafka" / "cluster-id").read_text()
        await asyncio.to_thread(broker.start)  # formatted once: the same cluster, the same log
        assert (tmp_path / "kafka" / "cluster-id").read_text() == cluster_id
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            batch: dict[TopicPartition, list[object]] = {}
            deadline = time.monotonic() + 30
            while not batch and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
        finally:
            await consumer.stop()
        assert [r.value for r in batch[TopicPartition(topic, 0)]] == [b"m3"]  # resumes at 3
    finally:
        await asyncio.to_thread(broker.stop)


async def test_a_broker_left_running_by_a_killed_stack_is_stopped_before_a_new_start(
        tmp_path: Path) -> None:
    port = free_port()
    left = KafkaBroker(port, tmp_path / "kafka")  # its stack "dies": nobody calls stop()
    bootstrap = await asyncio.to_thread(left.start)
    topic = await _topic(bootstrap)
    await _produce(bootstrap, topic, 1)
    assert left.process is not None
    orphan = left.process.pid
    broker = KafkaBroker(port, tmp_path / "kafka")
    try:
        await asyncio.to_thread(broker.start)
        assert broker.process is not None and broker.process.pid != orphan
        assert left.process.poll() is not None  # stopped, not left beside the new one
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap,
                                    auto_offset_reset="earliest")
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), 30)
        finally:
            await consumer.stop()
        assert record.value == b"m0"  # the same log dirs, handed over cleanly
    finally:
        await asyncio.to_thread(broker.stop)
        await asyncio.to_thread(left.stop)
