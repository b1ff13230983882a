"""Which rulebook is in force, and the drafts admins uploaded (stored in the ladder's DB)."""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import ValidationError

from ladder import repository as repo
from ladder.domain.rulebook import Rulebook, default_rulebook
from shared.errors import Conflict, NotFound, Rejected


class RulebookStore:
    """Holds the active rulebook in memory; drafts are read from the database on demand."""

    def __init__(self, active: Rulebook):
        self.active = active

    @classmethod
    async def load(cls, pool: asyncpg.Pool) -> RulebookStore:
        """The active rulebook from the database; the shipped default on a first start."""
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow("SELECT document FROM rulebooks WHERE status = 'active'"
                                      " ORDER BY uploaded_at DESC LIMIT 1")
            if row is None:
                shipped = default_rulebook()
                await repo.save_rulebook(conn, shipped.id, shipped.model_dump(mode="json"),
                                         "active", "shipped")
                return cls(shipped)
        return cls(Rulebook.model_validate(row["document"]))

    async def draft(self, pool: asyncpg.Pool, rulebook_id: str) -> Rulebook:
        """A stored rulebook (draft or active) by id."""
        row = await repo.rulebook(pool, rulebook_id)
        if row is None:
            raise NotFound(f"no rulebook {rulebook_id}")
        return Rulebook.model_validate(row["document"])

    async def upload_draft(self, pool: asyncpg.Pool, document: dict[str, Any], actor: str) -> Rulebook:
        """Validate and store a draft; the active rulebook's id cannot be reused."""
        try:
            rulebook = Rulebook.model_validate(document)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise Rejected("rulebook." + ".".join(map(str, first["loc"])), first["type"],
                           first["msg"]) from None
        if rulebook.id == self.active.id:
            raise Conflict(f"{rulebook.id} is the active rulebook; give the draft a new id")
        await repo.save_rulebook(pool, rulebook.id, rulebook.model_dump(mode="json"), "draft", actor)
        return rulebook


def summary(rulebook: Rulebook, status: str) -> dict[str, Any]:
    """What a list of rulebooks shows for each."""
    provisional = [name for name, tier in rulebook.tiers.model_dump().items()
                   if isinstance(tier, dict) and tier.get("provisional")]
    return {"id": rulebook.id, "title": rulebook.title, "status": status,
            "round_years": rulebook.round_years, "provisional_tiers": provisional}
