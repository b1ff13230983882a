"""An entitlement's steps by hand (offer, confirm, decline, approve, pay, expire, cancel) and
finance's payment list: each dated, audited, by role, with its event."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from entitlements.domain.payments import Payment, error
from entitlements.domain.states import check_move
from entitlements.handlers.reconcile import state_changed
from entitlements.repository import Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import Conflict, NotFound, Rejected
from shared.events import EntitlementStateChanged


async def move(uow: UnitOfWork, entitlement_id: uuid.UUID, to: str, ctx: Ctx, *, on: date,
               option_id: str | None = None, amount: int | None = None,
               note: str | None = None) -> None:
    """Move one entitlement a step; raises 404, 409 (wrong state) or 422 (role, option)."""
    async with uow:
        row = await uow.repo.entitlement(entitlement_id, lock=True)
        if row is None:
            raise NotFound(f"no entitlement {entitlement_id}")
        await _move(uow, row, to, ctx, on=on, option_id=option_id, amount=amount, note=note)


async def _move(uow: UnitOfWork, row: Row, to: str, ctx: Ctx, *, on: date,
                option_id: str | None, amount: int | None, note: str | None) -> None:
    check_move(row["state"], to, ctx.principal.role)
    changes: dict[str, Any] = {"state": to}
    step_amount = row["amount"]
    if to == "offered":
        if not row["complete"]:
            missing = "; ".join(o["missing"] for o in row["options"] if o.get("missing"))
            raise Conflict(f"cannot offer before the figures it needs are reported: {missing}",
                           conflict={"missing": missing})
        changes["offered_on"] = on
    elif to == "confirmed":
        options = {o["option_id"]: o for o in row["options"]}
        chosen = option_id or row["options"][0]["option_id"]
        if chosen not in options:
            raise Rejected("option_id", "option", f"'{chosen}' is not an option of this "
                           f"entitlement; one of: {', '.join(options)}")
        step_amount = options[chosen]["amount"]
        changes |= {"chosen_option": chosen, "amount": step_amount}
        option_id = chosen
    elif to == "paid":
        step_amount = row["amount"] if amount is None else amount
        if step_amount > row["amount"]:
            raise Rejected("amount", "max", f"paid amount {step_amount} exceeds the approved "
                           f"amount {row['amount']}")
        changes |= {"paid_amount": step_amount, "paid_on": on}
    elif to == "cancelled":
        changes["cancel_reason"] = "by_hand"
    await uow.repo.update(row["id"], changes)
    await uow.repo.add_step(row["id"], from_state=row["state"], to_state=to, on=on,
                            by=ctx.actor, amount=step_amount, option_id=option_id, note=note)
    await uow.repo.audit(actor=ctx.actor, action=f"entitlement.{to}", subject=str(row["id"]),
                         before={"state": row["state"], "amount": row["amount"]},
                         after={"state": to, "amount": step_amount, "note": note},
                         correlation_id=ctx.correlation_id)
    await uow.outbox.add(
        EntitlementStateChanged, subject=str(row["firm_id"]), correlation_id=ctx.correlation_id,
        data=state_changed(row, to=to, on=on, by=ctx.actor, amount=step_amount,
                           option_id=option_id, reason=note))


async def import_payments(uow: UnitOfWork, payments: list[Payment],
                          ctx: Ctx) -> tuple[int, int, list[dict[str, str]]]:
    """Mark approved entitlements paid from finance's list, all or nothing; a row already paid
    with the same amount and date is a repeat and is skipped. Returns (paid, repeats, errors):
    with errors nothing was written."""
    async with uow:
        errors: list[dict[str, str]] = []
        todo: list[tuple[Payment, Row]] = []
        repeats = 0
        for p in payments:
            row = await uow.repo.entitlement(p.entitlement_id, lock=True)
            if row is None:
                errors.append(error(p.row, "entitlement_id", "exists", "no such entitlement"))
            elif row["state"] == "paid" and (row["paid_amount"], row["paid_on"]) == (
                    p.amount, p.paid_on):
                repeats += 1
            elif row["state"] != "approved":
                errors.append(error(p.row, "entitlement_id", "state",
                                    f"the entitlement is {row['state']}, not approved"))
            elif p.amount > row["amount"]:
                errors.append(error(p.row, "amount", "max", f"{p.amount} exceeds the approved "
                                    f"amount {row['amount']}"))
            else:
                todo.append((p, row))
        if errors:
            return 0, repeats, errors
        for p, row in todo:
            await _move(uow, row, "paid", ctx, on=p.paid_on, option_id=None, amount=p.amount,
                        note=f"payment list row {p.row}")
        return len(todo), repeats, []
