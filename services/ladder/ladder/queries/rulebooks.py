"""Read models of rulebooks: the list, one document, a stored one to simulate with."""

from __future__ import annotations

import asyncpg

from ladder.domain.rulebook import Rulebook
from ladder.repository import Repository
from ladder.schemas import RulebookListed, RulebookOut, RulebookPage, RulebookSummary
from shared.errors import NotFound


def summary(rulebook: Rulebook, status: str) -> RulebookSummary:
    """What a list of rulebooks shows for each."""
    provisional = [name for name, tier in rulebook.tiers.model_dump().items()
                   if isinstance(tier, dict) and tier.get("provisional")]
    return RulebookSummary(id=rulebook.id, title=rulebook.title, status=status,
                           round_years=rulebook.round_years, provisional_tiers=provisional)


async def stored(pool: asyncpg.Pool, rulebook_id: str) -> Rulebook:
    """A stored rulebook (draft or active) by id."""
    row = await Repository(pool).rulebook(rulebook_id)
    if row is None:
        raise NotFound(f"no rulebook {rulebook_id}")
    return Rulebook.model_validate(row["document"])


async def rulebooks(pool: asyncpg.Pool) -> RulebookPage:
    """The active rulebook and the drafts, oldest first (few: one page)."""
    items = []
    for row in await Repository(pool).rulebooks():
        listed = summary(await stored(pool, row["id"]), row["status"])
        items.append(RulebookListed(**listed.model_dump(), uploaded_by=row["uploaded_by"],
                                    uploaded_at=row["uploaded_at"]))
    return RulebookPage(items=items, next_cursor=None)


async def rulebook(pool: asyncpg.Pool, rulebook_id: str) -> RulebookOut:
    """One stored rulebook, every rule."""
    row = await Repository(pool).rulebook(rulebook_id)
    if row is None:
        raise NotFound(f"no rulebook {rulebook_id}")
    return RulebookOut(id=row["id"], status=row["status"], document=row["document"])
