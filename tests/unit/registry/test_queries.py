"""The read models over the fake repository (no I/O): pages, facts, history, events."""

from __future__ import annotations

import uuid

import pytest

from registry.domain.models import AnnualReportIn, CertificateIn, FirmIn
from registry.queries import Queries
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import NotFound
from shared.paging import position_of
from tests.factories import firm_payload, report_payload
from tests.unit.registry.answers import file_report, grant_certificate, register_firm, run_import
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit


async def test_cursor_pages_cover_every_firm_once(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    ids = {(await register_firm(uow, ctx, FirmIn.model_validate(
        firm_payload(district="changhai"))))[0].id for _ in range(5)}
    await register_firm(uow, ctx, FirmIn.model_validate(firm_payload(district="jinpu")))
    reads, seen, after = Queries(uow.repo), [], None
    while True:
        page = await reads.firms(district="changhai", industry=None, q=None, after_row=after,
                                 limit=2)
        seen += [f.id for f in page.items]
        if page.next_cursor is None:
            break
        after = position_of(page.next_cursor, int)
    assert len(seen) == 5 and set(seen) == ids


async def test_firm_with_facts_and_report_history(uow: FakeRegistryUoW, ctx: Ctx,
                                                  firm: Firm) -> None:
    for revenue in (30_000_000, 31_000_000):
        await file_report(uow, ctx, firm.id, 2021,
                          AnnualReportIn.model_validate(report_payload(revenue=revenue)),
                          today=TODAY)
    await grant_certificate(uow, ctx, firm.id, CertificateIn.model_validate(
        {"kind": "tech_sme", "issued_on": "2022-01-01"}))
    reads = Queries(uow.repo)
    detail = await reads.firm(firm.id)
    assert detail.sequence == 4 and [r.revenue for r in detail.reports] == [31_000_000]
    assert [c.kind for c in detail.certificates] == ["tech_sme"] and detail.funding_rounds == []
    report = await reads.report(firm.id, 2021)
    assert report.version == 2 and [h.data.revenue for h in report.history] == [30_000_000]
    events = await reads.events(firm.id, after_sequence=1, limit=2)
    assert [e.event_type for e in events.items] == ["AnnualReportFiled", "AnnualReportRestated"]
    assert position_of(events.next_cursor, int) == 3
    last = await reads.events(firm.id, after_sequence=3, limit=2)
    assert [e.sequence for e in last.items] == [4] and last.next_cursor is None


async def test_import_job_and_missing_things(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    report = await run_import(uow, ctx, "firms", b"uscc,name,district,industry,founded_on\n",
                              today=TODAY)
    reads = Queries(uow.repo)
    job = await reads.import_job(report.id)
    assert (job.status, job.total_rows, job.actor) == ("completed", 0, "officer:k1")
    for missing in (reads.firm(uuid.uuid4()), reads.report(uuid.uuid4(), 2021),
                    reads.events(uuid.uuid4(), after_sequence=0, limit=10),
                    reads.import_job(uuid.uuid4())):
        with pytest.raises(NotFound):
            await missing
