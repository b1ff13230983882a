"""Read models the GET routes answer: the registry's tables as the API shows them."""

from __future__ import annotations

import json
import uuid
from datetime import date

from registry.domain.profile_facts import profile_on
from registry.repository import Repository
from registry.schemas import (
    Firm,
    FirmChanges,
    FirmDetail,
    FirmEvent,
    ImportJob,
    ProfileFact,
    ReportWithHistory,
)
from shared.errors import NotFound, Rejected
from shared.paging import Page, page_of


class Queries:
    """Reads over a repository bound to the pool (each read its own statement)."""

    def __init__(self, repo: Repository):
        self.repo = repo

    async def firms(self, *, district: str | None, industry: str | None, q: str | None,
                    after_row: int | None, limit: int) -> Page[Firm]:
        """A page of firms in registration order."""
        rows = await self.repo.list_firms(district=district, industry=industry, q=q,
                                          after_row=after_row or 0, limit=limit + 1)
        page = page_of(rows, limit, lambda r: int(r["row_no"]))
        return Page[Firm](items=[Firm.model_validate(r) for r in page.items],
                          next_cursor=page.next_cursor)

    async def firm(self, firm_id: uuid.UUID, *, as_of: date | None = None,
                   today: date | None = None) -> FirmDetail:
        """One firm with its reports, rounds and certificates; its profile and flags as they
        stood on `as_of` (default: today's)."""
        row = await self.repo.firm_detail(firm_id)
        if row is None:
            raise NotFound(f"no firm with id {firm_id}")
        if as_of is not None:
            if today is not None and as_of > today:
                raise Rejected("as_of", "not_future", f"as_of {as_of} is after today ({today})")
            if as_of < row["founded_on"]:
                raise Rejected("as_of", "after_founding",
                               f"as_of {as_of} is before the firm was founded "
                               f"({row['founded_on']})")
            row = {**row, **profile_on(await self.repo.profile_facts(firm_id), as_of, row)}
        return FirmDetail.model_validate(row)

    async def changes(self, firm_id: uuid.UUID) -> FirmChanges:
        """Every dated fact of the firm's profile and flags, corrected ones marked."""
        if await self.repo.firm(firm_id) is None:
            raise NotFound(f"no firm with id {firm_id}")
        facts = sorted(await self.repo.profile_facts(firm_id),
                       key=lambda f: (f["valid_from"], f["n"]))
        return FirmChanges(firm_id=firm_id, items=[ProfileFact.model_validate(f) for f in facts])

    async def report(self, firm_id: uuid.UUID, fiscal_year: int) -> ReportWithHistory:
        """A year's report with the versions it replaced."""
        row = await self.repo.report(firm_id, fiscal_year)
        if row is None:
            raise NotFound(f"firm {firm_id} has no report for fiscal year {fiscal_year}")
        return ReportWithHistory(**row, history=await self.repo.report_history(firm_id,
                                                                               fiscal_year))

    async def events(self, firm_id: uuid.UUID, *, after_sequence: int,
                     limit: int) -> Page[FirmEvent]:
        """A page of the firm's events in sequence order, each saying if it was published."""
        if await self.repo.firm(firm_id) is None:
            raise NotFound(f"no firm with id {firm_id}")
        rows = await self.repo.events(str(firm_id), after_sequence, limit + 1)
        events = [FirmEvent.model_validate({**json.loads(r["payload"]),
                                            "published": r["published_at"] is not None})
                  for r in rows]
        return page_of(events, limit, lambda e: e.sequence)

    async def import_job(self, import_id: uuid.UUID) -> ImportJob:
        """An earlier import's report."""
        row = await self.repo.import_job(import_id)
        if row is None:
            raise NotFound(f"no import with id {import_id}")
        return ImportJob.model_validate(row)
