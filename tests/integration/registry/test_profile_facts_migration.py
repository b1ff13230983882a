"""Migration 004: a registry's existing firms and change events become dated profile facts
(valid from the dates the events carry), on a real PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

import registry
from shared.db import database_url_for, ensure_database, migrate, migration_files

pytestmark = pytest.mark.integration
MIGRATIONS = Path(registry.__file__).resolve().parents[1] / "migrations"
FIRM = uuid.UUID("3f0c2f9e-8a41-4b7e-9a55-1c2d3e4f5a6b")


async def test_existing_events_become_facts_valid_from_their_dates(pg_server_url: str) -> None:
    name = f"t_registry_mig_{uuid.uuid4().hex[:12]}"
    await ensure_database(pg_server_url, name)
    dsn = database_url_for(pg_server_url, name)
    files = migration_files(MIGRATIONS)
    before = [f for f in files if not f[0].endswith("004_profile_facts.sql")]
    await migrate(dsn, before)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO firms (id, uscc, name, district, industry, founded_on, company_kind,"
            " abnormal_list, sequence) VALUES ($1, '91210200MA0QC2PX3M', '大连星海', 'hitech',"
            " 'next_gen_it', '2016-04-01', 'independent', true, 3)", FIRM)
        profile = {"id": str(FIRM), "uscc": "91210200MA0QC2PX3M", "name": "大连星海",
                   "district": "hitech", "industry": "next_gen_it", "founded_on": "2016-04-01",
                   "company_kind": "independent", "listed": False, "abnormal_list": False,
                   "dishonest_list": False}
        events = [
            ("FirmRegistered", 1, {"firm": profile}, datetime(2020, 1, 5, tzinfo=UTC)),
            ("FirmProfileChanged", 2, {"firm": {**profile, "district": "jinpu"},
                                       "changed": {"district": {"before": "hitech",
                                                                "after": "jinpu"}}},
             datetime(2021, 7, 9, 3, tzinfo=UTC)),  # written before changes carried a date
            ("ComplianceFlagChanged", 3, {"firm_id": str(FIRM), "flag": "abnormal_list",
                                          "value": True, "effective_on": "2022-03-01"},
             datetime(2022, 5, 2, tzinfo=UTC)),
        ]
        for event_type, seq, data, at in events:
            await conn.execute(
                "INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence,"
                " payload, created_at) VALUES ($1, 'registry.firm-events', $2, $3, $2, $4, $5,"
                " $6)", uuid.uuid4(), str(FIRM), event_type, seq,
                json.dumps({"event_type": event_type, "data": data}, ensure_ascii=False), at)
    finally:
        await conn.close()
    assert await migrate(dsn, files) == ["service/004_profile_facts.sql"]
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT field, value::text, valid_from, source, sequence"
                                " FROM profile_facts WHERE firm_id = $1 ORDER BY n", FIRM)
        firm = await conn.fetchrow("SELECT district, abnormal_list FROM firms WHERE id = $1",
                                   FIRM)
    finally:
        await conn.close()
    facts = [(r["field"], json.loads(r["value"]), r["valid_from"], r["source"], r["sequence"])
             for r in rows]
    registered = [f for f in facts if f[3] == "registered"]
    assert {f[0] for f in registered} == {"name", "district", "industry", "founded_on",
                                          "company_kind", "listed", "abnormal_list",
                                          "dishonest_list"}
    assert all(f[2] == date(2016, 4, 1) and f[4] == 1 for f in registered)
    assert [f for f in facts if f[3] == "migrated"] == [
        ("district", "jinpu", date(2021, 7, 9), "migrated", 2),
        ("abnormal_list", True, date(2022, 3, 1), "migrated", 3)]
    # the row holds what is valid today (the row said hitech: a stale value)
    assert (firm["district"], firm["abnormal_list"]) == ("jinpu", True)
