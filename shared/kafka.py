"""Kafka helpers: topics, producers and the end offsets used to notice a broker that lost data."""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.topics import dead_letter

log = logging.getLogger(__name__)


def client_id(service: str, *, pid: int | None = None, host: str | None = None) -> str:
    """The Kafka client id of one service process, `<service>-<host>-<pid>`: the broker's
    group and connection listings (`tracker kafka describe`) then say who each member is,
    not FastStream's generic `faststream-<version>`."""
    host = re.sub(r"[^A-Za-z0-9._-]", "_", host if host is not None else socket.gethostname())
    return f"{service}-{host}-{pid if pid is not None else os.getpid()}"


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int) -> None:
    """Create each topic and its dead-letter twin if missing (existing ones are kept as they are)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for topic in topics for t in (topic, dead_letter(topic)) if t not in existing]
        if wanted:
            try:
                await admin.create_topics([NewTopic(t, partitions, 1) for t in wanted])
            except TopicAlreadyExistsError:
                pass  # created concurrently by another service
    finally:
        await admin.close()


def new_producer(bootstrap: str, *, idempotent: bool = True) -> AIOKafkaProducer:
    """acks=all and, where the broker supports it, idempotence: a retried send adds no
    duplicate. Ordering per key holds because the relay sends one batch at a time and awaits it."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotent, linger_ms=2,
        max_request_size=4_194_304, request_timeout_ms=15_000,
    )


async def topic_end_offsets(bootstrap: str, topic: str) -> int:
    """Records ever written to a topic, summed over its partitions (the end offsets; retention
    moves only the beginning); 0 for a topic the broker does not know."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        tps = await partitions_of(consumer, [topic])
        if not tps:
            return 0
        end = await consumer.end_offsets(tps)
        return int(sum(end.values()))
    finally:
        await consumer.stop()


async def partitions_of(consumer: AIOKafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of `topics` from fresh metadata (a topic not created yet has none)."""
    cluster = await consumer._client.fetch_all_metadata()  # private: no public call refreshes all
    return [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())]
