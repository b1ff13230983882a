"""Ladder use cases that change state: consuming firm events, overrides, sweeps, targets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from ladder import repository as repo
from ladder.evaluation import PRODUCER, Outcome, firm_ref, recompute
from ladder.projection import project
from ladder.rulebook_store import RulebookStore
from ladder.targets_progress import TARGET_KEYS, publish_progress
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
                        rulebooks: RulebookStore, today: date) -> Outcome:
    """Project a registry event and recompute the firm's timeline up to today."""
    firm_id = await project(conn, event)
    return await recompute(conn, firm_id, rulebook=rulebooks.active, today=today,
                           trigger_event_id=event.event_id,
                           correlation_id=event.correlation_id or str(event.event_id))


async def override(pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, *, tier: str | None,
                   unicorn_grade: str | None, reason: str, rulebooks: RulebookStore,
                   today: date) -> dict[str, Any]:
    """Set a tier by hand (or clear the override with tier=None), dated today; audited and
    published through the firm's timeline."""
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.standing(conn, firm_id, lock=True)
        if row is None:
            raise NotFound(f"the ladder has no firm {firm_id}")
        if tier is None and row["override_tier"] is None:
            raise Rejected("tier", "override_present", "there is no override to clear")
        if tier is not None and (tier == "unicorn") != (unicorn_grade is not None):
            raise Rejected("unicorn_grade", "grade_with_unicorn",
                           "give unicorn_grade exactly when tier is unicorn")
        await repo.add_override(conn, firm_id, set_on=today, tier=tier,
                                unicorn_grade=unicorn_grade, reason=reason, by=ctx.actor)
        outcome = await recompute(conn, firm_id, rulebook=rulebooks.active, today=today,
                                  correlation_id=ctx.correlation_id)
        if tier is not None:
            await repo.save_standing(conn, firm_id, {"override_by": ctx.actor,
                                                     "override_at": datetime.now(UTC)})
        change = "override" if tier is not None else "override_cleared"
        await audit.record(conn, actor=ctx.actor, action=change, subject=str(firm_id),
                           before={"tier": row["tier"], "override": row["override_tier"] is not None},
                           after={"tier": outcome.tier, "override": tier is not None,
                                  "reason": reason}, correlation_id=ctx.correlation_id)
    return {"firm_id": firm_id, "tier": outcome.tier, "override": tier is not None,
            "decision_id": outcome.decision_id}


async def sweep(pool: asyncpg.Pool, *, rulebooks: RulebookStore, today: date) -> dict[str, int]:
    """Daily: apply the filing expiries the timeline holds, send expiry notices, recheck paces."""
    counts = {"expired": 0, "notices": 0}
    for firm_id in await repo.expiring(pool, today):
        async with pool.acquire() as conn, conn.transaction():
            await recompute(conn, firm_id, rulebook=rulebooks.active, today=today)
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
                                   correlation_id=None, previous=None)
    return counts


async def put_targets(pool: asyncpg.Pool, ctx: Ctx, year: int, values: dict[str, int]) -> None:
    """Replace a year's targets (admin); audited."""
    async with pool.acquire() as conn, conn.transaction():
        before = await repo.targets(conn, year)
        await repo.put_targets(conn, year, values, ctx.actor)
        await audit.record(conn, actor=ctx.actor, action="targets.put", subject=str(year),
                           before=before, after=values, correlation_id=ctx.correlation_id)
