"""Filing and restating annual reports, through a fake unit of work (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from registry.domain.models import AnnualReportIn
from registry.repository import SequenceDrift
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import NotFound, Rejected
from tests.factories import report_payload
from tests.unit.registry.answers import file_report
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit


def _report(**overrides: object) -> AnnualReportIn:
    return AnnualReportIn.model_validate(report_payload(**overrides))


async def test_filed_then_unchanged_then_restated(uow: FakeRegistryUoW, ctx: Ctx,
                                                  firm: Firm) -> None:
    filed = await file_report(uow, ctx, firm.id, 2021, _report(filed_on="2022-03-01"), today=TODAY)
    assert (filed.outcome, filed.sequence, filed.version) == ("filed", 2, 1)
    same = await file_report(uow, ctx, firm.id, 2021, _report(), today=TODAY)
    assert (same.outcome, same.sequence) == ("unchanged", 2)
    restated = await file_report(uow, ctx, firm.id, 2021, _report(revenue=31_000_000),
                                 today=TODAY)
    assert (restated.outcome, restated.sequence, restated.version) == ("restated", 3, 2)
    assert restated.filed_on == date(2022, 3, 1)  # a restatement keeps the date it corrects
    assert uow.outbox.types() == ["FirmRegistered", "AnnualReportFiled", "AnnualReportRestated"]
    restatement = uow.outbox.events[-1].data
    assert (restatement.previous.revenue, restatement.report.revenue) == (30_000_000, 31_000_000)
    assert [h["data"]["revenue"] for h in uow.tables.history] == [30_000_000]
    assert [a["action"] for a in uow.tables.audit] == [
        "firm.register", "report.filed", "report.restated"]
    assert uow.tables.firms[firm.id]["sequence"] == 3


async def test_new_report_is_filed_today_by_default(uow: FakeRegistryUoW, ctx: Ctx,
                                                    firm: Firm) -> None:
    filed = await file_report(uow, ctx, firm.id, 2023, _report(), today=TODAY)
    assert filed.filed_on == TODAY
    assert uow.outbox.events[-1].data.report.filed_on == TODAY


@pytest.mark.parametrize(("year", "overrides", "field", "rule"), [
    (2015, {}, "fiscal_year", "after_founding"),
    (2025, {}, "fiscal_year", "not_future"),
    (2021, {"filed_on": "2021-12-31"}, "filed_on", "after_fiscal_year"),
])
async def test_refused_reports_write_nothing(uow: FakeRegistryUoW, ctx: Ctx, firm: Firm,
                                             year: int, overrides: dict[str, object],
                                             field: str, rule: str) -> None:
    with pytest.raises(Rejected) as exc:
        await file_report(uow, ctx, firm.id, year, _report(**overrides), today=TODAY)
    assert (exc.value.extra["field"], exc.value.extra["rule"]) == (field, rule)
    assert uow.tables.reports == {} and uow.outbox.types() == ["FirmRegistered"]
    assert uow.rollbacks == 1


async def test_report_of_an_unknown_firm_is_404(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    with pytest.raises(NotFound):
        await file_report(uow, ctx, uuid.uuid4(), 2021, _report(), today=TODAY)
    assert uow.outbox.events == [] and uow.rollbacks == 1


async def test_a_sequence_moved_by_another_writer_refuses_the_write(
        uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    uow.tables.firms[firm.id]["sequence"] = 7  # the guard compares with what the lock read...
    real_lock = uow.repo.firm_and_report

    async def stale_read(firm_id: uuid.UUID, fiscal_year: int) -> Any:
        found, old = await real_lock(firm_id, fiscal_year)
        return {**found, "sequence": 1}, old  # ...so a read that disagrees must not write

    uow.repo.firm_and_report = stale_read
    with pytest.raises(SequenceDrift):
        await file_report(uow, ctx, firm.id, 2021, _report(), today=TODAY)
    assert uow.tables.reports == {} and uow.outbox.types() == ["FirmRegistered"]
    assert uow.rollbacks == 1
