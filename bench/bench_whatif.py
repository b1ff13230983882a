"""Benchmark: the ladder's what-if (`simulate`) over a whole synthetic city; prints one JSON line.

Usage: python bench/bench_whatif.py [--firms N] [--repeat R] [--seed S] [--keep]

Starts an embedded PostgreSQL in a temporary directory (or uses DATABASE_URL), creates a
fresh, migrated ladder database and bulk-loads N firms (default 30,000) with their FY2017-2021
annual reports (jsonb shaped like `AnnualReportData`, as the ladder's projection stores
them), funding rounds for ~5% of firms and certificates for ~10%, plus a standings row per
firm. Then it times `ladder.queries.simulate` for round year 2022 with the draft
"gazelle revenue CAGR >= 15%" against the shipped rulebook.

In the same run it measures the two floors that bound `simulate`:
  * DB read limit: fetching every row of firms, reports, funding_rounds and certificates
    through the ladder's own pool (jsonb decoded by the project codec) — what `all_facts`
    cannot go below — and the same without decoding jsonb (data::text);
  * CPU limit: `evaluate` alone, twice per firm (baseline and draft) over the facts already
    in memory — what the comparison cannot go below in one process.
Then the same what-if as a worker process runs it, on a share kept between jobs
(`KeptShare`): the first job (the share empty: everything loaded and folded), then a second
job with another draft (nothing changed: no firm reloaded, only the draft folded), then one
after 1% of the firms' facts changed (those reloaded and folded under both); with the
process's resident memory before and after the share is kept.

The floors and `simulate` are run interleaved `--repeat` times (default 2) and the best of
each is reported, since the machine is shared; load averages at start and end are included.
Also reported: time the cyclic garbage collector spends during the best `simulate` run, and
the longest stretch the asyncio event loop was blocked during `simulate` (in the service, the
Kafka consumer, its heartbeats and HTTP requests share that loop).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
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
from bench_ladder_rules import machine_summary, make_firm

from ladder.domain.facts import AnnualReport
from ladder.domain.rulebook import default_rulebook, rulebook_with_overrides
from ladder.domain.rules import evaluate
from ladder.queries import simulate
from ladder.queries.whatif import KeptShare, fold_share
from ladder.repository import Repository
from shared.codes import DISTRICTS, INDUSTRIES
from shared.db import create_pool
from shared.settings import database_url_for
from tests.conftest import fresh_database

FISCAL_YEARS = range(2017, 2022)
ROUND_YEAR = 2022
DRAFT = {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}
SECOND_DRAFT = {"tiers": {"eaglet": {"max_age_years": {"value": 11}}}}
CHANGED_SHARE = 0.01  # of the firms, whose facts change between the kept share's jobs
ROUND_SHARE, CERT_SHARE = 0.05, 0.10
CERT_KINDS = ("high_tech_enterprise", "tech_sme", "software_enterprise", "software_product",
              "contest_prize_provincial", "contest_prize_national", "st_award")


def _kinds(n: int, rng: random.Random) -> list[str]:
    """Dalian-like mix (as bench_ladder_rules): 1/6 eaglet-like, 1/30 gazelle-like, a few unicorns."""
    kinds = (["eaglet"] * (n * 2000 // 12000) + ["gazelle"] * (n * 400 // 12000)
             + ["unicorn"] * max(1, n * 10 // 12000))
    kinds += ["other"] * (n - len(kinds))
    rng.shuffle(kinds)
    return kinds[:n]


def synthetic_city(n: int, seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """Rows for the ladder's tables: firms, standings, reports, funding_rounds, certificates."""
    rng = random.Random(seed)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "firms": [], "standings": [], "reports": [], "funding_rounds": [], "certificates": []}
    for i, kind in enumerate(_kinds(n, rng)):
        f = make_firm(rng, i, kind)
        fid = uuid.UUID(int=rng.getrandbits(128), version=4)
        rows["firms"].append((
            fid, f"大连合成科技{i:06d}有限公司", rng.choice(DISTRICTS), rng.choice(INDUSTRIES),
            f.founded_on, f.company_kind, f.listed, f.abnormal_list, f.dishonest_list, 6))
        rows["standings"].append((fid,))
        for fy in FISCAL_YEARS:
            r = f.reports.get(fy)
            if r is not None:
                data = {k: getattr(r, k) for k in AnnualReport.__slots__}
                # filed on a spring day of FY+1, as the registry dates reports, so every one
                # is known by the 2022 round
                rows["reports"].append((fid, fy, json.dumps(data), date(fy + 1, 4, 30)))
        # funding rounds: the generator's own (gazelle/unicorn-like) plus random others, ~5% in all
        rounds = [(r.closed_on, r.amount, r.currency, r.post_money_valuation, r.investor_kind)
                  for r in f.funding_rounds]
        if not rounds and rng.random() < ROUND_SHARE - 0.011:
            for _ in range(rng.randint(1, 3)):
                rounds.append((date(rng.randint(2015, 2021), rng.randint(1, 12), 1),
                               rng.randint(1, 60) * 1_000_000, rng.choice(("CNY", "CNY", "USD")),
                               rng.randint(1, 30) * 100_000_000, rng.choice(("vc_pe", "other"))))
        for r in rounds:
            rows["funding_rounds"].append((uuid.UUID(int=rng.getrandbits(128), version=4), fid, *r))
        # certificates: eaglet-likes keep the generator's, others get random ones, ~10% in all
        certs = [(c.kind, c.issued_on, c.expires_on) for c in f.certificates] if kind == "eaglet" else []
        if not certs and rng.random() < CERT_SHARE - 0.05:
            for _ in range(rng.randint(1, 2)):
                k = rng.choice(CERT_KINDS)
                issued = date(rng.randint(2016, 2021), rng.randint(1, 12), 1)
                certs.append((k, issued, None))
        for k, issued, expires in certs:
            rows["certificates"].append(
                (uuid.UUID(int=rng.getrandbits(128), version=4), fid, k, issued, expires, None))
    return rows


