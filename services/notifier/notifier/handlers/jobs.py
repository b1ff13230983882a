"""Timed jobs the delivery worker runs each tick: daily digests and escalation."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime

from notifier.config import Settings
from notifier.domain.officers import Row, digest_time, route_of
from notifier.domain.render import RenderedAlert, render_digest
from notifier.domain.routing import supervisor_of
from notifier.domain.schedule import escalation_due, next_digest_at
from notifier.handlers.intake import alert_officer
from notifier.repository import UnitOfWork
from shared.events import parse_event

log = logging.getLogger(__name__)

# Digest message ids are reproducible from (officer, channel, digest time), like alert ids.
_DIGEST_NAMESPACE = uuid.UUID("0d6f3f0a-7a8e-4b2c-9a57-3c0e1d2b4f61")
BATCH = 50


async def fold_digests(uow: UnitOfWork, settings: Settings, now: datetime) -> int:
    """For each officer whose digest time has come: one message per channel holding all
    their due digest alerts, folded in the same transaction that queues the message."""
    made = 0
    async with uow:
        repo = uow.repo
        for officer in await repo.due_digest_officers(now, BATCH):
            groups: dict[str, list[Row]] = defaultdict(list)
            for item in await repo.digest_items(officer["id"], now):
                groups[item["channel_key"]].append(item)
            for key, items in groups.items():
                digest = render_digest(
                    [RenderedAlert.model_validate(i["rendered"]) for i in items],
                    officer["language"],
                )
                digest_id = uuid.uuid5(
                    _DIGEST_NAMESPACE,
                    f"{officer['id']}:{key}:{officer['next_digest_at'].isoformat()}",
                )
                inserted = await repo.insert_delivery({
                    "id": digest_id, "idempotency_key": str(digest_id), "alert_id": None,
                    "officer_id": officer["id"], "channel_key": key,
                    "channel": items[0]["channel"], "kind": "digest", "status": "pending",
                    "max_attempts": settings.notifier_max_attempts, "next_attempt_at": now,
                    "rendered": digest.model_dump(mode="json"), "created_at": now,
                    "updated_at": now,
                })
                if inserted:
                    await repo.fold_into_digest([i["id"] for i in items], digest_id)
                    made += 1
            await repo.set_next_digest(officer["id"],
                                       next_digest_at(now, digest_time(officer)))
    return made


async def escalate(uow: UnitOfWork, settings: Settings, now: datetime) -> int:
    """Send each critical alert left unacknowledged too long to the officer's supervisor,
    once; the original records when and to whom (nobody, when there is no supervisor)."""
    after = settings.notifier_escalation_after
    escalated = 0
    async with uow:
        repo = uow.repo
        candidates = await repo.escalation_candidates(now - after, BATCH)
        if not candidates:
            return 0
        officers = {r["id"]: r for r in await repo.officers()}
        routes = [route_of(r) for r in officers.values()]
        for alert in candidates:
            if not escalation_due(alert["kind"], alert["created_at"], alert["acknowledged_at"],
                                  now, after):
                continue
            boss_id = supervisor_of(alert["officer_id"], routes)
            if boss_id is not None:
                officer = officers.get(alert["officer_id"])
                await alert_officer(
                    repo, parse_event(alert["source_event"]), alert["kind"], officers[boss_id],
                    settings=settings, now=now, via="escalation", escalation_of=alert,
                    escalated_from=officer["name"] if officer else "",
                )
                escalated += 1
            else:
                log.warning("critical alert %s unacknowledged and its officer has no "
                            "supervisor to escalate to", alert["id"])
            await repo.mark_escalated(alert["id"], now, boss_id)
    return escalated
