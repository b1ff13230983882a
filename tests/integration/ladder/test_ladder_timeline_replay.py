"""The stored timeline is a function of the facts: replays, another order, and a kill -9 in
the middle of processing all end with the same stored timeline (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import sys
import textwrap
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ladder import handlers
from ladder.domain.rulebook import default_rulebook
from ladder.repository import UnitOfWork
from shared.db import create_pool
from shared.events import EventEnvelope, make_event, parse_event
from shared.settings import database_url_for
from tests.conftest import fresh_database
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.integration
TODAY = date(2025, 12, 1)
SNAPSHOT = ("SELECT firm_id, on_date, position, change, from_tier, to_tier, unicorn_grade,"
            " at_risk, filed_on, expires_on, override FROM decisions WHERE current"
            " ORDER BY firm_id, position")


def _history(seed: int) -> list[EventEnvelope]:
    """Three firms' registry events: dated reports, a late report, a restatement, a flag."""
    rng = random.Random(seed)
    events: list[EventEnvelope] = []
    for n in range(3):
        firm_id = str(uuid.uuid4())
        def event(event_type: str, data: dict[str, Any], firm_id: str = firm_id) -> None:
            sequence = 1 + sum(e.subject == firm_id for e in events)
            events.append(make_event(event_type, producer="registry", subject=firm_id,
                                     sequence=sequence, data=data))

        event("FirmRegistered", {"firm": {"id": firm_id, **firm_payload(founded_on="2016-03-01")}})
        ip = {fy: rng.choice((0, 1)) for fy in range(2018, 2025)}
        ip[2021] = 1
        for fy in (2021, 2018, 2019, 2020, 2022, 2023, 2024):  # FY2018-2020 filed late
            filed = f"{fy + 1}-0{rng.randint(3, 6)}-1{rng.randint(0, 9)}" if fy >= 2021 \
                else "2023-07-01"
            event("AnnualReportFiled", {"firm_id": firm_id, "report": {
                "fiscal_year": fy, **report_payload(ip_class1=ip[fy], filed_on=filed)}})
        event("AnnualReportRestated", {"firm_id": firm_id, "report": {
            "fiscal_year": 2022, **report_payload(ip_class1=1 - ip[2022], filed_on="2023-05-02")},
            "previous": {"fiscal_year": 2022, **report_payload(ip_class1=ip[2022])}})
        if n == 2:
            event("ComplianceFlagChanged", {"firm_id": firm_id, "flag": "dishonest_list",
                                            "value": True, "effective_on": "2024-08-01"})
    return events


async def _apply(dsn: str, events: list[EventEnvelope]) -> None:
    pool = await create_pool(dsn)
    rulebook, uow = default_rulebook(), UnitOfWork(pool)
    try:
        for event in events:
            await handlers.on_firm_event(uow, event, rulebook=rulebook, today=TODAY)
    finally:
        await pool.close()


async def _snapshot(dsn: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    pool = await create_pool(dsn)
    try:
        rows = [tuple(r) for r in await pool.fetch(SNAPSHOT)]
        entries = [tuple(r) for r in await pool.fetch(
            "SELECT year, key, firm_id, entered_on, by_override FROM entries ORDER BY 1, 2, 3")]
        published = await pool.fetchval("SELECT count(*) FROM outbox")
        return rows, entries, int(published)
    finally:
        await pool.close()


def _reordered(events: list[EventEnvelope], seed: int) -> list[EventEnvelope]:
    """Another order that still registers each firm before its other facts."""
    rng = random.Random(seed)
    rest = [e for e in events if e.event_type != "FirmRegistered"]
    rng.shuffle(rest)
    return [e for e in events if e.event_type == "FirmRegistered"] + rest


async def test_replays_and_another_order_store_the_same_timeline(pg_server_url: str) -> None:
    events = _history(1)
    first = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    await _apply(first, events)
    stored, entries, published = await _snapshot(first)
    assert {r[3] for r in stored} >= {"promoted", "revoked"}
    # the same events again, then again in another order: nothing changes, nothing is published
    await _apply(first, events)
    await _apply(first, _reordered(events, 2))
    assert await _snapshot(first) == (stored, entries, published)

    other = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    await _apply(other, _reordered(events, 3))
    again, other_entries, _ = await _snapshot(other)
    assert again == stored and other_entries == entries


_WORKER = textwrap.dedent("""
    import asyncio, json, sys
    from datetime import date
    from ladder import handlers
    from ladder.domain.rulebook import default_rulebook
    from ladder.repository import UnitOfWork
    from shared.db import create_pool
    from shared.events import parse_event

    async def main(dsn, path):
        pool = await create_pool(dsn)
        rulebook, uow = default_rulebook(), UnitOfWork(pool)
        for n, raw in enumerate(json.load(open(path)), start=1):
            await handlers.on_firm_event(uow, parse_event(raw), rulebook=rulebook,
                                         today=date.fromisoformat(sys.argv[3]))
            print(f"applied {n}", flush=True)
            await asyncio.sleep(0.2)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


async def test_kill_9_mid_stream_then_replay_gives_the_same_timeline(
        pg_server_url: str, tmp_path: Path) -> None:
    events = _history(4)
    clean = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    await _apply(clean, events)
    expected, expected_entries, _ = await _snapshot(clean)

    crashed = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    path = tmp_path / "events.json"
    path.write_text(json.dumps([e.model_dump(mode="json") for e in events]))
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, crashed, str(path),
                               TODAY.isoformat()], stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    loop = asyncio.get_running_loop()
    for _ in range(len(events) // 2):  # half the stream, then the plug is pulled
        line = await loop.run_in_executor(None, worker.stdout.readline)
        assert line.startswith("applied"), line
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    partial, _, _ = await _snapshot(crashed)
    assert partial != expected  # it really stopped half-way

    # Kafka hands out everything after the last commit again: here, the whole stream
    await _apply(crashed, [parse_event(e.model_dump(mode="json")) for e in events])
    after, after_entries, _ = await _snapshot(crashed)
    assert after == expected and after_entries == expected_entries
