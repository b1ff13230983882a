"""The round's use cases: filings recorded, corrected and revoked; applications and their steps.

A filing that answers an open application (named, or the firm's only open one for that round
and tier) closes it with a `filed` step in the same transaction, so importing the province's
list moves the round's funnel without a second pass.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.domain.models import ApplicationIn, FilingIn, FilingPatch, FilingRevokeIn, StepIn
from registry.domain.results import ApplicationStored, Stored
from registry.domain.round import (
    Application,
    allowed_steps,
    check_application,
    check_grade,
    filing_expiry,
    next_state,
    second_application,
)
from registry.domain.round import StepIn as Step
from registry.handlers.common import locked_firm, new_batch, record
from registry.repository import EventBatch, Row, UnitOfWork
from shared.auth import Ctx
from shared.codes import city_decides
from shared.errors import NotFound, Rejected
from shared.events import (
    ApplicationStepRecorded,
    ApplicationStepRecordedData,
    ApplicationSubmitted,
    ApplicationSubmittedData,
    FilingCorrected,
    FilingCorrectedData,
    FilingRecorded,
    FilingRecordedData,
    FilingRevoked,
    FilingRevokedData,
)

FILING_EVENT_FIELDS = ("tier", "unicorn_grade", "listed_on", "expires_on", "list_name",
                       "application_id", "source")


def filing_data(row: Row) -> dict[str, Any]:
    """The filing as events carry it."""
    return {"filing_id": row["id"], **{k: row[k] for k in FILING_EVENT_FIELDS}}


def filing_fields(body: FilingIn, *, source: str) -> dict[str, Any]:
    """A filing's stored fields from a request or an import row, checked."""
    check_grade(body.tier, body.unicorn_grade)
    return {"tier": body.tier, "unicorn_grade": body.unicorn_grade,
            "listed_on": body.listed_on,
            "expires_on": filing_expiry(body.listed_on, body.expires_on),
            "list_name": body.list_name, "application_id": body.application_id,
            "source": source}


async def _answered(uow: UnitOfWork, firm: Row, fields: dict[str, Any]) -> Row | None:
    """The application a new filing answers: the one named, else the firm's open one for the
    list's round (its year, or the year before for a list published early in the year) and
    tier that is ready for the decision."""
    if fields["application_id"] is not None:
        app = await uow.repo.application(firm["id"], fields["application_id"])
        if app is None:
            raise Rejected("application_id", "exists",
                           f"firm {firm['id']} has no application {fields['application_id']}")
        return app
    year = fields["listed_on"].year
    for app in reversed(await uow.repo.applications_of(firm["id"], tier=fields["tier"])):
        if app["round_year"] in (year, year - 1) and "filed" in allowed_steps(_machine(app)):
            return app
    return None


def _machine(app: Row) -> Application:
    return Application(tier=app["tier"], state=app["state"], last_on=app["last_on"])


async def file_one(uow: UnitOfWork, batch: EventBatch, firm: Row, fields: dict[str, Any], *,
                   today: date) -> Row:
    """Record a filing of a locked firm (and the `filed` step of the application it answers)
    into the batch."""
    if fields["listed_on"] < firm["founded_on"]:
        raise Rejected("listed_on", "after_founding", "a firm cannot be filed before it was founded")
    app = await _answered(uow, firm, fields)
    step: dict[str, Any] | None = None
    state = ""
    if app is not None:
        if app["tier"] != fields["tier"]:
            raise Rejected("application_id", "same_tier",
                           f"the application is for {app['tier']}, the filing for {fields['tier']}")
        step = {"step": "filed", "on": fields["listed_on"], "note": fields["list_name"]}
        filing_id = uuid.uuid4()
        state = next_state(_machine(app), Step("filed", fields["listed_on"], filing_id=filing_id),
                           today=today)
        fields = {**fields, "application_id": app["id"]}
    else:
        filing_id = uuid.uuid4()
    stored = await uow.repo.insert_filing(filing_id, firm["id"], fields)
    batch.event(firm, FilingRecorded, FilingRecordedData.model_validate({"firm_id": firm["id"], "filing": filing_data(stored)}))
    batch.audit("filing.record", str(firm["id"]), after=fields)
    if app is not None and step is not None:
        step["filing_id"] = filing_id
        await uow.repo.add_step(app["id"], state, step, batch.actor)
        batch.event(firm, ApplicationStepRecorded, ApplicationStepRecordedData.model_validate({
            "firm_id": firm["id"], "application_id": app["id"], "round_year": app["round_year"],
            "tier": app["tier"], "step": "filed", "on": fields["listed_on"],
            "filing_id": filing_id, "by": batch.actor, "note": fields["list_name"]}))
        batch.audit("application.step", str(firm["id"]), after={**step, "application_id": app["id"]})
    return stored


