"""The round's worklist and funnel read flat: the worklist's pages (the qualifying firms not
applied chosen on narrow columns, their traces read for the page only; only the applications
it can name) and the funnel's counts from grouped rows equal the answers computed from scratch
over every standing, filing and application of a city written straight into PostgreSQL."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from ladder.domain.round import DEADLINES, ROUND_TIERS, evidence, left_off, stage_counts, stalled
from ladder.queries.round import app_row, round_out, worklist
from ladder.repository import Repository
from shared.db import create_pool
from shared.settings import database_url_for
from tests.conftest import fresh_database

pytestmark = pytest.mark.integration
YEAR = 2022
TODAY = date(2022, 11, 30)
TIERS = ["none", "eaglet", "gazelle", "unicorn", "leader"]
RANK = {t: i for i, t in enumerate(TIERS)}
DISTRICTS = ["hitech", "jinpu", "zhongshan"]
STATES = ["applied", "district_passed", "recommended", "filed", "not_filed", "withdrawn"]


def _trace(tier: str, rnd: random.Random) -> dict[str, Any]:
    return {"tiers": {tier: {"criteria": [
        {"key": f"k{i}", "label": f"criterion {i}", "passed": rnd.random() < 0.7,
         "value": rnd.randint(1, 100), "threshold": 50, "unit": "ratio", "source": "src"}
        for i in range(3)]}}}


async def _city(pool: Any, rnd: random.Random, n: int) -> None:
    """n firms with standings, filings and applications of every kind, and the year's round."""
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO rounds (year, tiers, firm_deadline, district_deadline, city_deadline,"
            " publication_expected, updated_by) VALUES ($1, $2, $3, $4, $5, $6, 'test')",
            YEAR, ["eaglet", "gazelle", "unicorn"], date(2022, 7, 1), date(2022, 9, 1),
            date(2022, 12, 15), date(2022, 12, 31))
        for i in range(n):
            firm = uuid.uuid4()
            name = f"firm {i // 2:03d}"  # pairs share a name: the firm id breaks the tie
            await conn.execute(
                "INSERT INTO firms (id, name, district, industry, founded_on, company_kind,"
                " listed, abnormal_list, dishonest_list) VALUES ($1, $2, $3, 'other',"
                " '2015-01-01', 'limited', false, false, false)",
                firm, name, rnd.choice(DISTRICTS))
            tier = rnd.choice(TIERS)
            await conn.execute(
                "INSERT INTO standings (firm_id, tier, evaluated_tier, decision_id, trace)"
                " VALUES ($1, $2, $2, $3, $4)", firm, tier, uuid.uuid4(),
                _trace(tier, rnd))  # the pool's codec writes jsonb
            for _ in range(rnd.choice([0, 0, 1, 2])):
                listed_on = date(rnd.choice([2019, 2020, 2021, 2022]), rnd.randint(1, 12), 1)
                await conn.execute(
                    "INSERT INTO filings (filing_id, firm_id, tier, listed_on, expires_on,"
                    " list_name, revoked_on, sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
                    uuid.uuid4(), firm, rnd.choice(TIERS[1:]), listed_on,
                    listed_on + timedelta(days=3 * 365), f"list {listed_on.year}",
                    listed_on + timedelta(days=30) if rnd.random() < 0.15 else None)
            for year in rnd.sample([YEAR - 1, YEAR, YEAR], rnd.choice([0, 1, 1, 2])):
                applied = date(year, rnd.randint(3, 8), rnd.randint(1, 28))
                state = rnd.choice(STATES)
                passed = None if state == "applied" else rnd.random() < 0.8
                await conn.execute(
                    "INSERT INTO applications (application_id, firm_id, round_year, tier,"
                    " applied_on, state, last_on, district_passed, recommended_on, reason,"
                    " sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
                    uuid.uuid4(), firm, year, rnd.choice(ROUND_TIERS), applied, state,
                    applied + timedelta(days=rnd.randint(0, 120)), passed,
                    applied + timedelta(days=40) if state in ("recommended", "filed") else None,
                    "quota" if state == "not_filed" and rnd.random() < 0.5 else None)
        # a published eaglet list this year: recommended eaglets not on it are left off
        await conn.execute(
            "INSERT INTO filings (filing_id, firm_id, tier, listed_on, expires_on, list_name,"
            " sequence) SELECT gen_random_uuid(), id, 'eaglet', '2022-11-01', '2025-11-01',"
            " 'list 2022 eaglet', 1 FROM firms ORDER BY id LIMIT 1")


