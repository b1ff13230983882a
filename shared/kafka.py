"""Kafka helpers: topics, producers and the counts used to notice a broker that lost data."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.topics import dead_letter

log = logging.getLogger(__name__)


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


def new_producer(bootstrap: str) -> AIOKafkaProducer:
    """acks=all, no idempotence (Tansu refuses InitProducerId); ordering per key holds
    because the relay sends one batch at a time and awaits it."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=2,
        max_request_size=4_194_304, request_timeout_ms=15_000,
    )


async def topic_message_count(bootstrap: str, topic: str) -> int | None:
    """Messages the broker holds on a topic now (end − beginning offsets); None if unknown."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = await consumer._client.fetch_all_metadata()  # noqa: SLF001 - no public call refreshes all
        ids = partitions.partitions_for_topic(topic)
        if not ids:
            return 0
        tps = [TopicPartition(topic, p) for p in ids]
        begin = await consumer.beginning_offsets(tps)
        end = await consumer.end_offsets(tps)
        return int(sum(end[tp] - begin[tp] for tp in tps))
    finally:
        await consumer.stop()