async def record_filing(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, body: FilingIn, *,
                        today: date) -> tuple[Stored, bool]:
    """Record a filing by hand; (filing, created). The same list naming the firm again for the
    same tier answers the stored filing."""
    fields = filing_fields(body, source="manual")
    async with uow:
        firm = await locked_firm(uow, firm_id)
        same = (await uow.repo.standing_filings([(firm_id, body.tier, body.list_name)])).get(
            (firm_id, body.tier, body.list_name))
        if same is not None:
            return Stored(same, firm["sequence"]), False
        batch = new_batch(ctx)
        stored = await file_one(uow, batch, firm, fields, today=today)
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"]), True


async def correct_filing(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, filing_id: uuid.UUID,
                         body: FilingPatch) -> Stored:
    """Correct a filing as recorded (a wrong date, tier or list name); unchanged is a no-op."""
    async with uow:
        firm = await locked_firm(uow, firm_id)
        old = await uow.repo.filing(firm_id, filing_id)
        if old is None:
            raise NotFound(f"firm {firm_id} has no filing {filing_id}")
        if old["revoked_on"] is not None:
            raise Rejected("filing_id", "not_revoked", "a revoked filing cannot be corrected")
        new = {k: old[k] for k in FILING_EVENT_FIELDS} | body.model_dump(exclude_unset=True)
        if "tier" in body.model_fields_set and new["tier"] != "unicorn":
            new["unicorn_grade"] = body.unicorn_grade
        check_grade(new["tier"], new["unicorn_grade"])
        expires = body.expires_on if "expires_on" in body.model_fields_set else (
            None if "listed_on" in body.model_fields_set else old["expires_on"])
        new["expires_on"] = filing_expiry(new["listed_on"], expires)
        if all(new[k] == old[k] for k in FILING_EVENT_FIELDS):
            return Stored(old, firm["sequence"])
        stored = await uow.repo.update_filing(filing_id, new)
        batch = new_batch(ctx)
        batch.event(firm, FilingCorrected, FilingCorrectedData.model_validate({"firm_id": firm_id, "filing": filing_data(stored),
                                              "previous": filing_data(old)}))
        batch.audit("filing.correct", str(firm_id), before=filing_data(old),
                    after=filing_data(stored))
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"])


async def revoke_filing(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, filing_id: uuid.UUID,
                        body: FilingRevokeIn, *, today: date) -> Stored:
    """Revoke a filing (idempotent: revoking twice keeps the first revocation)."""
    async with uow:
        firm = await locked_firm(uow, firm_id)
        old = await uow.repo.filing(firm_id, filing_id)
        if old is None:
            raise NotFound(f"firm {firm_id} has no filing {filing_id}")
        if old["revoked_on"] is not None:
            return Stored(old, firm["sequence"])
        revoked_on = body.revoked_on or today
        if revoked_on < old["listed_on"]:
            raise Rejected("revoked_on", "after_listed", "revoked_on cannot be before listed_on")
        stored = await uow.repo.revoke_filing(filing_id, revoked_on, body.reason)
        batch = new_batch(ctx)
        batch.event(firm, FilingRevoked, FilingRevokedData.model_validate({"firm_id": firm_id, "filing_id": filing_id,
                                            "tier": old["tier"], "revoked_on": revoked_on,
                                            "reason": body.reason}))
        batch.audit("filing.revoke", str(firm_id), before=filing_data(old), after=filing_data(stored))
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"])


