"""Benchmark: the running stack (`tracker up`), each figure beside the machine's own limit.

Usage: python bench/bench_stack.py [--quick] [--profile DIR] [--processes N] [--pool-max M]
                                   [--phases limits,registry,e2e,paced,notifier,import]

Starts `tracker up --no-demo` in a temporary data dir on free ports (embedded PostgreSQL and
Apache Kafka, the three services as processes, as a user runs it), then measures in order:

  limits   a bare ASGI app returning a constant under the services' own server (wrk); the
           registry's /healthz (the framework's floor); PostgreSQL's commit rate from 1 and
           from 16 connections (group commit) on the stack's own server; raw produce→consume
           through the stack's own broker
  registry report PUTs (each to a new firm-year) and firm GETs, wrk, 64 in flight
  e2e      reports that make firms Eaglets, aiohttp, 64 in flight: registry 2xx → TierPromoted
           on Kafka (the record's timestamp, set by the ladder's relay), p50/p99, settle rate;
           then the same paced at a rate the stack keeps up with (--paced-rate), for latency
           without a queue
  notifier synthetic TierPromoted events straight onto the topic → alerts and delivery rows
  import   bulk CSV import of firm-year reports through POST /v1/imports, until every
           standing settled (`tracker wait`'s check)
  memory   each service's peak RSS per phase (its processes added up)
  CPU      in e2e and import: CPU milliseconds per report in each service, PostgreSQL, Kafka,
           the load generator, and the machine in all (`cpu_ms_per_report`)

--processes N starts the stack with N processes per service (REGISTRY_/LADDER_/
NOTIFIER_PROCESSES), --pool-max M with pools of at most M connections per process
(DB_POOL_MAX_SIZE); --phases runs only the phases named (the firms they need are made first).

Prints one JSON line. --profile DIR samples the registry (during the writes), the ladder
(during e2e) and every service (during the import) with py-spy into DIR (bench/profile_summary.py reads them); the
numbers of a profiled run are not for BENCHMARKS.md. The default sizes keep the whole run
near 3 minutes on the quiet machine (about 8 under a load average of 20); the import's 100,000-report target is extrapolated from
--import-firms × 5 reports (a linear path: batches of 200 rows, one transaction each).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "bench", *(ROOT / "services" / s for s in ("registry", "ladder", "notifier",
                                                                 "entitlements"))):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import aiohttp
import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from limits import (
    bare_asgi,
    commit_rate,
    kafka_round_trip,
    machine,
    percentile,
    start_bare_asgi,
    topic_partitions,
)
from loadgen import CONNECTIONS, wrk

from shared.codes import DISTRICTS, INDUSTRIES
from shared.event_examples import example_of
from shared.events import TierPromoted
from shared.settings import database_url_for
from shared.topics import STANDING_EVENTS
from tests.e2e.conftest import RunningStack, prepared_stack
from tests.factories import ADMIN_TOKEN, random_uscc, report_payload
from tracker.catchup import CatchUp

TODAY = date.today()
FY = TODAY.year - 1  # the latest fiscal year the services accept as filed by today
PHASES = ("limits", "registry", "e2e", "paced", "notifier", "import")
WRITE_FIRST_YEAR = 1960  # write-bench firms are founded in 1950: decades of free firm-years


def log(msg: str) -> None:
    """Progress on stderr (stdout carries only the JSON line)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class RssSampler:
    """Peak RSS of each service (its process and its workers), per phase, twice a second."""

    def __init__(self, pids: dict[str, int]):
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.phase = "start"
        self.peaks: dict[str, dict[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            peaks = self.peaks.setdefault(self.phase, {})
            for name, proc in self.procs.items():
                with contextlib.suppress(psutil.Error):
                    tree = [proc, *proc.children(recursive=True)]
                    mb = sum(p.memory_info().rss for p in tree) / 2**20
                    peaks[name] = round(max(peaks.get(name, 0.0), mb), 1)

    def stop(self) -> dict[str, dict[str, float]]:
        self._stop.set()
        self._thread.join()
        return self.peaks


class CpuMeter:
    """CPU seconds (user + system) spent by each part of the machine between two readings:
    each service (its processes and workers), PostgreSQL (the postmaster and its backends),
    Kafka (the broker's JVM), the load generator (this process) and everything else — so a
    phase's bound reads as CPU milliseconds per report in each part, not a guess."""

    def __init__(self, pids: dict[str, int]):
        self.services = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.me = psutil.Process()

    def _part(self, proc: psutil.Process, owners: dict[int, str]) -> str:
        if proc.pid in owners:
            return owners[proc.pid]
        if proc.pid == self.me.pid:
            return "load generator"
        name = proc.name()
        return ("postgresql" if name.startswith("postgres") else
                "kafka" if name == "java" else "other")

    def reading(self) -> dict[str, float]:
        """Every live process's CPU seconds so far, added up per part; `machine` is the whole
        machine's busy time (all processes, the kernel's too)."""
        owners: dict[int, str] = {}
        for name, proc in self.services.items():
            with contextlib.suppress(psutil.Error):
                for p in (proc, *proc.children(recursive=True)):
                    owners[p.pid] = name
        parts: dict[str, float] = {}
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                part = self._part(proc, owners)
                parts[part] = parts.get(part, 0.0) + t.user + t.system
        busy = psutil.cpu_times()
        parts["machine"] = sum(busy) - busy.idle - getattr(busy, "iowait", 0.0)
        return parts

    @staticmethod
    def per_item_ms(before: dict[str, float], after: dict[str, float],
                    items: int) -> dict[str, float]:
        """CPU milliseconds per item in each part between two readings (a process that ended
        meanwhile is missing from the later one: its part reads low)."""
        return {k: round(max(0.0, after.get(k, 0.0) - v) * 1000 / max(1, items), 3)
                for k, v in sorted(before.items())}


class Stack:
    """The running stack and what the benchmark needs of it."""

    def __init__(self, running: RunningStack):
        self.running = running
        info = running.info()
        self.server_url: str = info["database_url"]
        self.bootstrap: str = info["kafka_bootstrap"]
        self.pids = {name: s["pid"] for name, s in info["services"].items()}
        self.sink: subprocess.Popen[bytes] | None = None  # the officers' webhook receiver

    def url(self, service: str) -> str:
        return self.running.url(service)

    def dsn(self, service: str) -> str:
        return database_url_for(self.server_url, f"tracker_{service}")

    def client(self, service: str) -> httpx.Client:
        """For set-up calls only (a few large requests), never for load."""
        return httpx.Client(base_url=self.url(service), timeout=900,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def firms_csv(n: int, founded_on: str, tag: str) -> tuple[str, list[str]]:
    """A firms import CSV of n firms and their USCCs."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["uscc", "name", "district", "industry", "founded_on"])
    usccs = []
    for i in range(n):
        uscc = random_uscc()
        usccs.append(uscc)
        w.writerow([uscc, f"大连压测{tag}科技{i:06d}有限公司", DISTRICTS[i % len(DISTRICTS)],
                    INDUSTRIES[i % len(INDUSTRIES)], founded_on])
    return buf.getvalue(), usccs


def reports_csv(firm_ids: list[str], years: list[int]) -> str:
    """A reports import CSV: one healthy report per firm and year."""
    body = report_payload(ip_class1=1)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["firm_id", "fiscal_year", *body])
    for fid in firm_ids:
        for y in years:
            w.writerow([fid, y, *body.values()])
    return buf.getvalue()


def post_import(stack: Stack, kind: str, text: str) -> dict[str, Any]:
    """One POST /v1/imports; fails loudly unless every row was applied."""
    with stack.client("registry") as c:
        r = c.post("/v1/imports", params={"kind": kind},
                   files={"file": (f"{kind}.csv", text.encode(), "text/csv")})
    r.raise_for_status()
    out: dict[str, Any] = r.json()
    if out["rejected"]:
        raise RuntimeError(f"import rejected rows: {out['errors'][:3]}")
    return out


async def firm_ids(stack: Stack, usccs: list[str]) -> list[str]:
    """The registry's ids of these firms, in the same order."""
    conn = await asyncpg.connect(stack.dsn("registry"))
    try:
        rows = await conn.fetch("SELECT uscc, id FROM firms WHERE uscc = ANY($1)", usccs)
    finally:
        await conn.close()
    by_uscc = {r["uscc"]: str(r["id"]) for r in rows}
    return [by_uscc[u] for u in usccs]


async def settle(stack: Stack, timeout_s: float) -> dict[str, Any]:
    """Wait until the ladder applied every registry event and the notifier consumed every
    ladder event (`tracker wait`'s check); returns how long it took."""
    catch_up = await CatchUp.open(stack.server_url)
    start = time.perf_counter()
    try:
        while True:
            lag = await catch_up.lag()
            if lag.caught_up or time.perf_counter() - start > timeout_s:
                break
            await asyncio.sleep(0.25)
    finally:
        await catch_up.close()
    return {"settled": lag.caught_up, "settle_s": round(time.perf_counter() - start, 2),
            "registry_events": lag.registry_events, "ladder_applied": lag.ladder_applied,
            "ladder_events": lag.ladder_events, "notifier_consumed": lag.notifier_consumed,
            "entitlements_consumed": lag.entitlements_consumed}


def make_firms(stack: Stack, n: int, founded_on: str, tag: str) -> tuple[list[str], dict[str, Any]]:
    """n firms through POST /v1/imports (kind=firms); their ids and the import's rate."""
    text, usccs = firms_csv(n, founded_on, tag)
    start = time.perf_counter()
    post_import(stack, "firms", text)
    elapsed = time.perf_counter() - start
    return asyncio.run(firm_ids(stack, usccs)), {"firms": n, "s": round(elapsed, 2),
                                                 "rows_per_s": round(n / elapsed)}


def registry_phase(stack: Stack, ids: list[str], seconds: float, tmp: Path,
                   profile: Path | None) -> dict[str, Any]:
    """Report PUTs (a new firm-year each) and firm GETs through the running registry."""
    (tmp / "ids.txt").write_text("\n".join(ids) + "\n")
    (tmp / "body.json").write_text(json.dumps(report_payload()))
    env = {"BENCH_IDS": str(tmp / "ids.txt"), "BENCH_BODY": str(tmp / "body.json"),
           "BENCH_FIRST_YEAR": str(WRITE_FIRST_YEAR)}
    spy = py_spy(stack.pids["registry"], seconds, profile / "registry-writes") if profile else None
    writes = wrk(stack.url("registry"), seconds=seconds, script="put_reports.lua",
                 token=ADMIN_TOKEN, env=env)
    if spy:
        spy.wait()
    reads = wrk(stack.url("registry"), seconds=seconds, script="get_firms.lua",
                token=ADMIN_TOKEN, env=env)
    return {"writes": writes, "reads": reads}


def py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample pid with py-spy for `seconds`: collapsed stacks in out.txt (trimmed later)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
         "--subprocesses",  # a service of several processes: its workers
         "--duration", str(int(seconds)), "--rate", "50", "--format", "raw", "--nonblocking",
         "--output", f"{out}.txt"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def e2e_phase(stack: Stack, ids: list[str], timeout_s: float,
                    rate: float | None = None) -> dict[str, Any]:
    """File one Eaglet-making report per firm, 64 in flight (or paced at `rate` a second);
    time each 2xx → TierPromoted."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=100)
    parts = await topic_partitions(stack.bootstrap, STANDING_EVENTS)
    await consumer.start()
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    accepted: dict[str, float] = {}
    promoted: dict[str, float] = {}
    wanted = set(ids)

    async def watch() -> None:
        while len(promoted) < len(wanted):
            batch = await consumer.getmany(timeout_ms=500, max_records=5_000)
            for records in batch.values():
                for r in records:
                    e = json.loads(r.value)
                    if e["event_type"] == TierPromoted.__name__ and e["subject"] in wanted:
                        promoted.setdefault(e["subject"], r.timestamp / 1000)

    body = report_payload(ip_class1=1, filed_on=TODAY.isoformat())
    statuses: dict[int, int] = {}
    queue = list(ids)

    async def put(session: aiohttp.ClientSession, fid: str) -> None:
        async with session.put(f"/v1/firms/{fid}/reports/{FY}", json=body) as resp:
            await resp.read()
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            if resp.status < 300:
                accepted[fid] = time.time()

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            await put(session, queue.pop())

    async def paced(session: aiohttp.ClientSession, rate: float) -> None:
        tasks = []
        for fid in ids:
            tasks.append(asyncio.create_task(put(session, fid)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)

    watcher = asyncio.create_task(watch())
    cpu = CpuMeter(stack.pids)
    cpu_before = cpu.reading()
    try:
        start = time.time()
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        async with aiohttp.ClientSession(stack.url("registry"), headers=headers,
                                         connector=aiohttp.TCPConnector(limit=CONNECTIONS)) as s:
            if rate:
                await paced(s, rate)
            else:
                await asyncio.gather(*(worker(s) for _ in range(CONNECTIONS)))
        sent_s = time.time() - start
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(watcher), timeout_s)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await consumer.stop()
    cpu_ms = CpuMeter.per_item_ms(cpu_before, cpu.reading(), len(promoted))
    latencies = [(promoted[f] - accepted[f]) * 1000 for f in promoted if f in accepted]
    last = max(promoted.values(), default=start)
    return {"reports": len(ids), "offered_per_s": rate, "statuses": statuses,
            "cpu_ms_per_report": cpu_ms,
            "registry_accept_per_s": round(len(accepted) / sent_s, 1),
            "promoted": len(promoted), "settled_per_s": round(len(promoted) / (last - start), 1),
            "latency_p50_ms": percentile(latencies, 50), "latency_p99_ms": percentile(latencies, 99),
            "latency_max_ms": percentile(latencies, 100)}


async def notifier_phase(stack: Stack, events: int, timeout_s: float) -> dict[str, Any]:
    """Synthetic TierPromoted events straight onto the topic; time until each one became
    an alert per routed officer, with its delivery rows."""
    conn = await asyncpg.connect(stack.dsn("notifier"))
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        officers = await conn.fetchval("SELECT count(*) FROM officers WHERE deleted_at IS NULL")
        base_alerts = await conn.fetchval("SELECT count(*) FROM alerts")
        base_deliveries = await conn.fetchval("SELECT count(*) FROM deliveries")
        messages = []
        for i in range(events):
            fid = str(uuid.uuid4())
            firm = {"id": fid, "name": f"大连通知压测{i:06d}有限公司",
                    "district": DISTRICTS[i % len(DISTRICTS)],
                    "industry": INDUSTRIES[i % len(INDUSTRIES)]}
            e = example_of(TierPromoted, event_id=uuid.uuid4(), subject=fid, sequence=1,
                           data={**TierPromoted.example, "firm": firm,
                                 "decision_id": uuid.uuid4()})
            messages.append((fid.encode(), e.model_dump_json().encode()))
        start = time.perf_counter()
        for key, value in messages:
            await producer.send(STANDING_EVENTS, value=value, key=key)
        await producer.flush()
        want = events * officers
        alerts = 0
        while time.perf_counter() - start < timeout_s:
            alerts = await conn.fetchval("SELECT count(*) FROM alerts") - base_alerts
            if alerts >= want:
                break
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - start
        deliveries = await conn.fetchval("SELECT count(*) FROM deliveries") - base_deliveries
        return {"events": events, "officers": officers, "alerts": alerts,
                "deliveries": deliveries, "completed": alerts >= want, "s": round(elapsed, 2),
                "alerts_per_s": round(alerts / elapsed, 1)}
    finally:
        await producer.stop()
        await conn.close()


def import_phase(stack: Stack, ids: list[str], years: list[int], chunk_rows: int,
                 timeout_s: float) -> dict[str, Any]:
    """Every firm-year report through POST /v1/imports, then until every standing settled."""
    per_chunk = max(1, chunk_rows // len(years))
    cpu = CpuMeter(stack.pids)
    cpu_before = cpu.reading()
    start = time.perf_counter()
    applied = 0
    for i in range(0, len(ids), per_chunk):
        applied += post_import(stack, "reports", reports_csv(ids[i:i + per_chunk], years))["applied"]
    imported = time.perf_counter() - start
    settled = asyncio.run(settle(stack, timeout_s))
    total = time.perf_counter() - start
    cpu_ms = CpuMeter.per_item_ms(cpu_before, cpu.reading(), applied)
    return {"reports": len(ids) * len(years), "applied": applied, "import_s": round(imported, 1),
            "cpu_ms_per_report": cpu_ms,
            "import_rows_per_s": round(applied / imported), **settled,
            "total_s": round(total, 1), "settled_reports_per_s": round(applied / total, 1)}


def register_officer(stack: Stack) -> None:
    """One case officer for every district and industry, inbox plus a webhook to a local
    sink, so each promotion makes an alert and a delivery row."""
    stack.sink, sink_port = start_bare_asgi()
    with stack.client("notifier") as c:
        c.put("/v1/settings/webhook-allowlist", json={"hosts": ["127.0.0.1"]}).raise_for_status()
        c.post("/v1/officers", json={
            "name": "压测", "email": "bench@example.org",
            "channels": [{"kind": "webhook", "url": f"http://127.0.0.1:{sink_port}/hook"}],
        }).raise_for_status()


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"bench": "stack", "quick": args.quick, "machine_start": machine()}
    tmp = Path(tempfile.mkdtemp(prefix="ctb-stack-", dir="/tmp"))
    running = prepared_stack()
    for name in ("REGISTRY", "LADDER", "NOTIFIER"):
        running.env[f"{name}_PROCESSES"] = str(args.processes)
    if args.pool_max:
        running.env["DB_POOL_MAX_SIZE"] = str(args.pool_max)
    out.update(processes=args.processes, pool_max=args.pool_max or 10, phases=sorted(args.phases))
    start = time.perf_counter()
    running.start(timeout_s=300)
    stack = Stack(running)
    out["stack_start_s"] = round(time.perf_counter() - start, 1)
    rss = RssSampler(stack.pids)
    phases: dict[str, Any] = {}
    out["phases"] = phases
    try:
        def phase(name: str, fn: Any) -> None:
            log(f"{name}...")
            rss.phase = name
            t = time.perf_counter()
            try:
                phases[name] = {**fn(), "machine": machine()}
            except Exception as exc:  # noqa: BLE001  # one failed phase must not hide the rest
                phases[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            phases[name]["phase_s"] = round(time.perf_counter() - t, 1)
            log(f"{name}: {json.dumps(phases[name], ensure_ascii=False)}")

        s = args.seconds
        wanted = args.phases
        if "limits" in wanted:
            phase("limit_bare_asgi", lambda: bare_asgi(s))
            phase("limit_healthz", lambda: wrk(f"{stack.url('registry')}/healthz", seconds=s))
            phase("limit_pg_commit_1",
                  lambda: asyncio.run(commit_rate(stack.dsn("registry"), 1, 3)))
            phase("limit_pg_commit_16",
                  lambda: asyncio.run(commit_rate(stack.dsn("registry"), 16, 3)))
            phase("limit_kafka", lambda: asyncio.run(kafka_round_trip(
                stack.bootstrap, args.kafka_messages, 500, 4)))
        register_officer(stack)

        created: dict[str, list[str]] = {}

        def setup() -> dict[str, Any]:
            made: dict[str, Any] = {}
            for key, phase_name, n, founded, tag in (
                    ("write", "registry", args.write_firms, "1950-01-01", "W"),
                    ("e2e", "e2e", args.e2e_reports, f"{FY - 5}-01-15", "E"),
                    ("import", "import", args.import_firms, f"{FY - 6}-01-15", "I"),
                    ("paced", "paced", args.paced_reports, f"{FY - 5}-01-15", "P")):
                if phase_name in wanted:
                    created[key], made[f"{key}_firms"] = make_firms(stack, n, founded, tag)
            return {**made, **asyncio.run(settle(stack, args.timeout))}

        phase("setup_firms", setup)
        if "registry" in wanted:
            phase("registry",
                  lambda: registry_phase(stack, created["write"], s, tmp, args.profile))
            phase("registry_settle", lambda: asyncio.run(settle(stack, args.timeout)))
        if "e2e" in wanted:
            if args.profile:
                spy = py_spy(stack.pids["ladder"], 20, args.profile / "ladder-consume")
            phase("e2e", lambda: asyncio.run(e2e_phase(stack, created["e2e"], args.timeout)))
            if args.profile:
                spy.wait()
            phase("e2e_settle", lambda: asyncio.run(settle(stack, args.timeout)))
        if "paced" in wanted:
            phase("e2e_paced", lambda: asyncio.run(e2e_phase(
                stack, created["paced"], args.timeout, rate=args.paced_rate)))
            phase("e2e_paced_settle", lambda: asyncio.run(settle(stack, args.timeout)))
        if "notifier" in wanted:
            phase("notifier", lambda: asyncio.run(notifier_phase(stack, args.notifier_events,
                                                                 args.timeout)))
        if "import" in wanted:
            spies = [py_spy(pid, 30, args.profile / f"{name}-import")
                     for name, pid in stack.pids.items()] if args.profile else []
            phase("import", lambda: import_phase(
                stack, created["import"], list(range(FY - 4, FY + 1)), 20_000, args.timeout))
            for spy in spies:
                spy.wait()
    finally:
        out["rss_peak_mb"] = rss.stop()
        log("stopping the stack...")
        running.stop()
        if stack.sink is not None:
            stack.sink.terminate()
        shutil.rmtree(running.data_dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    out["machine_end"] = machine()
    return out


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument("--seconds", type=float, default=15, help="each wrk run")
    parser.add_argument("--write-firms", type=int, default=1_500)
    parser.add_argument("--e2e-reports", type=int, default=1_000)
    parser.add_argument("--paced-reports", type=int, default=300)
    parser.add_argument("--paced-rate", type=float, default=20,
                        help="reports a second offered in the paced end-to-end phase")
    parser.add_argument("--notifier-events", type=int, default=1_500)
    parser.add_argument("--import-firms", type=int, default=400, help="× 5 fiscal years")
    parser.add_argument("--kafka-messages", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=180, help="longest wait to settle")
    parser.add_argument("--profile", type=Path, help="py-spy the registry and the ladder")
    parser.add_argument("--processes", type=int, default=1,
                        help="processes per service (<SERVICE>_PROCESSES)")
    parser.add_argument("--pool-max", type=int, help="DB_POOL_MAX_SIZE (default: the services' own)")
    parser.add_argument("--phases", type=lambda v: set(v.split(",")), default=set(PHASES),
                        help=f"comma-separated, of: {','.join(PHASES)} (default: all)")
    args = parser.parse_args()
    if not args.phases <= set(PHASES):
        parser.error(f"unknown phases: {sorted(args.phases - set(PHASES))}")
    if args.quick:
        args.seconds, args.write_firms, args.e2e_reports, args.paced_reports = 3, 200, 100, 40
        args.notifier_events, args.import_firms, args.kafka_messages = 200, 100, 2_000
        args.timeout = 120
    with contextlib.redirect_stdout(sys.stderr):  # only the JSON line goes to stdout
        out = run(args)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