async def _scratch(pool: Any, district: str | None, tier: str | None) -> dict[str, Any]:
    """The worklist computed from every row, as the code before the pages did."""
    repo = Repository(pool)
    row = await repo.round(YEAR)
    tiers = [t for t in row["tiers"] if tier is None or t == tier]
    firms = {r["id"]: r for r in await pool.fetch("SELECT * FROM firms")}
    filings = await pool.fetch("SELECT * FROM filings WHERE revoked_on IS NULL")
    applied = {r["firm_id"] for r in await pool.fetch(
        "SELECT firm_id FROM applications WHERE round_year = $1 AND state <> 'withdrawn'", YEAR)}
    not_applied = []
    for s in await pool.fetch("SELECT * FROM standings"):
        f, t = firms[s["firm_id"]], s["evaluated_tier"]
        if t not in tiers or (district and f["district"] != district) or f["id"] in applied:
            continue
        held = [x["tier"] for x in filings if x["firm_id"] == f["id"]
                and x["listed_on"] <= TODAY < x["expires_on"]]
        filed = max(held, key=RANK.__getitem__) if held else None
        if RANK[t] <= RANK.get(filed or "none", 0):
            continue
        trace = s["trace"]["tiers"][t]
        not_applied.append({"firm_id": f["id"], "name": f["name"], "tier": t,
                            "filed_tier": filed, "evidence": evidence(trace)})
    not_applied.sort(key=lambda r: (-RANK[r["tier"]], r["name"], r["firm_id"]))
    listed = {r["tier"] for r in await repo.lists(YEAR)}
    dates = {k: row[k] for k in DEADLINES}
    stalls, unfiled = [], []
    for a in await repo.round_applications(YEAR, district=district, tier=tier):
        app = app_row(a)
        if a["state"] == "not_filed" or left_off(app, a["tier"] in listed):
            unfiled.append(a["application_id"])
        elif stalled(app, dates, a["tier"] in listed, TODAY) is not None:
            stalls.append(a["application_id"])
    return {"not_applied": not_applied, "stalled": stalls, "not_filed": unfiled}


async def test_worklist_pages_and_funnel_equal_the_answer_from_scratch(pg_server_url: str) -> None:
    db = await fresh_database(pg_server_url, "ladder")
    pool = await create_pool(database_url_for(pg_server_url, db), max_size=2)
    try:
        await _city(pool, random.Random(21), 160)
        for district, tier in [(None, None), ("jinpu", None), (None, "eaglet"),
                               ("hitech", "gazelle"), (None, "leader")]:
            want = await _scratch(pool, district, tier)
            assert want["not_applied"] or tier == "leader", "the city has firms to list"
            got: dict[str, list[Any]] = defaultdict(list)
            offset, limit = 0, 7
            while True:
                page = await worklist(pool, YEAR, TODAY, district=district, tier=tier,
                                      limit=limit, offset=offset)
                assert (page.not_applied_total, page.stalled_total, page.not_filed_total) == (
                    len(want["not_applied"]), len(want["stalled"]), len(want["not_filed"]))
                assert page.not_applied_more == (offset + limit < len(want["not_applied"]))
                assert max(len(page.not_applied), len(page.stalled),
                           len(page.not_filed)) <= limit
                got["not_applied"] += [{
                    "firm_id": n.firm_id, "name": n.name, "tier": n.tier,
                    "filed_tier": n.filed_tier,
                    "evidence": [e.model_dump() for e in n.evidence]} for n in page.not_applied]
                got["stalled"] += [a.application_id for a in page.stalled]
                got["not_filed"] += [a.application_id for a in page.not_filed]
                offset += limit
                if offset >= max(page.not_applied_total, page.stalled_total,
                                 page.not_filed_total):
                    break
            wanted = {**want, "not_applied": [
                {**n, "evidence": [dict(e) for e in n["evidence"]]} for n in want["not_applied"]]}
            got_evidence = [{k: v for k, v in n.items()} for n in got["not_applied"]]
            for g in got_evidence:  # the schema's evidence carries the same keys, typed
                g["evidence"] = [{k: e[k] for k in ("key", "label", "value", "threshold",
                                                     "unit", "source")} for e in g["evidence"]]
            assert got_evidence == wanted["not_applied"], (district, tier)
            assert got["stalled"] == want["stalled"], (district, tier)
            assert got["not_filed"] == want["not_filed"], (district, tier)
        assert len(want["stalled"]) + len(want["not_filed"]) > 0

        # the funnel's counts from grouped rows equal the counts over every application
        repo = Repository(pool)
        listed = {r["tier"] for r in await repo.lists(YEAR)}
        for district in (None, "jinpu"):
            out = await round_out(pool, YEAR, TODAY, district=district)
            apps = await repo.round_applications(YEAR, district=district)
            assert apps
            for t in out.tiers:
                mine = [a for a in apps if a["tier"] == t.tier]
                want_total = stage_counts([app_row(a) for a in mine], t.tier in listed)
                got_total = t.total.model_dump() if hasattr(t.total, "model_dump") else dict(t.total)
                assert {k: got_total[k] for k in want_total} == want_total, (district, t.tier)
                per: dict[str, list[Any]] = defaultdict(list)
                for a in mine:
                    per[a["district"]].append(app_row(a))
                for d in t.districts:
                    dd = d.model_dump() if hasattr(d, "model_dump") else dict(d)
                    want_d = stage_counts(per.get(dd["district"], []), t.tier in listed)
                    assert {k: dd[k] for k in want_d} == want_d, (district, t.tier, dd["district"])
    finally:
        await pool.close()
