"""The tier counts the consumer keeps (`tier_moves`) equal the from-scratch count of the city
for every year's end and for today, and the first filings it keeps on each standing (what the
cohorts read) equal those of the stored timelines, after promotions, demotions, corrections
from late facts, an override, a district change and replays; migrations 008 and 009 fill them
for an existing database (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import pytest

from ladder import handlers
from ladder.domain.cohorts import count_cohorts
from ladder.domain.rulebook import default_rulebook
from ladder.repository import Repository, UnitOfWork
from shared.auth import Ctx, Principal
from shared.db import create_pool, prepare_database
from shared.events import EventEnvelope
from shared.settings import database_url_for
from tests.conftest import fresh_database
from tests.integration.ladder.city import apply_batch, small_city

pytestmark = pytest.mark.integration
TODAY = date(2025, 12, 1)
YEARS = range(2014, 2027)
OFFICER = Ctx(Principal(key_id="k1", role="officer"), correlation_id="req-counts")


async def _apply(pool: Any, batch: list[EventEnvelope]) -> None:
    await apply_batch(pool, batch, TODAY)


def _rows(records: Any) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in records), key=repr)


async def _kept_equals_scratch(repo: Repository) -> dict[int | None, list[tuple[Any, ...]]]:
    """Every year's end and today: the kept counts equal the from-scratch ones (funnel's
    district x industry and summary's district with firms at risk); returns the funnel's."""
    seen: dict[int | None, list[tuple[Any, ...]]] = {}
    for year in [*YEARS, None]:
        day = None if year is None else date(year, 12, 31)
        kept = _rows(await repo.kept_funnel_counts(year))
        assert kept == _rows(await repo.funnel_counts(day)), year
        summary = await repo.kept_tier_counts(year)
        scratch = await (repo.tier_counts() if day is None else repo.tier_counts_as_of(day))
        assert [tuple(r) for r in summary] == [tuple(r) for r in scratch], year
        seen[year] = kept
    scratch = [(r["eaglet_on"], r["gazelle_on"]) for r in await repo.first_entries()
               if r["eaglet_on"] is not None]
    kept_entries = await repo.conn.fetch("SELECT first_eaglet_on, first_gazelle_on"
                                         " FROM standings WHERE first_eaglet_on IS NOT NULL")
    assert _rows(kept_entries) == _rows(scratch)
    assert await repo.cohort_counts() == count_cohorts(scratch)
    return seen


async def test_kept_counts_equal_the_city_counted_from_scratch(pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn)
    try:
        repo = Repository(pool)
        batches, late, ids = small_city(7)
        for batch in batches:
            await _apply(pool, batch)
            await _kept_equals_scratch(repo)
        before_late = await _kept_equals_scratch(repo)
        changes = {r["change"] for r in await pool.fetch("SELECT change FROM decisions")}
        assert {"promoted", "demoted"} <= changes or {"promoted", "revoked"} <= changes
        await _apply(pool, late)  # late facts: corrections, and a firm moves district
        counted = await _kept_equals_scratch(repo)
        assert await pool.fetchval("SELECT count(*) FROM decisions WHERE NOT current") > 0
        assert await pool.fetchval("SELECT count(*) FROM standings"
                                   " WHERE first_eaglet_on IS NOT NULL") > 0
        assert counted != before_late
        # the moved firm is counted in its new district in every year it stood on a tier
        assert any(r[0] == "lvshunkou" and r[2] != "none" for rows in counted.values()
                   for r in rows), counted
        assert not any(r[0] == "lvshunkou" for rows in before_late.values() for r in rows)
        # an override (and clearing it) moves today's counts through the same path
        firm = uuid.UUID(ids[0])
        await handlers.override(UnitOfWork(pool), OFFICER, firm, tier="leader",
                                unicorn_grade=None, reason="by hand", rulebook=default_rulebook(),
                                today=TODAY)
        overridden = await _kept_equals_scratch(repo)
        assert any(r[2] == "leader" for r in overridden[None])
        # replays of the same batches change nothing
        moves = _rows(await pool.fetch("SELECT * FROM tier_moves"))
        for batch in [*batches, late]:
            await _apply(pool, batch)
        assert _rows(await pool.fetch("SELECT * FROM tier_moves")) == moves
        await handlers.override(UnitOfWork(pool), OFFICER, firm, tier=None, unicorn_grade=None,
                                reason="lifted", rulebook=default_rulebook(), today=TODAY)
        assert await _kept_equals_scratch(repo) == counted
        # the kept rows are few: a handful per year, district, industry and tier
        assert await pool.fetchval("SELECT count(*) FROM tier_moves") < 200
    finally:
        await pool.close()


async def test_migration_fills_the_counts_of_an_existing_database(pg_server_url: str) -> None:
    from tracker.services import SERVICES

    name = await fresh_database(pg_server_url, "ladder")
    dsn = database_url_for(pg_server_url, name)
    pool = await create_pool(dsn)
    try:
        batches, late, _ = small_city(11)
        for batch in [*batches, late]:
            await _apply(pool, batch)
        repo = Repository(pool)
        kept = await _kept_equals_scratch(repo)
        # the database as it was before 008: no kept counts
        await pool.execute("DROP TABLE tier_moves")
        await pool.execute("ALTER TABLE standings DROP COLUMN counted_district,"
                           " DROP COLUMN counted_industry")
        await pool.execute("DELETE FROM schema_migrations WHERE name LIKE '%008_tier_counts%'")
        # and before 009: no first filings kept
        await pool.execute("ALTER TABLE standings DROP COLUMN first_eaglet_on,"
                           " DROP COLUMN first_gazelle_on")
        await pool.execute("DELETE FROM schema_migrations WHERE name LIKE '%009_cohort%'")
    finally:
        await pool.close()
    svc = next(s for s in SERVICES if s.name == "ladder")
    ran = await prepare_database(pg_server_url, name, svc.migrations)
    assert [m for m in ran if "008" in m] and [m for m in ran if "009" in m]
    pool = await create_pool(dsn)
    try:
        repo = Repository(pool)
        assert await _kept_equals_scratch(repo) == kept
        # and the consumer goes on from the backfilled counts
        batches, late, _ = small_city(12)
        await _apply(pool, batches[0])
        await _kept_equals_scratch(repo)
    finally:
        await pool.close()


async def test_batches_moving_the_same_counts_wait_for_each_other_never_deadlock(
        pg_server_url: str) -> None:
    """Rows are locked in key order: a batch that moves (k2, k1) while another holds k1 waits
    for k1 before it takes k2, so the holder can go on to k2 and commit."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn, min_size=2, max_size=2)
    k1, k2 = (2022, "hitech", "other", "eaglet", ""), (2022, "jinpu", "other", "eaglet", "")
    try:
        async with pool.acquire() as a, pool.acquire() as b:
            await Repository(a).move_tier_counts({k1: (1, 0), k2: (1, 0)})  # rows exist
            ta, tb = a.transaction(), b.transaction()
            await ta.start()
            await tb.start()
            await Repository(a).move_tier_counts({k1: (1, 0)})
            other = asyncio.create_task(Repository(b).move_tier_counts({k2: (1, 1), k1: (1, 1)}))
            await asyncio.sleep(0.3)  # b is waiting for k1 (holding nothing)
            assert not other.done()
            await asyncio.wait_for(Repository(a).move_tier_counts({k2: (1, 0)}), 5)
            await ta.commit()
            await asyncio.wait_for(other, 5)
            await tb.commit()
        rows = {tuple(r[:5]): (r["firms"], r["at_risk"])
                for r in await pool.fetch("SELECT * FROM tier_moves")}
        assert rows == {k1: (3, 1), k2: (3, 1)}
    finally:
        await pool.close()


