"""Which rulebook is in force, and the drafts admins upload."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ladder.domain.rulebook import Rulebook, default_rulebook
from shared.errors import Conflict, Rejected

if TYPE_CHECKING:
    from ladder.repository import UnitOfWork


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
