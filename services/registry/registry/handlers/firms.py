"""Registering a firm and changing its profile or compliance flags."""

from __future__ import annotations

import uuid
from datetime import date

from registry.domain.models import FirmIn, FirmPatch
from registry.domain.rules import FLAGS, check_patch
from registry.handlers.common import emit, locked_firm, profile
from registry.repository import UnitOfWork
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import Conflict


async def register_firm(uow: UnitOfWork, ctx: Ctx, body: FirmIn) -> tuple[Firm, bool]:
    """Register a firm; (firm, created). The same USCC with identical data is a no-op replay."""
    async with uow:
        return await register_in(uow, ctx, body)


async def register_in(uow: UnitOfWork, ctx: Ctx, body: FirmIn) -> tuple[Firm, bool]:
    """`register_firm` inside the caller's open unit of work."""
    fields = body.model_dump()
    existing = await uow.repo.firm_by_uscc(body.uscc)
    if existing is not None:
        if all(existing[k] == v for k, v in fields.items()):
            return Firm.model_validate(existing), False
        raise Conflict(f"a firm with USCC {body.uscc} is already registered",
                       existing_firm_id=str(existing["id"]), existing_name=existing["name"])
    firm_id = uuid.uuid4()
    await uow.repo.insert_firm(firm_id, fields)
    row = await emit(uow, ctx, firm_id, "FirmRegistered", {"firm": {"id": firm_id, **fields}})
    await uow.repo.audit(actor=ctx.actor, action="firm.register", subject=str(firm_id),
                         after=fields, correlation_id=ctx.correlation_id)
    return Firm.model_validate(row), True


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
        profile_changes = {k: v for k, v in changes.items() if k not in FLAGS}
        if profile_changes:
            after = await emit(uow, ctx, firm_id, "FirmProfileChanged", {
                "firm": profile(after),
                "changed": {k: {"before": row[k], "after": v} for k, v in profile_changes.items()},
                "effective_on": effective_on,
            })
        for flag in FLAGS:
            if flag in changes:
                after = await emit(uow, ctx, firm_id, "ComplianceFlagChanged", {
                    "firm_id": firm_id, "flag": flag, "value": changes[flag],
                    "effective_on": effective_on})
        await uow.repo.audit(actor=ctx.actor, action="firm.update", subject=str(firm_id),
                             before={k: row[k] for k in changes},
                             after={**changes, "effective_on": effective_on},
                             correlation_id=ctx.correlation_id)
        return Firm.model_validate(after)
