"""A day of load, compressed: `python -m tests.soak [--minutes 30]` (`make soak`).

The embedded stack (the chaos suite's `ChaosStack`: `tracker up`'s own Stack and supervisor,
Apache Kafka, embedded PostgreSQL) under a steady mixed load:

- writes: the chaos suite's careful client (`tests/chaos/load.py`) registering firms and
  filing two reports each, resending a write that got no answer;
- reads by a viewer key: firm lists and details, standings, the summary, targets, alerts;
- an import of a small CSV every 30 s (admin), a what-if every few minutes (admin);
- SSE subscribers on the ladder's `/v1/stream`, reconnecting with their last id;

with a kill -9 of a random service every few minutes and one kill -9 and start of the
broker half way. Every 15 s it samples the RSS and open file handles of each process, the
PostgreSQL database, table and WAL sizes and the consumers' lag. At the end it stops the
load, runs the chaos suite's exactly-once checks on every firm the writer made
(`tests/chaos/checks.py`) and prints the report as Markdown tables (also written to
`artifacts/soak/`). Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil

from shared.auth import create_key
from tests.chaos.checks import check_everything
from tests.chaos.conftest import KNOBS
from tests.chaos.harness import ChaosStack, every_alert_officer
from tests.chaos.load import Load
from tests.chaos.receiver import DedupingReceiver
from tests.factories import ADMIN_TOKEN, firm_payload
from tracker.services import SERVICES

SAMPLE_S = 15.0
IMPORT_EVERY_S = 30.0
SSE_CLIENTS = 3
READERS = 4  # each about 5 reads a second


class Stats:
    """Every request the soak made: status and latency, by route class and time."""

    def __init__(self, started: float, window_s: float):
        self.started, self.window_s = started, window_s
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, str]] = Counter()
        self.latencies: dict[tuple[str, int], list[float]] = defaultdict(list)

    def record(self, route_class: str, status: str, seconds: float) -> None:
        self.requests[route_class] += 1
        self.statuses[(route_class, status)] += 1
        window = int((time.monotonic() - self.started) // self.window_s)
        self.latencies[(route_class, window)].append(seconds)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


class TimedLoad(Load):
    """The chaos writer, each write's latency (retries included, as the client sees it) and
    every answer it got recorded."""

    def __init__(self, stats: Stats, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.stats = stats

    async def _write(self, method: str, path: str, body: dict[str, Any], *,
                     what: str) -> dict[str, Any]:
        started = time.monotonic()
        statuses_before = Counter(self.result.unavailable)
        retries_before = self.result.retries
        answer = await super()._write(method, path, body, what=what)
        for status, n in (Counter(self.result.unavailable) - statuses_before).items():
            self.stats.statuses[("write", str(status))] += n
        lost = self.result.retries - retries_before - sum(
            (Counter(self.result.unavailable) - statuses_before).values())
        if lost > 0:
            self.stats.statuses[("write", "no answer")] += lost
        self.stats.record("write", "2xx", time.monotonic() - started)
        return answer


async def _viewer_token(stack: ChaosStack) -> str:
    token, key_id = f"ct_soak_viewer_{uuid.uuid4().hex}", uuid.uuid4()
    for service in SERVICES:
        conn = await asyncpg.connect(stack.database_url(service.name))
        try:
            await create_key(conn, key_id=key_id, token=token, role="viewer", label="soak")
        finally:
            await conn.close()
    return token


async def _timed(session: aiohttp.ClientSession, stats: Stats, route_class: str, method: str,
                 url: str, *, fine: tuple[int, ...] = (), **kw: Any) -> tuple[int, Any]:
    started = time.monotonic()
    try:
        async with session.request(method, url, **kw) as r:
            body = await r.read()
            status = r.status
    except (aiohttp.ClientError, TimeoutError, ConnectionError):
        stats.record(route_class, "no answer", time.monotonic() - started)
        return 0, None
    ok = status < 300 or status in fine
    stats.record(route_class, "2xx" if ok else str(status), time.monotonic() - started)
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


async def reader(stack: ChaosStack, session: aiohttp.ClientSession, stats: Stats,
                 load: Load, stop: asyncio.Event, rng: random.Random) -> None:
    year = date.today().year
    while not stop.is_set():
        firm = rng.choice(load.result.firm_ids) if load.result.firm_ids else None
        choices = [("registry", "/v1/firms?limit=50"), ("ladder", "/v1/summary"),
                   ("ladder", f"/v1/targets/{year}"), ("notifier", "/v1/alerts?limit=20")]
        if firm:
            choices += [("registry", f"/v1/firms/{firm}"),
                        ("ladder", f"/v1/firms/{firm}/standing")] * 2
        service, path = rng.choice(choices)
        # a standing the ladder has not made yet is a normal 404
        await _timed(session, stats, "read", "GET", stack.url(service) + path,
                     fine=(404,) if "standing" in path else ())
        await asyncio.sleep(0.2)


async def importer(stack: ChaosStack, session: aiohttp.ClientSession, stats: Stats,
                   stop: asyncio.Event) -> None:
    while not stop.is_set():
        rows = ["uscc,name,district,industry,founded_on"]
        for _ in range(20):
            f = firm_payload(district="jinpu")
            rows.append(f"{f['uscc']},{f['name']},{f['district']},{f['industry']},"
                        f"{f['founded_on']}")
        form = aiohttp.FormData()
        form.add_field("file", ("\n".join(rows) + "\n").encode(), filename="soak.csv",
                       content_type="text/csv")
        await _timed(session, stats, "import", "POST",
                     stack.url("registry") + "/v1/imports?kind=firms", data=form)
        await _sleep(stop, IMPORT_EVERY_S)


async def what_if(stack: ChaosStack, session: aiohttp.ClientSession, stats: Stats,
                  stop: asyncio.Event, every_s: float) -> None:
    await _sleep(stop, every_s / 2)
    while not stop.is_set():
        await _timed(session, stats, "whatif", "POST", stack.url("ladder") + "/v1/simulations",
                     json={"round_year": date.today().year, "limit": 50,
                           "overrides": {"tiers": {"gazelle": {
                               "revenue_cagr_min": {"value": "0.15"}}}}})
        await _sleep(stop, every_s)


async def subscriber(stack: ChaosStack, token: str, stats: Stats, stop: asyncio.Event,
                     received: Counter[str], n: int) -> None:
    last_id: str | None = None
    timeout = aiohttp.ClientTimeout(total=None, sock_read=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while not stop.is_set():
            headers = {"Authorization": f"Bearer {token}"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            started = time.monotonic()
            try:
                async with session.get(stack.url("ladder") + "/v1/stream", headers=headers) as r:
                    stats.record("sse", "2xx" if r.status < 300 else str(r.status),
                                 time.monotonic() - started)
                    if r.status != 200:
                        await _sleep(stop, 1.0)
                        continue
                    async for raw in r.content:
                        line = raw.decode(errors="replace").rstrip("\n")
                        if line.startswith("id:"):
                            last_id = line[3:].strip()
                            received[f"subscriber {n}"] += 1
                        if stop.is_set():
                            break
            except (aiohttp.ClientError, TimeoutError, ConnectionError):
                stats.statuses[("sse", "dropped")] += 1
            await _sleep(stop, 0.5)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


def _processes(stack: ChaosStack) -> dict[str, list[psutil.Process]]:
    found: dict[str, list[psutil.Process]] = {}
    assert stack.stack.supervisor is not None
    for name, child in stack.stack.supervisor.children.items():
        if child.proc is not None and child.pid is not None:
            try:
                top = psutil.Process(child.proc.pid)
                found[name] = [top, *top.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
    broker = stack.stack.broker
    process = getattr(broker, "process", None)
    if process is not None:
        try:
            found["broker"] = [psutil.Process(process.pid)]
        except psutil.NoSuchProcess:
            pass  # killed this moment
    pg = [p for p in psutil.process_iter(["cmdline"])
          if str(stack.data_dir / "postgres") in " ".join(p.info.get("cmdline") or [])]
    if pg:
        found["postgres (postmaster)"] = pg
        postmaster = pg[0]
        try:
            found["postgres (postmaster)"] = [postmaster]
            found["postgres (backends)"] = postmaster.children()
        except psutil.NoSuchProcess:
            pass
    return found


def _rss_fds(procs: list[psutil.Process]) -> tuple[float, int, int]:
    """(MiB, open fds, processes) of a group. PSS, not RSS, for PostgreSQL's backends: each
    maps the same shared buffers, which RSS would count once per backend."""
    rss, fds, alive = 0.0, 0, 0
    for p in procs:
        try:
            shared = "postgres" in p.name()
            rss += (p.memory_full_info().pss if shared else p.memory_info().rss) / 2**20
            fds += p.num_fds()
            alive += 1
        except psutil.Error:
            pass
    return rss, fds, alive


async def _database(stack: ChaosStack) -> dict[str, Any]:
    conn = await asyncpg.connect(stack.env["DATABASE_URL"])
    try:
        dbs = {r["datname"]: int(r["size"]) for r in await conn.fetch(
            "SELECT datname, pg_database_size(datname) AS size FROM pg_database"
            " WHERE datname LIKE 'tracker_%'")}
        wal = int(await conn.fetchval("SELECT coalesce(sum(size), 0) FROM pg_ls_waldir()"))
    finally:
        await conn.close()
    tables: dict[str, int] = {}
    for service in SERVICES:
        conn = await asyncpg.connect(stack.database_url(service.name))
        try:
            for r in await conn.fetch(
                    "SELECT relname, pg_total_relation_size(relid) AS size"
                    " FROM pg_stat_user_tables ORDER BY 2 DESC LIMIT 3"):
                tables[f"{service.name}.{r['relname']}"] = int(r["size"])
        finally:
            await conn.close()
    return {"databases": dbs, "wal": wal, "tables": tables}


def _lag(stack: ChaosStack) -> dict[str, float]:
    lags = {}
    for service in ("ladder", "notifier"):
        try:
            lags[service] = stack.metric(service, "consumer_lag_messages")
        except Exception:  # noqa: BLE001 - a killed service has no /metrics for a moment
            lags[service] = float("nan")
    return lags


async def sampler(stack: ChaosStack, stop: asyncio.Event, started: float,
                  samples: list[dict[str, Any]]) -> None:
    while not stop.is_set():
        try:
            procs = await asyncio.to_thread(_processes, stack)
        except psutil.Error:  # a process went away while being looked at: the next sample
            await _sleep(stop, 1.0)
            continue
        sample: dict[str, Any] = {"t": round(time.monotonic() - started),
                                  "processes": {n: _rss_fds(p) for n, p in procs.items()}}
        try:
            sample["db"] = await _database(stack)
        except (OSError, asyncpg.PostgresError) as exc:
            sample["db"] = {"error": str(exc)}
        sample["lag"] = await asyncio.to_thread(_lag, stack)
        samples.append(sample)
        await _sleep(stop, SAMPLE_S)


async def chaos_monkey(stack: ChaosStack, stop: asyncio.Event, total_s: float, every_s: float,
                       rng: random.Random, faults: list[tuple[int, str]], started: float) -> None:
    broker_at = total_s / 2
    broker_done = False
    next_kill = every_s
    while not stop.is_set():
        now = time.monotonic() - started
        if not broker_done and now >= broker_at:
            await asyncio.to_thread(stack.kill_broker)
            await asyncio.sleep(2)
            await asyncio.to_thread(stack.restart_broker)
            faults.append((round(now), "kill -9 broker, started again"))
            broker_done = True
        elif now >= next_kill and now < total_s - 30:
            victim = rng.choice(["registry", "ladder", "notifier"])
            await asyncio.to_thread(stack.kill, victim)
            faults.append((round(now), f"kill -9 {victim}"))
            await asyncio.to_thread(stack.wait_restarted, victim)
            next_kill += every_s
        await _sleep(stop, 1.0)


def report(minutes: float, stats: Stats, samples: list[dict[str, Any]],
           faults: list[tuple[int, str]], counts: Any, received: Counter[str],
           failure: str | None) -> str:
    out = [f"Soak run of {minutes:g} min ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC), faults: "
           + ", ".join(f"{what} at {t // 60}:{t % 60:02d}" for t, what in faults) + "."]
    statuses = sorted({s for _, s in stats.statuses})
    out += ["", "| route class | requests | " + " | ".join(statuses) + " |",
            "|---|---|" + "---|" * len(statuses)]
    for cls in sorted(stats.requests):
        out.append(f"| {cls} | {stats.requests[cls]:,} | " + " | ".join(
            f"{stats.statuses.get((cls, s), 0):,}" for s in statuses) + " |")
    windows = sorted({w for _, w in stats.latencies})
    span = stats.window_s / 60
    out += ["", "Latency p50 / p99 (ms) per route class, by window of the run (a write's time "
            "includes its resends):", "",
            "| route class | " + " | ".join(f"{w * span:g}–{(w + 1) * span:g} min"
                                            for w in windows) + " |",
            "|---|" + "---|" * len(windows)]
    for cls in sorted(stats.requests):
        cells = []
        for w in windows:
            seen = stats.latencies.get((cls, w), [])
            cells.append(f"{quantile(seen, 0.5) * 1000:,.0f} / {quantile(seen, 0.99) * 1000:,.0f}"
                         if seen else "–")
        out.append(f"| {cls} | " + " | ".join(cells) + " |")
    if samples:
        picks = [samples[0], samples[len(samples) // 2], samples[-1]]
        names = sorted({n for s in samples for n in s["processes"]})
        out += ["", "Memory (RSS; PSS for PostgreSQL) and open file handles per process (and "
                "how many processes, where more than one): first sample, middle, last, and the "
                "largest seen:", "",
                "| process | " + " | ".join(f"t={s['t'] // 60}:{s['t'] % 60:02d}"
                                         for s in picks) + " | max |",
                "|---|---|---|---|---|"]
        for n in names:
            cells = []
            for s in picks:
                rss, fds, count = s["processes"].get(n, (0.0, 0, 0))
                many = f" ({count})" if count > 1 else ""
                cells.append(f"{rss:,.0f} MiB / {fds} fds{many}" if rss else "–")
            peak = max(s["processes"].get(n, (0.0, 0, 0))[0] for s in samples)
            peak_fds = max(s["processes"].get(n, (0.0, 0, 0))[1] for s in samples)
            out.append(f"| {n} | " + " | ".join(cells) + f" | {peak:,.0f} MiB / {peak_fds} fds |")
        first_db, last_db = samples[0].get("db", {}), samples[-1].get("db", {})
        out += ["", "| PostgreSQL | first sample | last sample |", "|---|---|---|"]
        for name in sorted(last_db.get("databases", {})):
            out.append(f"| database {name} | {first_db.get('databases', {}).get(name, 0) / 2**20:,.1f}"
                       f" MiB | {last_db['databases'][name] / 2**20:,.1f} MiB |")
        for name in sorted(last_db.get("tables", {})):
            out.append(f"| table {name} | {first_db.get('tables', {}).get(name, 0) / 2**20:,.1f} "
                       f"MiB | {last_db['tables'][name] / 2**20:,.1f} MiB |")
        out.append(f"| WAL | {first_db.get('wal', 0) / 2**20:,.0f} MiB | "
                   f"{last_db.get('wal', 0) / 2**20:,.0f} MiB |")
        lags = [s["lag"] for s in samples]
        out += ["", "Consumer lag (messages, summed over partitions), every sample: " + "; ".join(
            f"{s['t'] // 60}:{s['t'] % 60:02d} " + ", ".join(
                f"{k} {v:.0f}" for k, v in s["lag"].items()) for s in samples[::max(1, len(samples) // 8)]),
            f"(largest: {max((v for lag in lags for v in lag.values() if v == v), default=0):.0f})"]
    out += ["", "SSE events received: " + ", ".join(f"{k} {v:,}" for k, v in sorted(received.items()))]
    if counts is not None:
        out += ["", "| exactly-once checks | written | resent | published | consumed | "
                "duplicates suppressed | alerts | webhooks | lost |",
                "|---|---|---|---|---|---|---|---|---|",
                f"| soak | {counts.written} | {counts.resent} | {counts.published} | "
                f"{counts.consumed} | {counts.duplicates_suppressed} | {counts.alerts} | "
                f"{counts.webhooks} | {counts.lost} |"]
    out += ["", "Result: " + (f"FAILED: {failure}" if failure else "every check passed")]
    return "\n".join(out)


async def soak(minutes: float, seed: int) -> int:
    total_s = minutes * 60
    rng = random.Random(seed)
    data_dir = Path("/tmp") / f"ct-soak-{uuid.uuid4().hex[:8]}"
    stack = ChaosStack(data_dir, KNOBS)
    receiver = DedupingReceiver()
    samples: list[dict[str, Any]] = []
    faults: list[tuple[int, str]] = []
    received: Counter[str] = Counter()
    counts: Any = None
    failure: str | None = None
    print(f"soak: starting the stack in {data_dir} for {minutes:g} min", flush=True)
    await asyncio.to_thread(stack.start)
    await receiver.start()
    started = time.monotonic()
    stats = Stats(started, window_s=max(60.0, total_s / 6))
    try:
        officer_id = await asyncio.to_thread(every_alert_officer, stack, receiver.hook)
        viewer = await _viewer_token(stack)
        duplicates_before = {s: stack.metric(s, "events_consumed_total", outcome="duplicate")
                             for s in ("ladder", "notifier")}
        kills_before = dict(stack.kills)
        load = TimedLoad(stats, stack.url("registry"), district="hitech", firms_per_s=1.5,
                         seed=seed)
        await load.start()
        stop = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(
                timeout=timeout, headers={"Authorization": f"Bearer {viewer}"}) as viewing, \
                aiohttp.ClientSession(timeout=timeout,
                                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
            tasks = [asyncio.create_task(c) for c in (
                *(reader(stack, viewing, stats, load, stop, random.Random(seed + i))
                  for i in range(READERS)),
                importer(stack, admin, stats, stop),
                what_if(stack, admin, stats, stop, every_s=max(60.0, total_s / 8)),
                *(subscriber(stack, viewer, stats, stop, received, i) for i in range(SSE_CLIENTS)),
                sampler(stack, stop, started, samples),
                chaos_monkey(stack, stop, total_s, max(60.0, total_s / 6), rng, faults, started),
            )]
            deadline = started + total_s
            while time.monotonic() < deadline:
                await asyncio.sleep(min(30.0, deadline - time.monotonic()))
                done = round(time.monotonic() - started)
                print(f"soak: {done // 60}:{done % 60:02d} — {sum(stats.requests.values()):,} "
                      f"requests, {len(load.result.accepted):,} writes, faults {len(faults)}",
                      flush=True)
            stop.set()
            result = await load.stop()
            broken = [r for r in await asyncio.gather(*tasks, return_exceptions=True)
                      if isinstance(r, BaseException)]
            if broken:
                failure = f"a load task failed: {broken[0].__class__.__name__}: {broken[0]}"
        after = {s: stack.metric(s, "events_consumed_total", outcome="duplicate")
                 for s in ("ladder", "notifier")}
        duplicates = sum(after[s] - (0 if stack.kills.get(s, 0) > kills_before.get(s, 0)
                                     else duplicates_before[s]) for s in after)
        print("soak: load stopped; checking exactly once...", flush=True)
        counts = await check_everything("soak", stack, result, officer_id=officer_id,
                                        receiver=receiver, duplicates=int(duplicates),
                                        today=date.today())
    except Exception as exc:  # noqa: BLE001 - the report says what failed
        failure = f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        await receiver.stop()
        await asyncio.to_thread(stack.stop)
        shutil.rmtree(data_dir, ignore_errors=True)
    text = report(minutes, stats, samples, faults, counts, received, failure)
    out_dir = Path("artifacts/soak")
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out_dir / f"soak-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    (out_dir / f"soak-{stamp}.json").write_text(json.dumps(
        {"minutes": minutes, "samples": samples, "faults": faults}, default=str), encoding="utf-8")
    print(text, flush=True)
    return 1 if failure else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="the chaos's random choices")
    args = parser.parse_args()
    return asyncio.run(soak(args.minutes, args.seed))


if __name__ == "__main__":
    sys.exit(main())
