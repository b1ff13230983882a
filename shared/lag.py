"""Consumer lag from the broker's committed offsets, as `kafka-consumer-groups --describe` shows
it: what a group has yet to commit, whichever member (or none) holds the partition."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

from shared.kafka import partitions_of

log = logging.getLogger(__name__)
LAG = Gauge("consumer_lag_messages",
            "Messages between the group's committed offset and the partition's end (broker view)",
            ["group", "topic", "partition"],
            # every process of a service measures the same broker figure: show the latest one
            multiprocess_mode="mostrecent")


class LagMonitor:
    """Measures the lag of (group, topic) pairs every `every_s` seconds into LAG."""

    def __init__(self, bootstrap: str, pairs: list[tuple[str, str]], *, every_s: float = 5.0):
        self.bootstrap, self.pairs, self.every_s = bootstrap, pairs, every_s
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def lag(self, group: str, topic: str) -> dict[int, int]:
        """Lag per partition; a group that committed nothing yet lags by all the topic holds."""
        admin, consumer = await self._clients()
        committed = await admin.list_consumer_group_offsets(group)
        tps = await partitions_of(consumer, [topic])
        end = await consumer.end_offsets(tps)
        begin = await consumer.beginning_offsets(tps)
        result = {}
        for tp in tps:
            done = committed.get(tp)
            start = done.offset if done is not None and done.offset >= 0 else begin[tp]
            result[tp.partition] = max(0, end[tp] - start)
        return result

    async def measure(self) -> None:
        """Set LAG for every pair once."""
        for group, topic in self.pairs:
            for partition, lag in (await self.lag(group, topic)).items():
                LAG.labels(group, topic, str(partition)).set(lag)

    async def run(self) -> None:
        """Measure until cancelled; a broker that cannot answer (Tansu) is logged, not fatal."""
        failed = False
        try:
            while True:
                try:
                    await self.measure()
                    failed = False
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - lag is a metric, not a duty
                    if not failed:
                        log.warning("cannot measure consumer lag: %r", exc)
                    failed = True
                    await self.close()
                await asyncio.sleep(self.every_s)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the clients (reopened on the next measurement)."""
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if admin is not None:
            await admin.close()
        if consumer is not None:
            await consumer.stop()

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
            await admin.start()
            await consumer.start()
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer
