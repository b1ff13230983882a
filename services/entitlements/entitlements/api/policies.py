"""Routes of policy sets: the active one with its sources, drafts, activation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from entitlements import queries
from entitlements.api.deps import Reads, Today, Uow
from entitlements.handlers import policies
from entitlements.schemas import (
    Activated,
    PolicySetIn,
    PolicySetOut,
    PolicySets,
    PolicySetSummary,
)
from shared.auth import AdminCtx, Reader

router = APIRouter(prefix="/v1", tags=["policies"])
SetId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Version = Annotated[int, Path(ge=1)]


@router.get("/policies", response_model=PolicySetOut,
            summary="The active policy set: each policy's trigger, amounts, scope and source")
async def active_policies(repo: Reads, who: Reader) -> PolicySetOut:
    return await queries.active_set(repo)


@router.get("/policy-sets", response_model=PolicySets, summary="Policy sets held")
async def list_sets(repo: Reads, who: Reader) -> PolicySets:
    return await queries.policy_sets(repo)


@router.post("/policy-sets", status_code=201, response_model=PolicySetSummary,
             summary="Upload a draft policy set (validated field by field)",
             responses={409: {"description": "This id and version are already held"}})
async def upload(draft: PolicySetIn, uow: Uow, ctx: AdminCtx, repo: Reads) -> PolicySetSummary:
    await policies.upload_draft(uow, draft, ctx)
    return next(PolicySetSummary(**dict(r)) for r in await repo.policy_sets()
                if (r["id"], r["version"]) == (draft.id, draft.version))


@router.post("/policy-sets/{set_id}/{version}/activate", response_model=Activated,
             summary="Make a set active and recompute entitlements (approved and paid stand)",
             responses={404: {"description": "No such policy set"}})
async def activate(set_id: SetId, version: Version, uow: Uow, ctx: AdminCtx,
                   today: Today) -> Activated:
    changed = await policies.activate(uow, set_id, version, ctx, today=today)
    return Activated(id=set_id, version=version, changed=changed)
