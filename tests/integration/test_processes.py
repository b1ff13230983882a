"""A service started with `<SERVICE>_PROCESSES=2`: both processes serve the one port, /metrics
adds them up, one relay publishes each event once, both consume in one group, and a dead
worker stops the service."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from shared.event_examples import DATA, example
from shared.kafka import topic_end_offsets
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS, STANDING_EVENTS
from tests.conftest import fresh_database
from tests.factories import ADMIN_TOKEN, firm_payload, random_uscc
from tracker.ports import free_port

pytestmark = pytest.mark.integration


@dataclass
class Running:
    """`python -m <service>` with two processes, and what the test needs of it."""

    proc: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path
    dsn: str

    def workers(self) -> list[psutil.Process]:
        """The spawned server processes (not multiprocessing's resource tracker)."""
        return [c for c in psutil.Process(self.proc.pid).children()
                if "resource_tracker" not in " ".join(c.cmdline())]

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@asynccontextmanager
async def two_processes(service: str, pg_server_url: str, broker: str,
                        tmp_path: Path) -> AsyncIterator[Running]:
    """`python -m <service>` on a fresh database and the given broker, with two processes."""
    database = await fresh_database(pg_server_url, service)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROCESSES")}
    env.update({"DATABASE_URL": pg_server_url, "DATABASE_NAME": database,
                "KAFKA_BOOTSTRAP_SERVERS": broker, f"{service.upper()}_PORT": str(port),
                "TRACKER_ADMIN_TOKEN": ADMIN_TOKEN, f"{service.upper()}_PROCESSES": "2"})
    log = tmp_path / f"{service}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", service], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    running = Running(proc, f"http://127.0.0.1:{port}", port, log,
                      database_url_for(pg_server_url, database))
    try:
        await _until_ready(running)
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
async def registry_of_two(pg_server_url: str, fresh_broker: str,
                          tmp_path: Path) -> AsyncIterator[Running]:
    """The registry on a fresh database and broker, served by two processes."""
    async with two_processes("registry", pg_server_url, fresh_broker, tmp_path) as running:
        yield running


async def _until_ready(running: Running, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=running.url, timeout=2) as client:
        while time.monotonic() < deadline:
            assert running.proc.poll() is None, f"the registry exited:\n{running.output()}"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"the registry was not ready in time:\n{running.output()}")


def _serving(running: Running) -> dict[int, int]:
    """Open connections to the port held by each worker."""
    return {w.pid: sum(1 for c in w.net_connections(kind="tcp")
                       if c.laddr and c.laddr.port == running.port and c.status == "ESTABLISHED")
            for w in running.workers()}


async def test_both_processes_serve_and_metrics_add_them_up(registry_of_two: Running) -> None:
    running = registry_of_two
    workers = running.workers()
    assert len(workers) == 2, [w.cmdline() for w in workers]
    clients: list[httpx.AsyncClient] = []
    try:
        # each client keeps its connection open: the worker that accepted it holds it
        while min(_serving(running).values()) == 0:
            assert len(clients) < 200, f"one worker took every connection: {_serving(running)}"
            client = httpx.AsyncClient(base_url=running.url, timeout=10)
            clients.append(client)
            assert (await client.get("/healthz")).status_code == 200
        held = _serving(running)
        assert sorted(held) == sorted(w.pid for w in workers)
        # every process answers ready: the one without the relay's lock stands by
        for client in clients:
            assert (await client.get("/readyz")).status_code == 200
        metrics = (await clients[0].get("/metrics")).text
    finally:
        for client in clients:
            await client.aclose()
    served = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                 if line.startswith("http_requests_total{") and 'route="/healthz"' in line)
    assert served == len(clients), (held, metrics[:2000])  # the sum over both processes


async def test_one_relay_publishes_each_event_once(registry_of_two: Running,
                                                   fresh_broker: str) -> None:
    firms = 24
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for _ in range(firms):  # a new connection each, so the writes spread over both
        async with httpx.AsyncClient(base_url=registry_of_two.url, headers=headers,
                                     timeout=10) as client:
            assert (await client.post("/v1/firms", json=firm_payload())).status_code == 201
    deadline = time.monotonic() + 30
    while await topic_end_offsets(fresh_broker, FIRM_EVENTS) < firms:
        assert time.monotonic() < deadline, "the outbox was not published in time"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # a second relay, if there were one, would publish them again
    assert await topic_end_offsets(fresh_broker, FIRM_EVENTS) == firms
    assert registry_of_two.proc.poll() is None


