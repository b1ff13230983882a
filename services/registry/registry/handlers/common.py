"""What every registry use case does: lock the firm, batch its events, answer it."""

from __future__ import annotations

import uuid

from registry.repository import PROFILE_FIELDS, EventBatch, Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import NotFound
from shared.events import FirmProfile


def new_batch(ctx: Ctx) -> EventBatch:
    """The events and audit entries this request's unit of work will write."""
    return EventBatch(actor=ctx.actor, correlation_id=ctx.correlation_id)


async def locked_firm(uow: UnitOfWork, firm_id: uuid.UUID) -> Row:
    """The firm, locked for this transaction; 404 when there is none."""
    row = (await uow.repo.lock_firms([firm_id])).get(firm_id)
    if row is None:
        raise NotFound(f"no firm with id {firm_id}")
    return row


async def record(uow: UnitOfWork, batch: EventBatch, firm_id: uuid.UUID) -> Row:
    """Write the batch (events, sequences, audit entries); the firm as it is now."""
    return (await uow.repo.record(batch))[firm_id]


def profile(row: Row) -> FirmProfile:
    """The firm's profile as events carry it."""
    return FirmProfile(id=row["id"], **{k: row[k] for k in PROFILE_FIELDS})
