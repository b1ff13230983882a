"""Registry events in: fold each firm's facts, then reconcile its entitlements.

Runs on the consumer's transaction (the repository it is given), so the dedupe rows, the facts,
the entitlements and their events commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from entitlements.domain.facts import RELEVANT, fold, load
from entitlements.handlers.reconcile import active_policies, reconcile
from entitlements.repository import Repository
from shared.events import EventEnvelope
from shared.outbox import Outbox


async def apply_events(repo: Repository, outbox: Outbox, events: list[EventEnvelope], *,
                       today: date) -> list[int]:
    """Apply a consumed batch; returns, per event, how many entitlements its firm changed."""
    relevant = [e for e in events if e.event_type in RELEVANT]
    if not relevant:
        return [0 for _ in events]
    by_firm: dict[uuid.UUID, list[EventEnvelope]] = defaultdict(list)
    for e in relevant:
        by_firm[uuid.UUID(e.subject)].append(e)
    firm_ids = sorted(by_firm)
    stored = await repo.facts_for_update(firm_ids)
    policies = await active_policies(repo)
    changed: dict[uuid.UUID, int] = {}
    for fid in firm_ids:
        facts = load(str(fid), stored.get(fid))
        for e in by_firm[fid]:
            facts = fold(facts, e)
        await repo.save_facts(fid, facts.model_dump(mode="json"))
        changed[fid] = await reconcile(repo, outbox, facts, policies, today=today,
                                       correlation_id=str(by_firm[fid][-1].event_id))
    return [changed.get(uuid.UUID(e.subject), 0) if e.event_type in RELEVANT else 0
            for e in events]
