"""Registering a firm and changing its profile or compliance flags."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from registry.domain.models import FactCorrectionIn, FirmIn, FirmPatch
from registry.domain.profile_facts import from_json, profile_on, to_json, unchanged_fact
from registry.domain.results import FieldPatched, ProfilePatched
from registry.domain.rules import FLAGS, check_patch, registration
from registry.handlers.common import locked_firm, new_batch, profile, record
from registry.repository import EventBatch, Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import Conflict, NotFound, Rejected
from shared.events import (
    ComplianceFlagChanged,
    ComplianceFlagChangedData,
    FirmProfile,
    FirmProfileChanged,
    FirmProfileChangedData,
    FirmRegistered,
    FirmRegisteredData,
    ProfileFactCorrected,
    ProfileFactCorrectedData,
)


def registered(batch: EventBatch, firm: Row, fields: dict[str, Any]) -> None:
    """Add a new firm's event and audit entry to the batch."""
    batch.event(firm, FirmRegistered,
                FirmRegisteredData(firm=FirmProfile(id=firm["id"], **fields)))
    batch.audit("firm.register", str(firm["id"]), after=fields)


async def register_firm(uow: UnitOfWork, ctx: Ctx, body: FirmIn) -> tuple[Row, bool]:
    """Register a firm; (firm, created). The same USCC with identical data is a no-op replay."""
    fields = body.model_dump()
    async with uow:
        existing = await uow.repo.firm_by_uscc(body.uscc)
        if registration(existing, fields):
            inserted = await uow.repo.insert_firms([(uuid.uuid4(), fields)])
            if inserted:
                batch = new_batch(ctx)
                registered(batch, inserted[0], fields)
                return await record(uow, batch, inserted[0]["id"]), True
            existing = await uow.repo.firm_by_uscc(body.uscc)  # registered meanwhile
            assert existing is not None
            registration(existing, fields)  # a 409 unless it is the same firm
    assert existing is not None  # `registration` asks for an insert when there is none
    return existing, False


def _fact(firm_id: uuid.UUID, field: str, value: Any, valid_from: date, ctx: Ctx, *,
          corrects: Row | None = None) -> Row:
    """A new fact, as `insert_profile_facts` takes it (its sequence set with its event)."""
    return {"id": uuid.uuid4(), "firm_id": firm_id, "field": field, "value": to_json(value),
            "valid_from": valid_from, "source": "changed" if corrects is None else "corrected",
            "sequence": 0, "recorded_by": ctx.actor,
            "corrects": corrects["id"] if corrects is not None else None}


def _with(facts: list[Row], new: list[Row], corrected: Row | None = None) -> list[Row]:
    """The facts as they will stand once `new` is recorded (after every stored one) and
    `corrected` is marked."""
    top = max((f["n"] for f in facts), default=0)
    return [({**f, "corrected_by": new[0]["id"]} if corrected is not None
             and f["id"] == corrected["id"] else f) for f in facts] + [
        {**f, "n": top + i + 1, "corrected_by": None} for i, f in enumerate(new)]


def _events(batch: EventBatch, row: Row, firm_after: Row, new: list[Row], before: Row,
            valid_from: date) -> None:
    """One FirmProfileChanged for the profile fields, one ComplianceFlagChanged per flag;
    each fact gets its event's sequence."""
    profile_facts = [f for f in new if f["field"] not in FLAGS]
    if profile_facts:
        seq = batch.event(row, FirmProfileChanged, FirmProfileChangedData(
            firm=profile(firm_after),
            changed={f["field"]: {"before": before[f["field"]],
                                  "after": from_json(f["field"], f["value"])}
                     for f in profile_facts},
            effective_on=valid_from))
        for f in profile_facts:
            f["sequence"] = seq
    for f in sorted((f for f in new if f["field"] in FLAGS),
                    key=lambda f: FLAGS.index(f["field"])):
        f["sequence"] = batch.event(row, ComplianceFlagChanged, ComplianceFlagChangedData(
            firm_id=row["id"], flag=f["field"], value=f["value"], effective_on=valid_from))


