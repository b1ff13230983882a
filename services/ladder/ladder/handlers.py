"""Ladder use cases that change state: consuming firm events, overrides, sweeps, targets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

import asyncpg

from ladder import repository as repo
from ladder.domain.standing import clear_override, set_override
from ladder.evaluation import (
    EVENT_FOR,
    PRODUCER,
    Outcome,
    firm_ref,
    reevaluate,
    standing_of,
)
from ladder.projection import project
from ladder.rulebook_store import RulebookStore
from ladder.targets_progress import TARGET_KEYS, count_certificate, publish_progress
from shared import audit, outbox
from shared.db import DbConn
from shared.errors import NotFound, Rejected
from shared.events import EventEnvelope
from shared.topics import STANDING_EVENTS

EXPIRY_NOTICE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Ctx:
    """Who asks and the request id."""

    actor: str
    correlation_id: str | None = None


async def on_firm_event(conn: DbConn, event: EventEnvelope, *,
                        rulebooks: RulebookStore, today: date) -> Outcome | None:
    """Project a registry event and re-evaluate the firm (None for a stale event)."""
    applied = await project(conn, event)
    if applied.stale:
        return None
    if applied.certificate is not None:
        found = await repo.state(conn, applied.firm_id)
        assert found is not None
        facts, row = found
        others = tuple(c for c in facts.certificates
                       if c.issued_on != applied.certificate["issued_on"]
                       or c.kind != applied.certificate["kind"])
        await count_certificate(conn, firm=firm_ref(row), granted=applied.certificate,
                                held=others, correlation_id=str(event.event_id))
    return await reevaluate(conn, applied.firm_id, rulebook=rulebooks.active, on=today,
                            trigger_event_id=event.event_id, dated_year=applied.dated_year,
                            correlation_id=event.correlation_id or str(event.event_id))


async def override(pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, *, tier: str | None,
                   unicorn_grade: str | None, reason: str, rulebooks: RulebookStore,
                   today: date) -> dict[str, Any]:
    """Set a tier by hand (or clear the override with tier=None); audited and published."""
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.standing(conn, firm_id, lock=True)
        if row is None:
            raise NotFound(f"the ladder has no firm {firm_id}")
        before = standing_of(row)
        if tier is None:
            if not before.override:
                raise Rejected("tier", "override_present", "there is no override to clear")
            await repo.save_standing(conn, firm_id, {"override_tier": None, "override_reason": None,
                                                     "override_by": None, "override_at": None})
            new = clear_override(before)
            change = "override_cleared"
        else:
            if (tier == "unicorn") != (unicorn_grade is not None):
                raise Rejected("unicorn_grade", "grade_with_unicorn",
                               "give unicorn_grade exactly when tier is unicorn")
            new = set_override(before, tier, reason, today, unicorn_grade,
                               rulebooks.active.filing_validity_years)
            await repo.save_standing(conn, firm_id, {
                "tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": False,
                "filed_on": new.filed_on, "expires_on": new.expires_on, "override_tier": tier,
                "override_reason": reason, "override_by": ctx.actor, "override_at": _now()})
            change = "override"
        decision_id = uuid.uuid4()
        await repo.insert_decision(conn, {
            "id": decision_id, "firm_id": firm_id, "change": change, "from_tier": before.tier,
            "to_tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": False,
            "fiscal_year": row["fiscal_year"], "round_year": row["round_year"] or today.year,
            "rulebook_id": row["rulebook_id"] or rulebooks.active.id,
            "reason": f"manual override by {ctx.actor}: {reason}", "actor": ctx.actor})
        await outbox.append(conn, topic=STANDING_EVENTS, event_type=EVENT_FOR["override"],
                            producer=PRODUCER, subject=str(firm_id),
                            correlation_id=ctx.correlation_id, data={
            "firm": firm_ref(row), "change": "override", "from_tier": before.tier,
            "to_tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": False,
            "filed_on": new.filed_on, "expires_on": new.expires_on,
            "round_year": row["round_year"] or today.year,
            "rulebook_id": row["rulebook_id"] or rulebooks.active.id,
            "decision_id": decision_id, "reason": f"manual override: {reason}",
            "registry_sequence": row["last_sequence"]})
        await audit.record(conn, actor=ctx.actor, action=change, subject=str(firm_id),
                           before={"tier": before.tier, "override": before.override},
                           after={"tier": new.tier, "override": tier is not None,
                                  "reason": reason}, correlation_id=ctx.correlation_id)
        if tier is None:  # back under the rules at once
            await reevaluate(conn, firm_id, rulebook=rulebooks.active, on=today,
                             correlation_id=ctx.correlation_id)
    return {"firm_id": firm_id, "tier": new.tier, "override": tier is not None,
            "decision_id": decision_id}


def _now() -> Any:
    from datetime import datetime

    return datetime.now(UTC)


async def sweep(pool: asyncpg.Pool, *, rulebooks: RulebookStore, today: date) -> dict[str, int]:
    """Daily: expired filings renew or drop, expiry notices go out, target paces are rechecked."""
    counts = {"expired": 0, "notices": 0}
    for firm_id in await repo.expiring(pool, today):
        async with pool.acquire() as conn, conn.transaction():
            await reevaluate(conn, firm_id, rulebook=rulebooks.active, on=today, expiry_sweep=True)
            counts["expired"] += 1
    horizon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    for due in await repo.expiry_notices_due(pool, horizon):
        async with pool.acquire() as conn, conn.transaction():
            row = await repo.standing(conn, due["firm_id"], lock=True)
            if row is None or row["expires_on"] != due["expires_on"] or row["expires_on"] <= today:
                continue
            await outbox.append(conn, topic=STANDING_EVENTS, event_type="FilingExpiring",
                                producer=PRODUCER, subject=str(due["firm_id"]), data={
                "firm": firm_ref(row), "tier": row["tier"], "expires_on": row["expires_on"],
                "days_left": (row["expires_on"] - today).days})
            await repo.save_standing(conn, due["firm_id"], {"expiry_notice_for": row["expires_on"]})
            counts["notices"] += 1
    async with pool.acquire() as conn, conn.transaction():
        for key in TARGET_KEYS:
            await publish_progress(conn, year=today.year, key=key, firm=None, today=today,
                                   correlation_id=None, entered=False)
    return counts


async def put_targets(pool: asyncpg.Pool, ctx: Ctx, year: int, values: dict[str, int]) -> None:
    """Replace a year's targets (admin); audited."""
    async with pool.acquire() as conn, conn.transaction():
        before = await repo.targets(conn, year)
        await repo.put_targets(conn, year, values, ctx.actor)
        await audit.record(conn, actor=ctx.actor, action="targets.put", subject=str(year),
                           before=before, after=values, correlation_id=ctx.correlation_id)
