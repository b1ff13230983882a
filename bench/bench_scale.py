"""Benchmark: the reads a person waits for, as the city grows (issue 21), in one run.

Usage: python bench/bench_scale.py [--sizes 5000,25000,50000] [--repeat 7] [--quick]

Starts `tracker up --no-demo` on free ports, then for each size loads the demo generator's
Dalian-shaped city through the registry API until the stack holds that many firms (each step
adds a city of its own seed), waits until the ladder and the notifier settled, and times:

  load     the demo loader (firms and reports by CSV import, facts by JSON calls, rounds)
  settle   from the end of the load until `tracker wait`'s check passes; the settle rate is
           the step's reports over load + settle (the ladder settles while the load runs)
  reads    each GET --repeat times one after another (p50, max): the dashboard tables, the
           candidates list, standings and summary, targets, a firm's drill-down (standing,
           history), the round's funnel and worklist, and the standings export (first byte
           and whole)
  what-if  POST /v1/simulation-jobs with one override, followed until the job is
           done, and the ladder's /healthz every 50 ms meanwhile (p50, p99, max): the first
           job after the load (the workers keep no share yet: the stack runs with
           WHATIF_KEEP_WARM_S=0, so nothing was folded ahead), then a job with another
           draft (each worker's kept share: no firm reloaded, only the draft folded), what
           an officer gets from workers kept warm

Prints one JSON line with every step, and the growth of each read from a size to the next.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "bench", *(ROOT / "services" / s for s in ("registry", "ladder", "notifier",
                                                                 "entitlements"))):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import httpx
from bench_stack import Stack, settle
from limits import machine, percentile

from tests.e2e.conftest import prepared_stack
from tests.factories import ADMIN_TOKEN
from tracker.demo import load_demo

YEAR = 2022
WHATIF = {"round_year": YEAR,
          "overrides": {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}}
NEXT_WHATIF = {"round_year": YEAR, "overrides": {"tiers": {"eaglet": {"max_age_years": {
    "value": 11}}}}}


def log(msg: str) -> None:
    print(f"[bench_scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def reads(firm_id: str) -> dict[str, str]:
    """The reads a person waits for, by name."""
    return {
        "table funnel": f"/v1/dashboard/tables/funnel?year={YEAR}",
        "table targets": f"/v1/dashboard/tables/targets?year={YEAR}",
        # the year the dashboard opens on: open, so its forecast reads today's candidates
        "table targets, this year": "/v1/dashboard/tables/targets",
        "table cohorts": "/v1/dashboard/tables/cohorts",
        "table candidates": "/v1/dashboard/tables/candidates?tier=gazelle",
        "table standings": "/v1/dashboard/tables/standings?tier=eaglet",
        "candidates gazelle": "/v1/candidates?tier=gazelle&limit=50",
        "candidates unicorn": "/v1/candidates?tier=unicorn&limit=50",
        "standings page": "/v1/standings?limit=50",
        "standings as of": f"/v1/standings?limit=50&as_of={YEAR}-06-30",
        "summary": "/v1/summary",
        "targets": f"/v1/targets/{YEAR}",
        "targets, this year": f"/v1/targets/{date.today().year}",
        "round, this year": f"/v1/rounds/{date.today().year}",
        "worklist, this year": f"/v1/rounds/{date.today().year}/worklist",
        "firm standing": f"/v1/firms/{firm_id}/standing",
        "firm history": f"/v1/firms/{firm_id}/history",
        "round": f"/v1/rounds/{YEAR}",
        "round worklist": f"/v1/rounds/{YEAR}/worklist",
    }


def time_reads(client: httpx.Client, firm_id: str, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, path in reads(firm_id).items():
        ms, status = [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            r = client.get(path)
            ms.append((time.perf_counter() - t) * 1000)
            status = r.status_code
        out[name] = {"p50_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1),
                     "status": status}
    first, whole = [], []
    for _ in range(max(1, repeat // 2)):
        t = time.perf_counter()
        with client.stream("GET", "/v1/exports/standings.csv") as r:
            it = r.iter_bytes()
            next(it, b"")
            first.append((time.perf_counter() - t) * 1000)
            for _chunk in it:
                pass
        whole.append((time.perf_counter() - t) * 1000)
    out["export standings.csv"] = {"first_byte_ms": round(statistics.median(first), 1),
                                   "p50_ms": round(statistics.median(whole), 1),
                                   "max_ms": round(max(whole), 1)}
    return out


async def what_if(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """One what-if job to the end, and the ladder's /healthz every 50 ms meanwhile."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600) as client:
        idle = []  # the same probe before the job: what the machine gives without it
        for _ in range(60):
            h = time.perf_counter()
            await client.get("/healthz")
            idle.append((time.perf_counter() - h) * 1000)
            await asyncio.sleep(0.05)
        t = time.perf_counter()
        r = await client.post("/v1/simulation-jobs", json=body)
        if r.status_code != 202:
            return {"error": f"{r.status_code} {r.text[:300]}"}
        location, health, status = r.headers["location"], [], "queued"
        job: dict[str, Any] = {}
        while status not in ("done", "failed"):
            h = time.perf_counter()
            await client.get("/healthz")
            health.append((time.perf_counter() - h) * 1000)
            if len(health) % 10 == 0:
                job = (await client.get(location)).json()
                status = job["status"]
            await asyncio.sleep(0.05)
        result = job.get("result") or {}
        return {"status": status, "seconds": round(time.perf_counter() - t, 2),
                "firms": result.get("firms"), "load_s": result.get("load_seconds"),
                "evaluate_s": result.get("evaluate_seconds"),
                "healthz_p50_ms": round(percentile(health, 50) or 0, 1),
                "healthz_p99_ms": round(percentile(health, 99) or 0, 1),
                "healthz_max_ms": round(max(health), 1), "healthz_samples": len(health),
                "healthz_idle_p50_ms": round(percentile(idle, 50) or 0, 1),
                "healthz_idle_p99_ms": round(percentile(idle, 99) or 0, 1)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"bench": "scale", "quick": args.quick, "machine_start": machine(),
                           "steps": []}
    running = prepared_stack()
    running.env["WHATIF_KEEP_WARM_S"] = "0"  # each step's first what-if: nothing folded ahead
    running.start(timeout_s=300)
    stack = Stack(running)
    held = 0
    try:
        for i, size in enumerate(args.sizes):
            add = size - held
            log(f"loading {add} firms (to {size})...")
            t = time.perf_counter()
            stages: dict[str, float] = {}

            def progress(stage: str, done: int, total: int, t: float = t,
                         stages: dict[str, float] = stages) -> None:
                if done >= total:  # when each stage's last row went out
                    stages[stage] = round(time.perf_counter() - t, 1)

            summary = asyncio.run(load_demo(stack.url("registry"), ADMIN_TOKEN, firms=add,
                                            seed=2022 + i, shape=args.shape,
                                            ladder_url=stack.url("ladder"),
                                            as_of=max(date.today(), date(2023, 1, 1)),
                                            timeout_s=900, progress=progress))
            load_s = time.perf_counter() - t
            log(f"loaded in {load_s:.0f} s: {summary['reports']} reports; settling...")
            settled = asyncio.run(settle(stack, args.timeout))
            total_s = load_s + settled["settle_s"]
            held = size
            step: dict[str, Any] = {
                "firms": size, "added": add, "reports_added": summary["reports"],
                "facts_added": summary["funding_rounds"] + summary["certificates"],
                "rejected": summary["rejected"], "load_s": round(load_s, 1),
                "load_stages_done_at_s": stages,
                "settle_after_load_s": settled["settle_s"], "settled": settled["settled"],
                "settle_reports_per_s": round(summary["reports"] / total_s, 1)}
            with stack.client("ladder") as client:
                firm_id = client.get("/v1/standings?tier=gazelle&limit=1").json()["items"][0][
                    "firm_id"]
                log("reads...")
                step["reads"] = time_reads(client, firm_id, args.repeat)
            log("what-if...")
            step["what_if"] = asyncio.run(what_if(stack.url("ladder"), WHATIF))
            step["what_if_next"] = asyncio.run(what_if(stack.url("ladder"), NEXT_WHATIF))
            step["machine"] = machine()
            log(json.dumps(step, ensure_ascii=False))
            out["steps"].append(step)
    finally:
        running.stop()
        shutil.rmtree(running.data_dir, ignore_errors=True)  # gigabytes at these sizes
    steps = out["steps"]
    out["growth"] = {
        f"{a['firms']}->{b['firms']}": {
            name: round(b["reads"][name]["p50_ms"] / max(a["reads"][name]["p50_ms"], 0.1), 2)
            for name in a["reads"]}
        for a, b in zip(steps, steps[1:], strict=False)}
    out["machine_end"] = machine()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,25000,50000",
                    help="firms held at each step, rising (default 5000,25000,50000)")
    ap.add_argument("--repeat", type=int, default=7, help="times each read is timed")
    ap.add_argument("--timeout", type=float, default=1800.0, help="settle timeout per step (s)")
    ap.add_argument("--shape", default="dalian", help="the demo city's shape (dalian, rulebook)")
    ap.add_argument("--quick", action="store_true", help="sizes 500,1000: checks the harness")
    args = ap.parse_args()
    args.sizes = [500, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    print(json.dumps(run(args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