async def test_the_database_counts_cohorts_as_the_domain_does(pg_server_url: str) -> None:
    """The cohorts counted in SQL equal `count_cohorts` on the same first entries, at the
    edges of a horizon: a gazelle filing on the day the horizon ends (29 February's ends on
    28 February), the day after, the day of the eaglet filing, and none."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn)
    try:
        batches, _, ids = small_city(3)
        for batch in batches:
            await _apply(pool, batch)
        edges = [(date(2020, 2, 29), date(2021, 2, 28)), (date(2020, 2, 29), date(2021, 3, 1)),
                 (date(2020, 5, 4), date(2023, 5, 4)), (date(2020, 5, 4), date(2023, 5, 5)),
                 (date(2021, 1, 1), date(2021, 1, 1)), (date(2021, 7, 1), None),
                 (None, date(2022, 1, 1))]
        await pool.execute("UPDATE standings SET first_eaglet_on = NULL,"
                           " first_gazelle_on = NULL")
        for firm_id, (eaglet_on, gazelle_on) in zip(ids, edges, strict=False):
            await pool.execute("UPDATE standings SET first_eaglet_on = $2, first_gazelle_on = $3"
                               " WHERE firm_id = $1", uuid.UUID(firm_id), eaglet_on, gazelle_on)
        rows = await pool.fetch("SELECT first_eaglet_on, first_gazelle_on FROM standings")
        counted = await Repository(pool).cohort_counts()
        assert counted == count_cohorts([(r[0], r[1]) for r in rows])
        assert counted == [(2020, 4, (1, 2, 3)), (2021, 2, (1, 1, 1))]
    finally:
        await pool.close()
