"""What every registry use case does: lock the firm, append its event, answer it."""

from __future__ import annotations

import uuid
from typing import Any

from registry.repository import PROFILE_FIELDS, Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import NotFound
from shared.events import FirmProfile
from shared.topics import FIRM_EVENTS


async def locked_firm(uow: UnitOfWork, firm_id: uuid.UUID) -> Row:
    """The firm, locked for this transaction; 404 when there is none."""
    row = await uow.repo.firm(firm_id, lock=True)
    if row is None:
        raise NotFound(f"no firm with id {firm_id}")
    return row


async def emit(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, event_type: str,
               data: Any) -> Row:
    """Append the firm's next event in this transaction; the firm with its new sequence."""
    event = await uow.outbox.append(topic=FIRM_EVENTS, event_type=event_type,
                                    subject=str(firm_id), data=data,
                                    correlation_id=ctx.correlation_id)
    return await uow.repo.set_sequence(firm_id, event.sequence)


def profile(row: Row) -> FirmProfile:
    """The firm's profile as events carry it."""
    return FirmProfile(id=row["id"], **{k: row[k] for k in PROFILE_FIELDS})
