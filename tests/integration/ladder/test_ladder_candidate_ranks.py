"""Candidates ranked as facts change: the page read from `candidate_ranks` (kept by the
consumer, judged again by the daily check) equals the one judged from scratch; `year=`
judges a past year as of its end; `total` counts every page."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import date
from typing import Any

import pytest

from ladder.domain.rulebook import default_rulebook
from ladder.queries.tables import Filters, funnel, tier_key
from ladder.queries.targets import candidates, judge_city, targets
from ladder.repository import Repository
from shared.db import create_pool
from shared.settings import database_url_for
from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import Pair, growth_reports, pair

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)


async def _firm(p: Pair, reports: dict[int, dict], **profile: object) -> str:
    firm = (await p.registry.post("/v1/firms", json=firm_payload(**profile))).json()
    seq = firm["sequence"]
    for year, body in reports.items():
        seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}", json=body)).json()["sequence"]
    await p.caught_up(firm["id"], seq)
    return str(firm["id"])


def _near(base: int, revenue_2021: int) -> dict[int, dict]:
    reports = {y: dict(body) for y, body in growth_reports(base).items()}
    reports[2021].update(revenue=revenue_2021, sales_revenue=revenue_2021,
                         high_tech_revenue=revenue_2021 // 2, st_activity_investment=revenue_2021 // 20)
    return reports


async def test_precomputed_candidates_equal_the_ones_judged_from_scratch(
        pg_server_url: str, fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        made = [await _firm(p, growth_reports(), founded_on="2016-03-01", district="jinpu")]
        for i, (base, now) in enumerate([(12_500_000, 21_500_000), (12_500_000, 20_000_000),
                                         (15_000_000, 24_000_000), (11_000_000, 15_000_000)]):
            made.append(await _firm(p, _near(base, now), founded_on="2016-03-01",
                                    district=("jinpu", "hitech")[i % 2],
                                    industry=("next_gen_it", "other")[i % 2]))
        pool = await create_pool(database_url_for(pg_server_url, dbs[1]), max_size=2)
        try:
            rulebook = default_rulebook()
            judged = await pool.fetchrow("SELECT judged_on, rulebook_id FROM candidate_judgement")
            for _ in range(100):  # the ladder judges the city on its first minute
                if judged is not None:
                    break
                await asyncio.sleep(0.1)
                judged = await pool.fetchrow("SELECT judged_on, rulebook_id FROM candidate_judgement")
            assert judged is not None and judged["judged_on"] == TODAY
            assert await pool.fetchval("SELECT count(*) FROM candidate_ranks") >= 4

            async def both(**kw: object) -> None:
                args = {"district": None, "industry": None, "sort": "closest", "offset": 0,
                        "limit": 50, **kw}
                kept = await candidates(pool, rulebook, on=TODAY, **args)  # type: ignore[arg-type]
                scratch = await candidates(pool, rulebook, on=TODAY, from_scratch=True, **args)  # type: ignore[arg-type]
                assert kept.model_dump(mode="json") == scratch.model_dump(mode="json"), kw

            for tier in ("eaglet", "gazelle", "unicorn", "leader"):
                await both(tier=tier)
                await both(tier=tier, sort="gap")
            await both(tier="gazelle", district="jinpu")
            await both(tier="gazelle", industry="other")
            await both(tier="gazelle", offset=1, limit=2)

            # the open year's forecast reads the kept candidates, as judged from scratch
            await Repository(pool).put_targets(2022, {"gazelle": 30, "eaglet": 170}, "test")
            kept_targets = await targets(pool, rulebook, 2022, TODAY)
            assert kept_targets == await targets(pool, rulebook, 2022, TODAY, from_scratch=True)
            gazelle = next(i for i in kept_targets.items if i.tier == "gazelle")
            assert gazelle.forecast is not None and gazelle.forecast.expected > gazelle.achieved

            # the API reads the kept ranks: a page, its total, and the next page
            page = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "limit": 2})).json()
            assert page["total"] == 4 and len(page["items"]) == 2 and page["next_cursor"]
            rest = (await p.ladder.get("/v1/candidates", params={
                "tier": "gazelle", "limit": 2, "cursor": page["next_cursor"]})).json()
            assert {c["firm_id"] for c in page["items"] + rest["items"]} == set(made[1:])
            assert page["items"][0]["firm_id"] == made[1]  # CAGR 19.8%: the closest

            # judged again from scratch (a new day, or a new rulebook), the same answer
            await pool.execute("DELETE FROM candidate_judgement")
            assert await judge_city(pool, rulebook, TODAY) >= 4
            again = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "limit": 2})).json()
            assert again == page
            # a new day, the same rulebook: yesterday's rows go, the consumer's of today stay
            await pool.execute("UPDATE candidate_judgement SET judged_on = $1", date(2022, 6, 29))
            await pool.execute("UPDATE candidate_ranks SET judged_on = $1 WHERE firm_id = $2",
                               date(2022, 6, 29), uuid.UUID(made[1]))
            assert await judge_city(pool, rulebook, TODAY) >= 0
            assert await pool.fetchval("SELECT count(*) FROM candidate_ranks WHERE judged_on <> $1",
                                       TODAY) == 0
            for tier in ("eaglet", "gazelle"):
                await both(tier=tier)

            # the funnel's aggregate in the database equals counting every standing
            assert len(await _funnel(pool, TODAY, None)) >= 2
            for day in (TODAY, date(2021, 12, 31), date(2020, 12, 31)):
                for industry in (None, "other"):
                    assert await _funnel(pool, day, industry) == await _funnel_by_hand(
                        pool, day, industry), (day, industry)
        finally:
            await pool.close()

        # a past year is judged as of its last day: in 2021 no FY2021 report had been filed
        past = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "year": 2021})).json()
        scratch_2021 = await _scratch(pg_server_url, dbs[1], "gazelle", date(2021, 12, 31))
        assert past == scratch_2021
        assert past["total"] != page["total"]
        same_year = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "year": 2022})).json()
        assert same_year["total"] == page["total"]
        future = await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "year": 2023})
        assert future.status_code == 422
        assert future.headers["content-type"].startswith("application/problem+json")
        assert future.json()["errors"][0]["field"] == "year"
        bad = await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "year": "soon"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "year"


async def _funnel(pool: Any, day: date, industry: str | None) -> list[dict[str, Any]]:
    f = Filters(year=day.year, tier=None, district=None, industry=industry)
    return (await funnel(pool, f, TODAY)).rows  # a past year: as of its last day


async def _funnel_by_hand(pool: Any, day: date, industry: str | None) -> list[dict[str, Any]]:
    """Every standing on `day`, page by page, counted in Python (the funnel before)."""
    repo, rows, after = Repository(pool), [], None
    while True:
        args = {"tier": None, "district": None, "industry": industry, "at_risk": None,
                "after": after, "limit": 2}
        page = (await repo.list_standings(**args) if day == TODAY
                else await repo.list_standings_as_of(day, **args))
        rows += page
        if len(page) < 2:
            break
        after = page[-1]["firm_id"]
    key = {(r["firm_id"]): tier_key(r["tier"], r["unicorn_grade"]) for r in rows}
    city = Counter(key.values())
    counts = Counter((r["district"], r["industry"], key[r["firm_id"]]) for r in rows
                     if r["tier"] != "none")
    return [{"district": d, "industry": i, "tier": t, "firms": n,
             "share_of_city": round(n / city[t], 4)} for (d, i, t), n in sorted(counts.items())]


async def _scratch(server_url: str, db: str, tier: str, on: date) -> dict:
    pool = await create_pool(database_url_for(server_url, db), max_size=1)
    try:
        page = await candidates(pool, default_rulebook(), tier, on, district=None, industry=None,
                                sort="closest", offset=0, limit=50, from_scratch=True)
        return page.model_dump(mode="json")
    finally:
        await pool.close()
