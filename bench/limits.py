"""The machine's own limits, measured in the same run as the benchmarks beside them."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from loadgen import wrk

from shared.kafka import ensure_topics
from tracker.embedded import free_port

BENCH = Path(__file__).resolve().parent


def machine() -> dict[str, Any]:
    """Cores, memory and load average now."""
    mem = psutil.virtual_memory()
    return {"cpus": os.cpu_count(), "mem_total_gb": round(mem.total / 2**30, 1),
            "mem_available_gb": round(mem.available / 2**30, 1),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def percentile(values: list[float], pct: float) -> float | None:
    """The pct-th percentile (nearest rank) of values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 1)


def start_bare_asgi() -> tuple[subprocess.Popen[bytes], int]:
    """The bare ASGI app (bench/bare_asgi.py) in a process of its own, once it listens."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(BENCH / "bare_asgi.py"), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the bare ASGI app did not start") from None
            time.sleep(0.2)


def bare_asgi(seconds: float) -> dict[str, Any]:
    """Requests/s of a bare ASGI app returning a constant, under the services' server."""
    proc, port = start_bare_asgi()
    try:
        return wrk(f"http://127.0.0.1:{port}/", seconds=seconds)
    finally:
        proc.terminate()
        proc.wait(15)


async def topic_partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    """Every partition of topic, as the broker's metadata lists them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        return [TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))]
    finally:
        await producer.stop()


async def commit_rate(dsn: str, clients: int, seconds: float) -> dict[str, Any]:
    """Single-row autocommit INSERTs per second from `clients` connections at once: what
    group commit lets the disk do (each commit waits for its WAL flush)."""
    conns = [await asyncpg.connect(dsn) for _ in range(clients)]
    table = f"bench_commit_{uuid.uuid4().hex[:8]}"
    try:
        await conns[0].execute(f"CREATE TABLE {table} (id int, at timestamptz)")
        done = 0
        stop_at = time.perf_counter() + seconds

        async def client(conn: asyncpg.Connection) -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                await conn.execute(f"INSERT INTO {table} VALUES (1, now())")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(client(c) for c in conns))
        elapsed = time.perf_counter() - start
        await conns[0].execute(f"DROP TABLE {table}")
        return {"clients": clients, "tx_per_s": round(done / elapsed)}
    finally:
        for c in conns:
            await c.close()


async def kafka_round_trip(bootstrap: str, messages: int, paced_rate: int,
                           paced_seconds: float) -> dict[str, Any]:
    """Raw produce→consume through the same broker, on a topic of its own: the throughput of
    one producer (acks=all, idempotent, as the outbox relay) and one consumer reading it
    back, and the produce→consume latency at a paced rate."""
    topic = f"bench-raw-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], 3)  # as many partitions as the services' topics
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=True, linger_ms=5)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=100)
    await producer.start()
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        latencies: list[float] = []

        async def read(n: int) -> None:
            seen = 0
            while seen < n:
                batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
                now = time.time()
                for records in batch.values():
                    for r in records:
                        latencies.append((now - float(r.value.split(b" ")[0])) * 1000)
                    seen += len(records)

        payload = b" " + b"x" * 400  # about an event's size
        reader = asyncio.create_task(read(messages))
        start = time.perf_counter()
        for _ in range(messages):
            await producer.send(topic, str(time.time()).encode() + payload)
        await producer.flush()
        produced = time.perf_counter() - start
        await reader
        both = time.perf_counter() - start
        burst_p50 = statistics.median(latencies)

        latencies.clear()  # paced: what one message waits when the broker is not busy
        paced = int(paced_rate * paced_seconds)
        reader = asyncio.create_task(read(paced))
        for _ in range(paced):
            await producer.send(topic, str(time.time()).encode() + payload)
            await asyncio.sleep(1 / paced_rate)
        await reader
        return {"messages": messages, "produce_msgs_per_s": round(messages / produced),
                "produce_consume_msgs_per_s": round(messages / both),
                "burst_latency_p50_ms": round(burst_p50, 1),
                "paced_rate": paced_rate, "paced_latency_p50_ms": percentile(latencies, 50),
                "paced_latency_p99_ms": percentile(latencies, 99)}
    finally:
        await consumer.stop()
        await producer.stop()
