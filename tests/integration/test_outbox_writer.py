"""The one outbox writer on a real PostgreSQL: `add_all`, its one-statement fast path
`add_sequenced` (with audit entries, with and without the caller's change), and the one
unit of work that binds a repository and the outbox to a transaction, or joins the caller's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared import outbox
from shared.audit import Entry
from shared.db import DbConn, create_pool
from shared.events import Draft, FirmRegistered, FirmRegisteredData
from shared.repository import Sql
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS
from shared.uow import UnitOfWork
from tests.conftest import fresh_database
from tests.factories import firm_payload

pytestmark = pytest.mark.integration


def _data(firm_id: uuid.UUID) -> FirmRegisteredData:
    return FirmRegisteredData.model_validate({"firm": {"id": firm_id, **firm_payload()}})


def _registered(firm_id: uuid.UUID, sequence: int) -> Any:
    return Draft(FirmRegistered, str(firm_id), _data(firm_id), "corr-1").numbered(sequence)


class _Repo(Sql):
    async def count(self, table: str) -> int:
        n: int = await self.conn.fetchval(f"SELECT count(*) FROM {table}")
        return n


class _Uow(UnitOfWork[_Repo]):
    repository = _Repo
    producer = "registry"


async def test_the_fast_path_writes_events_sequences_and_audit_in_one_statement(
        pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    firm_id = uuid.uuid4()
    try:
        async with pool.acquire() as conn, conn.transaction():
            rows = await outbox.add_sequenced(
                conn, FIRM_EVENTS, {str(firm_id): (0, 1)}, [_registered(firm_id, 1)],
                actor="admin:t", correlation_id="corr-1",
                audits=[Entry("firm.register", str(firm_id), after={"n": 1})])
        assert rows == []  # no change of the caller's: nothing to answer
        assert await pool.fetchval("SELECT last FROM subject_sequences WHERE subject = $1",
                                   str(firm_id)) == 1
        stored = await pool.fetchrow("SELECT event_type, sequence, topic FROM outbox")
        assert tuple(stored) == ("FirmRegistered", 1, FIRM_EVENTS)
        audit = await pool.fetchrow("SELECT actor, action, after, correlation_id FROM audit_log")
        assert tuple(audit) == ("admin:t", "firm.register", {"n": 1}, "corr-1")

        # the caller's change joins the statement and its rows come back
        async with pool.acquire() as conn, conn.transaction():
            rows = await outbox.add_sequenced(
                conn, FIRM_EVENTS, {str(firm_id): (1, 2)}, [_registered(firm_id, 2)],
                actor="admin:t", correlation_id=None,
                change="changed AS (SELECT s.subject, s.last FROM s)")
        assert rows == [{"subject": str(firm_id), "last": 2}]

        # a sequence another writer moved: refused, and nothing of the batch is written
        with pytest.raises(outbox.SequenceDrift):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add_sequenced(
                    conn, FIRM_EVENTS, {str(firm_id): (1, 2)}, [_registered(firm_id, 2)],
                    actor="admin:t", correlation_id=None,
                    audits=[Entry("firm.update", str(firm_id))])
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 2
        assert await pool.fetchval("SELECT count(*) FROM audit_log") == 1
        # and the numbering path continues from the sequence the fast path stored
        async with pool.acquire() as conn, conn.transaction():
            (event,) = await outbox.add_all(conn, [Draft(FirmRegistered, str(firm_id),
                                                         _data(firm_id), None)])
        assert event.sequence == 3
    finally:
        await pool.close()


async def test_the_unit_of_work_commits_rolls_back_and_joins_the_callers_transaction(
        pg_server_url: str) -> None:
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "registry"))
    pool = await create_pool(dsn)
    firm_id = uuid.uuid4()
    data = _data(firm_id)

    async def audited(uow: _Uow, action: str) -> None:
        async with uow:
            await uow.repo.audit(actor="admin:t", action=action, subject=str(firm_id))
            await uow.outbox.add(FirmRegistered, subject=str(firm_id), data=data)

    try:
        await audited(_Uow(pool), "committed")
        with pytest.raises(RuntimeError):
            async with _Uow(pool) as uow:
                await uow.repo.audit(actor="admin:t", action="rolled back", subject=None)
                raise RuntimeError("the block fails")
        conn: DbConn
        async with pool.acquire() as conn:
            async with conn.transaction():
                await audited(_Uow.joined(conn), "joined")
            tx = conn.transaction()
            await tx.start()
            await audited(_Uow.joined(conn), "joined, then rolled back by its caller")
            await tx.rollback()
        actions = [r["action"] for r in await pool.fetch("SELECT action FROM audit_log ORDER BY id")]
        assert actions == ["committed", "joined"]
        assert await _Repo(pool).count("outbox") == 2
        assert pool.get_size() - pool.get_idle_size() == 0  # every connection went back
    finally:
        await pool.close()
