"""Policy sets: admins upload drafts; activating one recomputes every firm's entitlements
(approved and paid amounts stand: a configuration change never alters them)."""

from __future__ import annotations

from datetime import date

from entitlements.domain.facts import load
from entitlements.domain.policies import PolicySet, shipped
from entitlements.handlers.reconcile import reconcile
from entitlements.repository import UnitOfWork
from shared.auth import Ctx
from shared.errors import Conflict, NotFound


async def install_shipped(uow: UnitOfWork) -> bool:
    """Make the shipped set the active one on a database that has none (first start)."""
    policies = shipped()
    async with uow:
        return await uow.repo.install_first(policies.id, policies.version,
                                            policies.model_dump(mode="json"))


async def upload_draft(uow: UnitOfWork, draft: PolicySet, ctx: Ctx) -> None:
    """Store a validated draft; 409 when its (id, version) is already held."""
    async with uow:
        if not await uow.repo.add_set(draft.id, draft.version, draft.model_dump(mode="json"),
                                      ctx.actor):
            raise Conflict(f"policy set {draft.id} v{draft.version} is already held; upload "
                           "the next version", conflict={"id": draft.id,
                                                         "version": draft.version})
        await uow.repo.audit(actor=ctx.actor, action="policy_set.upload",
                             subject=f"{draft.id}/v{draft.version}",
                             correlation_id=ctx.correlation_id)


async def activate(uow: UnitOfWork, set_id: str, version: int, ctx: Ctx, *,
                   today: date) -> int:
    """Make a held set active and recompute every firm; returns the entitlements changed."""
    async with uow:
        row = await uow.repo.policy_set(set_id, version)
        if row is None:
            raise NotFound(f"no policy set {set_id} v{version}")
        if row["status"] == "active":
            return 0
        await uow.repo.activate(set_id, version)
        policies = PolicySet.model_validate(row["body"])
        changed = 0
        for fid in await uow.repo.all_firm_ids():
            stored = await uow.repo.facts_for_update([fid])
            changed += await reconcile(uow.repo, uow.outbox, load(str(fid), stored.get(fid)),
                                       policies, today=today, correlation_id=ctx.correlation_id)
        await uow.repo.audit(actor=ctx.actor, action="policy_set.activate",
                             subject=f"{set_id}/v{version}", after={"changed": changed},
                             correlation_id=ctx.correlation_id)
        return changed
