"""Targets and rulebooks through a fake unit of work (no I/O)."""

from __future__ import annotations

import pytest

from ladder import handlers
from ladder.domain.rulebook import default_rulebook
from shared.auth import Ctx, Principal
from shared.errors import Conflict, Rejected
from tests.unit.ladder.fakes import FakeLadderUnitOfWork

pytestmark = pytest.mark.unit
ADMIN = Ctx(Principal(key_id="root", role="admin"), correlation_id="req-9")


async def test_put_targets_replaces_the_year_and_audits_before_and_after() -> None:
    uow = FakeLadderUnitOfWork()
    await handlers.put_targets(uow, ADMIN, 2023, {"gazelle": 40})
    await handlers.put_targets(uow, ADMIN, 2023, {"eaglet": 200})
    assert uow.repo.targets_by_year[2023] == {"eaglet": 200} and uow.commits == 2
    last = uow.repo.audit_log[-1]
    assert (last["before"], last["after"], last["actor"]) == (
        {"gazelle": 40}, {"eaglet": 200}, "admin:root")
    assert not uow.outbox.events


async def test_the_first_start_stores_the_shipped_rulebook_and_later_starts_load_it() -> None:
    uow = FakeLadderUnitOfWork()
    first = await handlers.load_rulebooks(uow)
    assert first.active.id == default_rulebook().id
    assert uow.repo.stored_rulebooks[first.active.id]["status"] == "active"
    again = await handlers.load_rulebooks(uow)
    assert again.active == first.active and len(uow.repo.stored_rulebooks) == 1


async def test_a_draft_is_validated_and_never_takes_the_active_id() -> None:
    uow = FakeLadderUnitOfWork()
    store = await handlers.load_rulebooks(uow)
    document = store.active.model_dump(mode="json")
    with pytest.raises(Conflict) as same:
        await handlers.upload_draft(uow, store, document, "admin:root")
    assert same.value.extra == {"rulebook_id": store.active.id, "status": "active"}
    with pytest.raises(Rejected) as broken:
        await handlers.upload_draft(uow, store, {**document, "id": "x",
                                                 "filing_validity_years": 0}, "admin:root")
    assert "filing_validity_years" in broken.value.extra["field"]
    assert list(uow.repo.stored_rulebooks) == [store.active.id]

    draft = await handlers.upload_draft(uow, store, {**document, "id": "LN-2023-draft"},
                                        "admin:root")
    assert uow.repo.stored_rulebooks[draft.id] == {
        "document": draft.model_dump(mode="json"), "status": "draft", "uploaded_by": "admin:root"}
    assert store.active.id == default_rulebook().id  # a draft is never made active here
