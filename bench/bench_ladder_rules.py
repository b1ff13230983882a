"""Benchmark: re-evaluate N firm-years with the ladder rules engine; prints one JSON line.

Usage: python bench/bench_ladder_rules.py [--firm-years N] [--workers W] [--seed S]

Synthetic firms are sized like Dalian (~2,000 eaglet-like, ~400 gazelle-like, a handful
of unicorn-type firms, many others), each with reports for 2012-2024; the distinct
firm-years (firms x FY 2015-2024) are cycled until N evaluations are done. The same run
times an empty loop calling a trivial function N times, so the engine's cost can be read
against what this machine's Python does for nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "services" / "ladder"))

from ladder.domain.compiled import compile_rulebook
from ladder.domain.facts import AnnualReport, Certificate, FirmFacts, FundingRound
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate

YEARS = range(2012, 2025)
FISCAL_YEARS = range(2015, 2025)
KINDS = ("independent",) * 17 + ("branch", "sales", "trading")


def _reports(rng: random.Random, founded: int, revenue: int, growth: float,
             employees: int, st_share: float, ip1: int, ip2: int) -> dict[int, AnnualReport]:
    out = {}
    for year in YEARS:
        if year < founded:
            continue
        rev = max(0, int(revenue * (1 + growth) ** (year - 2012) * rng.uniform(0.9, 1.1)))
        emp = max(1, int(employees * (1 + growth / 2) ** (year - 2012)))
        out[year] = AnnualReport(
            year, rev, int(rev * 0.95), rev * 2, emp, int(emp * rng.uniform(0.05, 0.5)),
            int(rev * rng.uniform(0.0, 0.08)), int(rev * st_share), int(rev * rng.uniform(0, 0.9)),
            ip1, ip2, int(rev * 0.8),
        )
    return out


def machine_summary() -> dict[str, object]:
    """What the machine looked like at the end of a run (load, peak memory, Python, cores)."""
    import resource

    return {
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def make_firm(rng: random.Random, i: int, kind: str) -> FirmFacts:
    """One synthetic firm of a rough kind: eaglet, gazelle, unicorn or other."""
    certs: tuple[Certificate, ...] = ()
    rounds: tuple[FundingRound, ...] = ()
    if kind == "eaglet":
        founded = rng.randint(2012, 2022)
        reps = _reports(rng, founded, rng.randint(1, 50) * 1_000_000, rng.uniform(0, 0.15),
                        rng.randint(10, 150), rng.uniform(0.005, 0.04), rng.randint(0, 2),
                        rng.randint(0, 4))
        if rng.random() < 0.3:
            certs = (Certificate("high_tech_enterprise", date(rng.randint(2016, 2023), 3, 1)),)
    elif kind == "gazelle":
        founded = rng.randint(2004, 2018)
        reps = _reports(rng, founded, rng.randint(12, 200) * 1_000_000, rng.uniform(0.18, 0.4),
                        rng.randint(90, 400), rng.uniform(0.02, 0.06), rng.randint(0, 5), 2)
        if rng.random() < 0.3:
            rounds = (FundingRound(date(rng.randint(2014, 2024), 6, 1),
                                   rng.randint(5, 50) * 1_000_000, "CNY",
                                   rng.randint(1, 20) * 100_000_000, "vc_pe"),)
    elif kind == "unicorn":
        founded = rng.randint(2014, 2021)
        reps = _reports(rng, founded, rng.randint(50, 500) * 1_000_000, 0.3, 200, 0.05, 10, 10)
        rounds = tuple(
            FundingRound(date(y, 5, 1), rng.randint(5, 80) * 1_000_000, rng.choice(("CNY", "USD")),
                         rng.randint(1, 15) * 100_000_000, rng.choice(("vc_pe", "other")))
            for y in sorted(rng.sample(range(2015, 2025), 3))
        )
    else:
        founded = rng.randint(1990, 2022)
        reps = _reports(rng, founded, rng.randint(1, 3000) * 1_000_000, rng.uniform(-0.05, 0.1),
                        rng.randint(5, 2000), rng.uniform(0.0, 0.03), 0, rng.randint(0, 1))
        if rng.random() < 0.1:
            certs = (Certificate("high_tech_enterprise", date(rng.randint(2014, 2023), 9, 1)),)
    return FirmFacts(
        f"91210200{i:010d}", date(founded, rng.randint(1, 12), 1), rng.choice(KINDS),
        rng.random() < 0.01, rng.random() < 0.02, rng.random() < 0.005, "high-tech zone",
        "software", reps, rounds, certs,
    )


def make_firm_years(seed: int) -> list[tuple[FirmFacts, int]]:
    """Deterministic synthetic firm-years, Dalian-sized."""
    rng = random.Random(seed)
    kinds = ["eaglet"] * 2000 + ["gazelle"] * 400 + ["unicorn"] * 10 + ["other"] * 9590
    firms = [make_firm(rng, i, k) for i, k in enumerate(kinds)]
    return [(f, fy) for fy in FISCAL_YEARS for f in firms]


def _run(args: tuple[int, int, int]) -> tuple[float, dict[str, int]]:
    seed, n, offset = args
    pairs = make_firm_years(seed)
    compiled = compile_rulebook(default_rulebook())
    tiers: Counter[str] = Counter()
    start = time.perf_counter()
    done = 0
    while done < n:
        chunk = pairs[offset:offset + n - done] if done == 0 else pairs[: n - done]
        for f, fy in chunk:
            tiers[evaluate(compiled, f, fy).tier] += 1
        done += len(chunk)
    return time.perf_counter() - start, dict(tiers)


def _noop(x: object) -> object:
    return x


def baseline(n: int) -> float:
    """Seconds for an empty loop calling a trivial function n times."""
    f = _noop
    start = time.perf_counter()
    for i in range(n):
        f(i)
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firm-years", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    n, workers = args.firm_years, max(1, args.workers)

    start = time.perf_counter()
    distinct = len(make_firm_years(args.seed))
    gen_s = time.perf_counter() - start
    shares = [n // workers + (1 if w < n % workers else 0) for w in range(workers)]
    jobs = [(args.seed, share, (w * 7919) % distinct) for w, share in enumerate(shares)]
    wall = time.perf_counter()
    if workers == 1:
        results = [_run(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_run, jobs)
    wall_s = time.perf_counter() - wall
    eval_s = max(r[0] for r in results)
    tiers: Counter[str] = Counter()
    for _, t in results:
        tiers.update(t)
    base_s = baseline(n)
    print(json.dumps({
        "bench": "ladder_rules",
        "firm_years": n,
        "distinct_firm_years": distinct,
        "workers": workers,
        "generate_s": round(gen_s, 3),
        "evaluate_s": round(eval_s, 3),
        "wall_s_incl_worker_setup": round(wall_s, 3),
        # Wall time per evaluation; with W workers each one spends W times this.
        "us_per_evaluation": round(eval_s / max(1, n) * 1e6, 2),
        "us_per_evaluation_per_worker": round(eval_s / max(1, max(shares)) * 1e6, 2),
        "evaluations_per_s": round(n / eval_s),
        "baseline_noop_call_s": round(base_s, 3),
        "baseline_us_per_call": round(base_s / max(1, n) * 1e6, 4),
        "ratio_vs_noop_call": round(eval_s / base_s, 1) if base_s else None,
        "tiers": dict(sorted(tiers.items())),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
