"""Registry events in: fold each firm's facts, then reconcile its entitlements.

Runs in a unit of work joined to the consumer's transaction, so the dedupe rows, the facts,
the entitlements and their events commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from entitlements.domain.facts import RELEVANT, fold, load
from entitlements.handlers.reconcile import active_policies, reconcile
from entitlements.repository import Repository, UnitOfWork
from shared.events import AnyEvent
from shared.outbox import Outbox


async def apply_events(uow: UnitOfWork, events: list[AnyEvent], *, today: date) -> list[int]:
    """Apply a consumed batch; returns, per event, how many entitlements its firm changed."""
    relevant = [e for e in events if isinstance(e, RELEVANT)]
    if not relevant:
        return [0 for _ in events]
    async with uow:
        changed = await _apply(uow.repo, uow.outbox, relevant, today=today)
    return [changed.get(uuid.UUID(e.subject), 0) if isinstance(e, RELEVANT) else 0
            for e in events]


async def _apply(repo: Repository, outbox: Outbox, relevant: Sequence[AnyEvent], *,
                 today: date) -> dict[uuid.UUID, int]:
    by_firm: dict[uuid.UUID, list[AnyEvent]] = defaultdict(list)
    for r in relevant:
        by_firm[uuid.UUID(r.subject)].append(r)
    firm_ids = sorted(by_firm)
    stored = await repo.facts_for_update(firm_ids)
    policies = await active_policies(repo)
    changed: dict[uuid.UUID, int] = {}
    for fid in firm_ids:
        facts = load(str(fid), stored.get(fid))
        for event in by_firm[fid]:
            facts = fold(facts, event)
        await repo.save_facts(fid, facts.model_dump(mode="json"))
        changed[fid] = await reconcile(repo, outbox, facts, policies, today=today,
                                       correlation_id=str(by_firm[fid][-1].event_id))
    return changed