COLUMNS = {
    "firms": ["id", "name", "district", "industry", "founded_on", "company_kind", "listed",
              "abnormal_list", "dishonest_list", "last_sequence"],
    "standings": ["firm_id"],
    "reports": ["firm_id", "fiscal_year", "data", "filed_on"],
    "funding_rounds": ["round_id", "firm_id", "closed_on", "amount", "currency",
                       "post_money_valuation", "investor_kind"],
    "certificates": ["certificate_id", "firm_id", "kind", "issued_on", "expires_on", "revoked_on"],
}


async def bulk_load(dsn: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """COPY every table (plain connection: jsonb goes in as JSON text), then ANALYZE."""
    conn = await asyncpg.connect(dsn)
    try:
        for table in ("firms", "standings", "reports", "funding_rounds", "certificates"):
            await conn.copy_records_to_table(table, records=rows[table], columns=COLUMNS[table])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def select_floor(pool: asyncpg.Pool, *, decode_json: bool) -> float:
    """Seconds to fetch every row of the four tables all_facts reads."""
    data = "data" if decode_json else "data::text AS data"
    start = time.perf_counter()
    async with pool.acquire() as conn:
        await conn.fetch("SELECT * FROM firms")
        await conn.fetch(f"SELECT firm_id, fiscal_year, {data} FROM reports")
        await conn.fetch("SELECT * FROM funding_rounds")
        await conn.fetch("SELECT * FROM certificates")
    return time.perf_counter() - start


def evaluate_floor(facts: dict[str, Any], baseline: Any, draft: Any) -> tuple[float, int]:
    """Seconds for evaluate() alone, baseline and draft, on each firm compare() looks at."""
    fy, on = ROUND_YEAR - 1, date(ROUND_YEAR, 1, 1)
    eligible = [f for f in facts.values() if f.founded_on.year <= fy]
    start = time.perf_counter()
    for f in eligible:
        evaluate(baseline, f, fy, as_of=on)
        evaluate(draft, f, fy, as_of=on)
    return time.perf_counter() - start, 2 * len(eligible)


async def _watch_loop(worst: list[float], tick_s: float = 0.01) -> None:
    """Longest time the event loop could not run anything else (a service's consumer,
    heartbeats and HTTP share that loop while simulate runs)."""
    while True:
        t = time.perf_counter()
        await asyncio.sleep(tick_s)
        worst[0] = max(worst[0], time.perf_counter() - t - tick_s)


gc_time: list[float] = []
_gc_started = [0.0]


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        gc_time.append(time.perf_counter() - _gc_started[0])


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return round(kb / 1024, 1)


async def kept_jobs(pool: asyncpg.Pool, baseline: Any, draft: Any, second: Any,
                    ) -> dict[str, Any]:
    """Three jobs on one kept share, as a worker process runs them (collector off while
    folding, the share frozen after): first, another draft, after 1% of the firms changed."""
    kept, out = KeptShare(), {"rss_before_mb": _rss_mb()}

    async def job(name: str, rulebook: Any) -> None:
        gc.disable()
        t = time.perf_counter()
        _, load, fold = await fold_share(pool, baseline=baseline, draft=rulebook,
                                         round_year=ROUND_YEAR, traces=False, kept=kept)
        gc.enable()
        gc.collect()
        gc.freeze()
        out[name] = {"total_s": round(time.perf_counter() - t, 3), "load_s": round(load, 3),
                     "fold_s": round(fold, 3)}

    await job("first_job", draft)
    out["rss_kept_mb"] = _rss_mb()
    await job("another_draft", second)
    changed = await pool.fetchval(
        "WITH c AS (UPDATE firms SET facts_version = facts_version + 1"
        " WHERE id IN (SELECT id FROM firms ORDER BY id LIMIT"
        " (SELECT ceil(count(*) * $1::float8)::int FROM firms)) RETURNING 1) SELECT count(*) FROM c",
        CHANGED_SHARE)
    await job("after_changes", draft)
    out["after_changes"]["firms_changed"] = changed
    out["rss_after_mb"] = _rss_mb()
    gc.unfreeze()
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"bench": "whatif", "firms": args.firms,
                           "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    gc.callbacks.append(_gc_callback)
    tmp: Path | None = None
    server = None
    try:
        if url := os.environ.get("DATABASE_URL"):
            server_url = url
        else:
            from tracker.embedded import EmbeddedPostgres

            # short path: the unix socket lives in the data dir and socket paths are length-limited
            tmp = Path(tempfile.mkdtemp(prefix="ctb-", dir="/tmp"))
            server = EmbeddedPostgres(tmp / "pg")
            t = time.perf_counter()
            server_url = server.start()
            out["pg_start_s"] = round(time.perf_counter() - t, 2)
        name = await fresh_database(server_url, "ladder")
        dsn = database_url_for(server_url, name)

        t = time.perf_counter()
        rows = synthetic_city(args.firms, args.seed)
        out["generate_s"] = round(time.perf_counter() - t, 2)
        out["rows"] = {k: len(v) for k, v in rows.items() if k != "standings"}
        out["firms_with_rounds"] = len({r[1] for r in rows["funding_rounds"]})
        out["firms_with_certificates"] = len({r[1] for r in rows["certificates"]})
        t = time.perf_counter()
        await bulk_load(dsn, rows)
        out["bulk_load_s"] = round(time.perf_counter() - t, 2)
        del rows

        pool = await create_pool(dsn)
        try:
            baseline = default_rulebook()
            draft = rulebook_with_overrides(baseline, DRAFT)
            runs: list[dict[str, float]] = []
            floor_json: list[float] = []
            floor_text: list[float] = []
            cpu: list[float] = []
            result: dict[str, Any] = {}
            # first, while the process holds nothing else: its memory is the kept share's
            out["kept_share"] = await kept_jobs(pool, baseline, draft,
                                                rulebook_with_overrides(baseline, SECOND_DRAFT))
            # interleaved repeats: the machine is shared, so each figure is the best of `repeat`
            for _ in range(args.repeat):
                floor_json.append(await select_floor(pool, decode_json=True))
                floor_text.append(await select_floor(pool, decode_json=False))
                gc_time.clear()
                stall = [0.0]
                ticker = asyncio.create_task(_watch_loop(stall))
                await asyncio.sleep(0)
                t = time.perf_counter()
                result = (await simulate(pool, baseline=baseline, draft=draft,
                                         round_year=ROUND_YEAR, traces=False,
                                         limit=100)).model_dump()
                elapsed = time.perf_counter() - t
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
                runs.append({"total": elapsed, "load": result["load_seconds"],
                             "evaluate": result["evaluate_seconds"], "gc": sum(gc_time),
                             "stall": stall[0]})
                # the CPU floor on the same facts, with one copy of them alive as in simulate
                facts = await Repository(pool).all_facts()
                eval_s, evals = evaluate_floor(facts, baseline, draft)
                cpu.append(eval_s)
                del facts
        finally:
            await pool.close()

        best = min(runs, key=lambda r: r["total"])
        db_floor, cpu_floor = min(floor_json), min(cpu)
        out.update({
            "round_year": ROUND_YEAR,
            "draft": "gazelle revenue_cagr_min 0.15",
            "repeat": args.repeat,
            "simulate_total_s": round(best["total"], 3),
            "simulate_load_s": best["load"],
            "simulate_evaluate_s": best["evaluate"],
            "simulate_gc_pause_s": round(best["gc"], 3),
            "simulate_event_loop_max_stall_s": round(max(r["stall"] for r in runs), 3),
            "simulate_total_s_each_run": [round(r["total"], 3) for r in runs],
            "moved_up": result["moved_up"], "moved_down": result["moved_down"],
            "effect_on_tiers": {k: [v["baseline"], v["draft"]]
                                for k, v in result["effect_on_tiers"].items()},
            # the machine's limits, measured in this run
            "limit_db_select_all_s": round(db_floor, 3),
            "limit_db_select_all_no_json_decode_s": round(min(floor_text), 3),
            "limit_cpu_evaluate_s": round(cpu_floor, 3),
            "limit_cpu_evaluations": evals,
            "limit_cpu_us_per_evaluation": round(cpu_floor / max(1, evals) * 1e6, 1),
            "ratio_load_vs_db_limit": round(best["load"] / db_floor, 2),
            "ratio_evaluate_vs_cpu_limit": round(best["evaluate"] / cpu_floor, 2),
            "ratio_total_vs_limits": round(best["total"] / (db_floor + cpu_floor), 2),
        })
        out["firms_evaluated"] = evals // 2  # founded by the fiscal year, as compare() counts
    finally:
        if server is not None:
            server.stop()
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    out.update(machine_summary())
    return out


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs; best reported")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    with contextlib.redirect_stdout(sys.stderr):  # only the JSON line goes to stdout
        out = asyncio.run(run(args))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
