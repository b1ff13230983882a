"""Which rulebook is in force, and the drafts admins upload."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

import asyncpg
from pydantic import ValidationError

from ladder.domain.rulebook import Rulebook, default_rulebook
from ladder.repository import Repository
from shared.errors import Conflict, DomainError, Rejected

if TYPE_CHECKING:
    from ladder.repository import UnitOfWork
    from ladder.workers import WhatIfWorker


class RulebookStore:
    """Holds the active rulebook in memory (drafts are read from the database on demand)."""

    def __init__(self, active: Rulebook):
        self.active = active


async def load_rulebooks(uow: UnitOfWork) -> RulebookStore:
    """The active rulebook from the database; the shipped default stored on a first start."""
    async with uow:
        document = await uow.repo.active_rulebook()
        if document is None:
            shipped = default_rulebook()
            await uow.repo.save_rulebook(shipped.id, shipped.model_dump(mode="json"), "active",
                                         "shipped")
            return RulebookStore(shipped)
    return RulebookStore(Rulebook.model_validate(document))


async def upload_draft(uow: UnitOfWork, store: RulebookStore, document: dict[str, Any],
                       actor: str) -> Rulebook:
    """Validate and store a draft; the active rulebook's id cannot be reused."""
    try:
        rulebook = Rulebook.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Rejected("rulebook." + ".".join(map(str, first["loc"])), first["type"],
                       first["msg"]) from None
    if rulebook.id == store.active.id:
        raise Conflict(f"{rulebook.id} is the active rulebook; give the draft a new id",
                       rulebook_id=rulebook.id, status="active")
    async with uow:
        await uow.repo.save_rulebook(rulebook.id, rulebook.model_dump(mode="json"), "draft",
                                     actor)
    return rulebook


class WhatIfFailed(DomainError):
    """The worker could not finish a what-if (the job says why)."""

    status = 500


async def start_what_if(pool: asyncpg.Pool, worker: WhatIfWorker, active: Rulebook, *,
                        rulebook_id: str | None, overrides: dict[str, Any] | None,
                        round_year: int, traces: bool, limit: int, today: date,
                        actor: str) -> tuple[uuid.UUID, asyncio.Future[str]]:
    """Check the draft (404/422 now, not later), store the job, hand it to the worker."""
    from ladder.queries.whatif import draft_for  # the draft is read as the what-if reads it

    draft = await draft_for(pool, active, rulebook_id=rulebook_id, overrides=overrides)
    job_id = uuid.uuid4()
    request = {"rulebook_id": rulebook_id, "overrides": overrides, "round_year": round_year,
               "include_traces": traces, "limit": limit, "today": today.isoformat()}
    repo = Repository(pool)
    await repo.new_simulation_job(job_id, request, actor)
    future = worker.submit(pool, job_id, baseline=active, draft=draft, round_year=round_year,
                           traces=traces, limit=limit, today=today)
    return job_id, future