async def test_a_worker_killed_stops_the_service_for_its_supervisor(
        registry_of_two: Running) -> None:
    running = registry_of_two
    first, second = running.workers()
    first.send_signal(signal.SIGKILL)
    code = await asyncio.to_thread(running.proc.wait, 40)
    assert code == 128 + signal.SIGKILL, running.output()
    assert not second.is_running() or second.status() == psutil.STATUS_ZOMBIE
    with httpx.Client(timeout=2) as client, pytest.raises(httpx.ConnectError):
        client.get(f"{running.url}/healthz")  # the port is free for the restart


async def test_sigterm_stops_every_process(registry_of_two: Running) -> None:
    running = registry_of_two
    workers = running.workers()
    running.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(running.proc.wait, 40) == 0, running.output()
    assert all(not w.is_running() or w.status() == psutil.STATUS_ZOMBIE for w in workers)


async def test_two_ladder_processes_share_the_group_and_apply_each_event_once(
        pg_server_url: str, fresh_broker: str, tmp_path: Path) -> None:
    firms = [str(uuid.uuid4()) for _ in range(30)]
    async with two_processes("ladder", pg_server_url, fresh_broker, tmp_path) as ladder:
        admin = AIOKafkaAdminClient(bootstrap_servers=fresh_broker)
        await admin.start()
        try:
            deadline = time.monotonic() + 60
            while len(await _members(admin, "ladder")) < 2:  # both joined: partitions shared
                assert time.monotonic() < deadline, f"one consumer only:\n{ladder.output()}"
                await asyncio.sleep(0.5)
        finally:
            await admin.close()
        producer = AIOKafkaProducer(bootstrap_servers=fresh_broker, acks="all")
        await producer.start()
        try:
            for fid in firms:
                profile = {**DATA["FirmRegistered"]["firm"], "id": fid, "uscc": random_uscc()}
                report = {**DATA["AnnualReportFiled"], "firm_id": fid}  # an Eaglet's report
                for event in (example("FirmRegistered", event_id=uuid.uuid4(), subject=fid,
                                      sequence=1, data={"firm": profile}),
                              example("AnnualReportFiled", event_id=uuid.uuid4(), subject=fid,
                                      sequence=2, data=report)):
                    await producer.send(FIRM_EVENTS, event.model_dump_json().encode(),
                                        key=fid.encode())
            await producer.flush()
        finally:
            await producer.stop()
        conn = await asyncpg.connect(ladder.dsn)
        try:
            deadline = time.monotonic() + 60
            while await conn.fetchval("SELECT count(*) FROM processed_events") < 2 * len(firms):
                assert time.monotonic() < deadline, f"not applied in time:\n{ladder.output()}"
                await asyncio.sleep(0.3)
            await asyncio.sleep(2)  # a redelivery, if any, would be applied by now
            assert await conn.fetchval("SELECT count(*) FROM processed_events") == 2 * len(firms)
            projected = await conn.fetchval("SELECT count(*) FROM firms WHERE id = ANY($1)",
                                            [uuid.UUID(f) for f in firms])
            assert projected == len(firms)
            deadline = time.monotonic() + 30
            while await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                assert time.monotonic() < deadline, "the ladder's outbox was not published"
                await asyncio.sleep(0.3)
            written = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE topic = $1", STANDING_EVENTS)
            assert written >= len(firms)  # a TierPromoted each, at least
        finally:
            await conn.close()
        await asyncio.sleep(2)  # a second relay, if there were one, would publish them again
        assert await topic_end_offsets(fresh_broker, STANDING_EVENTS) == written


async def _members(admin: AIOKafkaAdminClient, group: str) -> list[object]:
    """The group's members, from the raw DescribeGroups answer (group_id 2nd, members 6th)."""
    for response in await admin.describe_consumer_groups([group]):
        for described in response.groups:
            if described[1] == group:
                return list(described[5])
    return []
