"""Registering a firm and changing its profile or compliance flags."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.domain.models import FirmIn, FirmPatch
from registry.domain.rules import FLAGS, check_patch, registration
from registry.handlers.common import locked_firm, new_batch, profile, record
from registry.repository import EventBatch, Row, UnitOfWork
from registry.schemas import Firm
from shared.auth import Ctx
from shared.events import (
    ComplianceFlagChanged,
    ComplianceFlagChangedData,
    FirmProfile,
    FirmProfileChanged,
    FirmProfileChangedData,
    FirmRegistered,
    FirmRegisteredData,
)


def registered(batch: EventBatch, firm: Row, fields: dict[str, Any]) -> None:
    """Add a new firm's event and audit entry to the batch."""
    batch.event(firm, FirmRegistered,
                FirmRegisteredData(firm=FirmProfile(id=firm["id"], **fields)))
    batch.audit("firm.register", str(firm["id"]), after=fields)


async def register_firm(uow: UnitOfWork, ctx: Ctx, body: FirmIn) -> tuple[Firm, bool]:
    """Register a firm; (firm, created). The same USCC with identical data is a no-op replay."""
    fields = body.model_dump()
    async with uow:
        existing = await uow.repo.firm_by_uscc(body.uscc)
        if registration(existing, fields):
            inserted = await uow.repo.insert_firms([(uuid.uuid4(), fields)])
            if inserted:
                batch = new_batch(ctx)
                registered(batch, inserted[0], fields)
                return Firm.model_validate(await record(uow, batch, inserted[0]["id"])), True
            existing = await uow.repo.firm_by_uscc(body.uscc)  # registered meanwhile
            assert existing is not None
            registration(existing, fields)  # a 409 unless it is the same firm
    return Firm.model_validate(existing), False


async def patch_firm(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, body: FirmPatch, *,
                     today: date) -> Firm:
    """Change profile fields and compliance flags; one event per kind of change."""
    wanted = body.changes()
    effective_on = body.effective_on or today
    async with uow:
        row = await locked_firm(uow, firm_id)
        changes = {k: v for k, v in wanted.items() if row[k] != v}
        if not changes:
            return Firm.model_validate(row)
        first = await uow.repo.earliest_report_year(firm_id) if "founded_on" in changes else None
        check_patch(row, changes, effective_on, first)
        after = await uow.repo.update_firm(firm_id, changes)
        batch = new_batch(ctx)
        profile_changes = {k: v for k, v in changes.items() if k not in FLAGS}
        if profile_changes:
            batch.event(after, FirmProfileChanged, FirmProfileChangedData(
                firm=profile(after),
                changed={k: {"before": row[k], "after": v} for k, v in profile_changes.items()},
                effective_on=effective_on))
        for flag in FLAGS:
            if flag in changes:
                batch.event(after, ComplianceFlagChanged, ComplianceFlagChangedData(
                    firm_id=firm_id, flag=flag, value=changes[flag], effective_on=effective_on))
        batch.audit("firm.update", str(firm_id), before={k: row[k] for k in changes},
                    after={**changes, "effective_on": effective_on})
        return Firm.model_validate(await record(uow, batch, firm_id))