async def patch_firm(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, body: FirmPatch, *,
                     today: date) -> ProfilePatched:
    """Record each field sent as a fact valid from `effective_on` (docs/rulebook.md "Time");
    a field whose value is already valid from that same date is unchanged (its fact is
    named). One event per kind of change; the firm's row keeps the profile valid today."""
    wanted = body.changes()
    effective_on = body.effective_on or today
    async with uow:
        row = await locked_firm(uow, firm_id)
        facts = await uow.repo.profile_facts(firm_id)
        kept = {k: f for k, v in wanted.items()
                if (f := unchanged_fact(facts, k, v, effective_on)) is not None}
        changes = {k: v for k, v in wanted.items() if k not in kept}
        if not changes:
            return ProfilePatched(row, [FieldPatched(k, kept[k], None) for k in wanted])
        first = await uow.repo.earliest_report_year(firm_id) if "founded_on" in changes else None
        check_patch(row, changes, effective_on, first)
        new = [_fact(firm_id, k, v, effective_on, ctx) for k, v in changes.items()]
        before = profile_on(facts, effective_on, row)
        current = profile_on(_with(facts, new), today, row)
        batch = new_batch(ctx)
        _events(batch, row, {**row, **current}, new, before, effective_on)
        stored = {f["field"]: f for f in await uow.repo.insert_profile_facts(new)}
        await _keep_current(uow, row, current)
        batch.audit("firm.update", str(firm_id), before={k: before[k] for k in changes},
                    after={**changes, "effective_on": effective_on})
        after = await record(uow, batch, firm_id)
    return ProfilePatched(after, [
        FieldPatched(k, kept[k], None) if k in kept
        else FieldPatched(k, stored[k], stored[k]["sequence"]) for k in wanted])


async def _keep_current(uow: UnitOfWork, row: Row, current: Mapping[str, Any]) -> None:
    """Set the firm's row to the profile valid today, where it differs."""
    diff = {k: v for k, v in current.items() if row[k] != v}
    if diff:
        await uow.repo.update_firm(row["id"], diff)


async def correct_fact(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, fact_id: uuid.UUID,
                       body: FactCorrectionIn, *, today: date) -> tuple[Row, bool]:
    """Move a fact to its true valid date: a new fact corrects it (audited, published with
    the fact it corrects); (the fact now standing, whether it was corrected). The same date
    again is a no-op."""
    async with uow:
        row = await locked_firm(uow, firm_id)
        facts = await uow.repo.profile_facts(firm_id)
        old = next((f for f in facts if f["id"] == fact_id), None)
        if old is None:
            raise NotFound(f"firm {firm_id} has no profile fact {fact_id}")
        if old["corrected_by"] is not None:
            raise Conflict(f"fact {fact_id} was already corrected",
                           corrected_by=str(old["corrected_by"]))
        if old["valid_from"] == body.effective_on:
            return old, False
        if old["source"] == "registered":
            raise Rejected("fact_id", "not_registration",
                           "a registration's values hold from the founding date; "
                           "correct founded_on instead")
        value = from_json(old["field"], old["value"])
        check_patch(row, {}, body.effective_on, None)
        new = [_fact(firm_id, old["field"], value, body.effective_on, ctx, corrects=old)]
        after_facts = _with(facts, new, corrected=old)
        current = profile_on(after_facts, today, row)
        batch = new_batch(ctx)
        new[0]["sequence"] = batch.event(row, ProfileFactCorrected, ProfileFactCorrectedData(
            firm=profile({**row, **current}), fact_id=new[0]["id"], field=old["field"],
            value=value, valid_from=body.effective_on, corrects=old["id"],
            corrects_sequence=old["sequence"], corrected_valid_from=old["valid_from"]))
        stored = (await uow.repo.insert_profile_facts(new))[0]
        await uow.repo.mark_corrected(old["id"], stored["id"])
        await _keep_current(uow, row, current)
        batch.audit("firm.fact.correct", str(firm_id),
                    before={"fact_id": str(old["id"]), "valid_from": old["valid_from"]},
                    after={"fact_id": str(stored["id"]), "valid_from": body.effective_on,
                           "field": old["field"], "reason": body.reason})
        await record(uow, batch, firm_id)
    return stored, True
