"""Benchmark: end-to-end consume throughput of the ladder; prints one JSON line.

Usage: python bench/bench_ladder_consume.py [--firms N] [--timeout S] [--seed S]

Starts an embedded PostgreSQL (or uses DATABASE_URL) and an Apache Kafka broker of its own,
creates a fresh, migrated ladder database, and produces N firms' registry events
(default 2,000 x (1 FirmRegistered + 4 AnnualReportFiled, FY2018-2021) = 10,000 events;
valid envelopes, per-firm sequences 1..5, key = firm id) onto `registry.firm-events`.
Then it starts the ladder in-process (`build_app(settings)` and its lifespan: pool, outbox
relay, FastStream consumer) and times until every firm's `firms.last_sequence` is 5.

In the same run, the machine's limits:
  (a) raw transport: a plain AIOKafkaConsumer (fetch_max_wait_ms=5, no group) reading the
      same N messages to the end; and, for reference, `parse_event` of every message;
  (b) the disk's commit limit: single-row autocommit INSERTs (each one fsync'd WAL flush)
      on one connection of the same PostgreSQL, before and after the ladder run.
Reported: events/s (wall, from app start incl. the consumer-group join; and steady, from
the first applied event), and the ratio to each limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "services" / "ladder", ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from bench_ladder_rules import machine_summary, make_firm

from ladder.app import build_app
from ladder.config import Settings
from ladder.domain.facts import AnnualReport
from shared.codes import DISTRICTS, INDUSTRIES
from shared.events import (
    AnnualReportData,
    AnnualReportFiled,
    AnnualReportFiledData,
    AnyEvent,
    Draft,
    FirmProfile,
    FirmRegistered,
    FirmRegisteredData,
    parse_event,
)
from shared.kafka import ensure_topics
from shared.settings import database_url_for
from shared.topics import ALL_TOPICS, FIRM_EVENTS
from tests.conftest import fresh_database
from tests.factories import random_uscc
from tracker.embedded import EmbeddedBroker, free_port

FISCAL_YEARS = (2018, 2019, 2020, 2021)
TODAY = date(2022, 6, 30)  # the ladder's clock: round year 2022, FY2021 the latest
PARTITIONS = 3  # the services' default KAFKA_PARTITIONS


def registry_events(n: int, seed: int) -> list[tuple[bytes, bytes]]:
    """(key, value) of n firms' events in registry order: registered, then FY2018-2021 reports."""
    rng = random.Random(seed)
    kinds = ["eaglet"] * (n // 6) + ["gazelle"] * (n // 30) + ["unicorn"] * max(1, n // 1200)
    kinds += ["other"] * (n - len(kinds))
    rng.shuffle(kinds)
    out: list[tuple[bytes, bytes]] = []
    for i, kind in enumerate(kinds[:n]):
        while True:  # a firm with a report for each of the four years
            f = make_firm(rng, i, kind)
            if all(y in f.reports for y in FISCAL_YEARS):
                break
        fid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        firm = {"id": fid, "uscc": random_uscc(rng), "name": f"大连压测科技{i:06d}有限公司",
                "district": rng.choice(DISTRICTS), "industry": rng.choice(INDUSTRIES),
                "founded_on": f.founded_on, "company_kind": f.company_kind, "listed": f.listed,
                "abnormal_list": f.abnormal_list, "dishonest_list": f.dishonest_list}
        events: list[AnyEvent] = [Draft(FirmRegistered, fid, FirmRegisteredData(
            firm=FirmProfile.model_validate(firm))).numbered(1)]
        for seq, fy in enumerate(FISCAL_YEARS, start=2):
            r = f.reports[fy]
            report = {k: getattr(r, k) for k in AnnualReport.__slots__}
            events.append(Draft(AnnualReportFiled, fid, AnnualReportFiledData(
                firm_id=uuid.UUID(fid), report=AnnualReportData.model_validate(report)))
                .numbered(seq))
        out += [(fid.encode(), e.model_dump_json().encode()) for e in events]
    return out


async def produce(bootstrap: str, messages: list[tuple[bytes, bytes]]) -> float:
    """Send every message (acks=all, as the outbox relay does); returns seconds."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                max_batch_size=256 * 1024)
    await producer.start()
    try:
        start = time.perf_counter()
        futures = [await producer.send(FIRM_EVENTS, value=v, key=k) for k, v in messages]
        await asyncio.gather(*futures)
        return time.perf_counter() - start
    finally:
        await producer.stop()


async def raw_consume(bootstrap: str, n: int) -> float:
    """Seconds for a plain consumer (no group, fetch_max_wait_ms=5) to read n messages."""
    consumer = AIOKafkaConsumer(FIRM_EVENTS, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=5)
    await consumer.start()
    try:
        seen = 0
        start = time.perf_counter()
        while seen < n:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return time.perf_counter() - start
    finally:
        await consumer.stop()


async def commit_rate(dsn: str, n: int) -> tuple[float, dict[str, str]]:
    """Single-row autocommit INSERTs per second on one connection (one WAL flush each)."""
    conn = await asyncpg.connect(dsn)
    try:
        settings = {k: await conn.fetchval(f"SHOW {k}")
                    for k in ("fsync", "synchronous_commit", "wal_sync_method", "commit_delay")}
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_commit (id int, at timestamptz)")
        start = time.perf_counter()
        for i in range(n):
            await conn.execute("INSERT INTO bench_commit VALUES ($1, now())", i)
        elapsed = time.perf_counter() - start
        await conn.execute("DROP TABLE bench_commit")
        return n / elapsed, settings
    finally:
        await conn.close()


async def run_ladder(server_url: str, database: str, bootstrap: str, dsn: str, firms: int,
                     events: int, timeout_s: float) -> dict[str, Any]:
    """Start the ladder in-process and time until every firm's last_sequence is 5."""
    settings = Settings(database_url=server_url, database_name=database,
                        kafka_bootstrap_servers=bootstrap, tracker_admin_token="x",
                        consumer_group=f"ladder-bench-{uuid.uuid4().hex[:8]}")
    app = build_app(settings, clock=lambda: TODAY)
    probe = await asyncpg.connect(dsn)
    out: dict[str, Any] = {}
    try:
        start = time.perf_counter()
        async with app.router.lifespan_context(app):
            out["app_start_s"] = round(time.perf_counter() - start, 3)
            first_t, first_n, done, applied = None, 0, 0, 0
            while True:
                now = time.perf_counter()
                applied = await probe.fetchval("SELECT count(*) FROM processed_events")
                if applied and first_t is None:
                    first_t, first_n = now, applied
                done = await probe.fetchval(
                    "SELECT count(*) FROM firms WHERE last_sequence = $1", len(FISCAL_YEARS) + 1)
                if done >= firms or now - start > timeout_s:
                    break
                await asyncio.sleep(0.1)
            end = time.perf_counter()
            out["outbox_rows"] = await probe.fetchval("SELECT count(*) FROM outbox")
        wall = end - start
        steady = end - first_t if first_t is not None else None
        out.update({
            "completed": done >= firms,
            "firms_caught_up": done,
            "events_applied": applied,
            "wall_s": round(wall, 3),
            "first_event_applied_after_s": round(first_t - start, 3) if first_t else None,
            "steady_s": round(steady, 3) if steady else None,
            "events_per_s_wall": round(applied / wall, 1),
            "events_per_s_steady": round((applied - first_n) / steady, 1) if steady else None,
            "decisions": await probe.fetchval("SELECT count(*) FROM decisions"),
            "dead_letters": await probe.fetchval("SELECT count(*) FROM dead_letters"),
            "tiers": {r["tier"]: r["n"] for r in await probe.fetch(
                "SELECT tier, count(*) AS n FROM standings GROUP BY tier ORDER BY tier")},
        })
        return out
    finally:
        await probe.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"bench": "ladder_consume", "firms": args.firms,
                           "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    tmp: Path | None = None
    pg = None
    broker = EmbeddedBroker(free_port())
    try:
        if url := os.environ.get("DATABASE_URL"):
            server_url = url
        else:
            from tracker.embedded import EmbeddedPostgres

            tmp = Path(tempfile.mkdtemp(prefix="ctb-", dir="/tmp"))  # short unix-socket path
            pg = EmbeddedPostgres(tmp / "pg")
            server_url = pg.start()
        bootstrap = broker.start()
        database = await fresh_database(server_url, "ladder")
        dsn = database_url_for(server_url, database)
        await ensure_topics(bootstrap, list(ALL_TOPICS), PARTITIONS)

        t = time.perf_counter()
        messages = registry_events(args.firms, args.seed)
        out["generate_s"] = round(time.perf_counter() - t, 2)
        n = out["events"] = len(messages)
        produce_s = await produce(bootstrap, messages)
        out["produce_msgs_per_s"] = round(n / produce_s)

        # (a) the transport's limit on the same messages, and envelope parsing for reference
        raw_s = await raw_consume(bootstrap, n)
        t = time.perf_counter()
        for _, value in messages:
            parse_event(value)
        parse_s = time.perf_counter() - t
        del messages
        # (b) the disk's commit limit, before the ladder runs
        tx_before, pg_settings = await commit_rate(dsn, args.commits)

        ladder = await run_ladder(server_url, database, bootstrap, dsn, args.firms, n,
                                  args.timeout)
        tx_after, _ = await commit_rate(dsn, args.commits)

        tx_limit = max(tx_before, tx_after)
        raw_rate = n / raw_s
        rate = ladder["events_per_s_steady"] or ladder["events_per_s_wall"]
        out.update({
            "ladder": ladder,
            "events_per_s": rate,
            "events_per_s_wall_incl_startup": ladder["events_per_s_wall"],
            "limit_raw_consume_msgs_per_s": round(raw_rate),
            "limit_parse_event_per_s": round(n / parse_s),
            "limit_commit_tx_per_s": round(tx_limit),
            "commit_tx_per_s_before_after": [round(tx_before), round(tx_after)],
            "pg_settings": pg_settings,
            "ratio_vs_raw_consume": round(rate / raw_rate, 4),
            "ratio_vs_commit_limit": round(rate / tx_limit, 3),
        })
    finally:
        broker.stop()
        if pg is not None:
            pg.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    out.update(machine_summary())
    return out


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=2_000)
    parser.add_argument("--commits", type=int, default=2_000,
                        help="single-row transactions for the commit limit")
    parser.add_argument("--timeout", type=float, default=160.0,
                        help="stop waiting for the ladder after this many seconds")
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    with contextlib.redirect_stdout(sys.stderr):  # only the JSON line goes to stdout
        out = asyncio.run(run(args))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