async def submit_application(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID,
                             body: ApplicationIn, *, today: date) -> ApplicationStored:
    """Record a firm's application in a round; a second one for the same round and tier is
    refused (after a withdrawal it may apply again)."""
    async with uow:
        firm = await locked_firm(uow, firm_id)
        earlier = await uow.repo.applications_of(firm_id, body.round_year, body.tier)
        batch = new_batch(ctx)
        stored = await submit(uow, batch, firm, body, earlier, today=today)
        firm = await record(uow, batch, firm_id)
    return _written(stored, [], firm["sequence"])


async def submit(uow: UnitOfWork, batch: EventBatch, firm: Row, body: ApplicationIn,
                 earlier: list[Row], *, today: date) -> Row:
    """Record an application of a locked firm into the batch (its earlier applications for
    the round and tier given)."""
    check_application(body.round_year, body.applied_on, firm["founded_on"], today=today)
    second_application([a["state"] for a in earlier], body.round_year, body.tier)
    fields = body.model_dump()
    application_id = uuid.uuid4()
    stored = await uow.repo.insert_application(application_id, firm["id"], fields, batch.actor)
    batch.event(firm, ApplicationSubmitted, ApplicationSubmittedData.model_validate({
        "firm_id": firm["id"], "application": {
            "application_id": application_id, "round_year": body.round_year,
            "tier": body.tier, "applied_on": body.applied_on},
        "by": batch.actor, "note": body.note}))
    batch.audit("application.submit", str(firm["id"]), after=fields)
    return stored


async def record_step(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, application_id: uuid.UUID,
                      body: StepIn, *, today: date) -> ApplicationStored:
    """Record the next step of an application; out of order, dated before the previous step, or
    missing what it must carry: a 422 saying why."""
    async with uow:
        firm = await locked_firm(uow, firm_id)
        app = await uow.repo.application(firm_id, application_id)
        if app is None:
            raise NotFound(f"firm {firm_id} has no application {application_id}")
        batch = new_batch(ctx)
        stored = await step_one(uow, batch, firm, app, body, today=today)
        firm = await record(uow, batch, firm_id)
        steps = await uow.repo.steps_of(application_id)
    return _written(stored, steps, firm["sequence"])


async def step_one(uow: UnitOfWork, batch: EventBatch, firm: Row, app: Row, body: StepIn, *,
                   today: date) -> Row:
    """Record an application's next step into the batch; the application after it."""
    firm_id = firm["id"]
    state = next_state(_machine(app), Step(body.step, body.on, passed=body.passed,
                                           reason=body.reason, filing_id=body.filing_id),
                       today=today)
    if body.filing_id is not None:
        filing = await uow.repo.filing(firm_id, body.filing_id)
        if filing is None or filing["revoked_on"] is not None:
            raise Rejected("filing_id", "exists",
                           f"firm {firm_id} has no standing filing {body.filing_id}")
        if filing["tier"] != app["tier"]:
            raise Rejected("filing_id", "same_tier",
                           f"the filing is for {filing['tier']}, the application for "
                           f"{app['tier']}")
    step = body.model_dump()
    stored = await uow.repo.add_step(app["id"], state, step, batch.actor)
    batch.event(firm, ApplicationStepRecorded, ApplicationStepRecordedData.model_validate({
        "firm_id": firm_id, "application_id": app["id"], "round_year": app["round_year"],
        "tier": app["tier"], **step, "by": batch.actor}))
    batch.audit("application.step", str(firm_id), before={"state": app["state"]},
                after={**step, "state": state})
    return stored


def _written(app: Row, steps: list[Row], sequence: int) -> ApplicationStored:
    return ApplicationStored(app, steps, sequence, allowed_steps(_machine(app)),
                             city_decides(app["tier"]))
