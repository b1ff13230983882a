"""CSV imports, through a fake unit of work (no I/O): per-row errors, reruns, refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from registry.domain.models import FirmIn
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import Rejected
from tests.factories import firm_payload, random_uscc, wrong_check_uscc
from tests.unit.registry.answers import run_import
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit
FIRM_HEADER = "uscc,name,district,industry,founded_on"
REPORT_HEADER = ("uscc,fiscal_year,revenue,sales_revenue,total_assets,employees,st_staff,"
                 "rd_expense,st_activity_investment,high_tech_revenue,ip_class1,ip_class2")


def _firm_line(payload: dict[str, str]) -> str:
    return ",".join(payload[k] for k in FIRM_HEADER.split(","))


def _csv(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


async def test_firm_import_reports_each_row_and_reruns_as_unchanged(
        uow: FakeRegistryUoW, ctx: Ctx) -> None:
    good1, good2 = firm_payload(), firm_payload()
    raw = _csv(FIRM_HEADER, _firm_line(good1), f"{wrong_check_uscc()},坏码公司,hitech,other,2019-01-01",
               _firm_line(good2), f"{random_uscc()},未知区公司,atlantis,other,2019-01-01")
    report = await run_import(uow, ctx, "firms", raw, today=TODAY)
    assert (report.total_rows, report.applied, report.unchanged, report.rejected) == (4, 2, 0, 2)
    assert [(e.row, e.field) for e in report.errors] == [(2, "uscc"), (4, "district")]
    assert report.status == "completed_with_errors"
    assert uow.outbox.types() == ["FirmRegistered", "FirmRegistered"]
    job = uow.tables.imports[report.id]
    assert (job["status"], job["applied"], job["errors"][0]["row"]) == (
        "completed_with_errors", 2, 2)

    rerun = await run_import(uow, ctx, "firms", raw, today=TODAY)
    assert (rerun.applied, rerun.unchanged) == (0, 2) and len(uow.outbox.events) == 2


async def test_a_row_clashing_with_an_earlier_row_is_refused_alone(uow: FakeRegistryUoW,
                                                            ctx: Ctx) -> None:
    first = firm_payload()
    clash = {**first, "name": "同码另名科技公司"}
    raw = _csv(FIRM_HEADER, _firm_line(first), _firm_line(clash), _firm_line(firm_payload()))
    report = await run_import(uow, ctx, "firms", raw, today=TODAY)
    assert (report.applied, report.rejected) == (2, 1)
    assert [(e.row, e.field) for e in report.errors] == [(2, "row")]
    assert "already registered" in report.errors[0].reason
    assert len(uow.tables.firms) == 2 and uow.outbox.types() == ["FirmRegistered"] * 2


async def test_report_import_by_uscc(uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    raw = _csv(REPORT_HEADER,
               f"{firm.uscc.lower()},2021,1000,1000,1000,10,5,100,100,500,1,0",
               f"{firm.uscc},2022,1000,1000,1000,10,50,100,100,500,1,0",
               f"{random_uscc()},2021,1000,1000,1000,10,5,100,100,500,1,0",
               f"{firm.uscc},2015,1000,1000,1000,10,5,100,100,500,1,0",
               f"{firm.uscc},,1000,1000,1000,10,5,100,100,500,1,0")
    report = await run_import(uow, ctx, "reports", raw, today=TODAY)
    assert report.applied == 1
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "st_staff"), (3, "uscc"), (4, "fiscal_year"), (5, "fiscal_year")]
    assert uow.outbox.types() == ["FirmRegistered", "AnnualReportFiled"]
    assert list(uow.tables.reports) == [(firm.id, 2021)]
    again = await run_import(uow, ctx, "reports", raw, today=TODAY)
    assert (again.applied, again.unchanged) == (0, 1)


@pytest.mark.parametrize(("raw", "rule"), [
    (b"\xff\xfe\x00", "utf8"),
    (b"uscc,name\n1,a\x00b\n", "no_nul"),
    (b"", "csv_header"),
    (b"uscc\n" + b"x" * 200_000 + b"\n", "csv"),
    (b'a\rb,"c\n', "csv_columns"),
    (b"uscc,colour\n1,red\n", "csv_columns"),
])
async def test_what_is_not_our_csv_is_refused_whole(uow: FakeRegistryUoW, ctx: Ctx,
                                                    raw: bytes, rule: str) -> None:
    with pytest.raises(Rejected) as exc:
        await run_import(uow, ctx, "firms", raw, today=TODAY)
    assert exc.value.extra == {"field": "file", "rule": rule}
    assert uow.tables.imports == {} and uow.commits == 0


async def test_the_same_report_twice_in_a_file_is_filed_then_restated(
        uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    raw = _csv(REPORT_HEADER, f"{firm.uscc},2021,1000,1000,1000,10,5,100,100,500,1,0",
               f"{firm.uscc},2021,2000,1000,1000,10,5,100,100,500,1,0",
               f"{firm.uscc},2021,2000,1000,1000,10,5,100,100,500,1,0")
    report = await run_import(uow, ctx, "reports", raw, today=TODAY)
    assert (report.applied, report.unchanged, report.errors) == (2, 1, [])
    assert uow.outbox.types() == ["FirmRegistered", "AnnualReportFiled", "AnnualReportRestated"]
    assert [e.sequence for e in uow.outbox.events] == [1, 2, 3]
    assert uow.tables.reports[(firm.id, 2021)]["version"] == 2
    assert uow.tables.firms[firm.id]["sequence"] == 3


async def test_a_uscc_registered_meanwhile_is_judged_against_that_firm(
        uow: FakeRegistryUoW, ctx: Ctx) -> None:
    same, other = firm_payload(), firm_payload()
    stale = uow.repo.firms_by_uscc
    calls = 0

    async def read_before_the_other_writer(usccs: list[str]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:  # both usccs get registered by someone else right after this read
            for payload in (same, {**other, "name": "别人先登记的公司"}):
                await uow.repo.insert_firms([(uuid.uuid4(), FirmIn.model_validate(
                    payload).model_dump())])
            return {}
        return await stale(usccs)

    uow.repo.firms_by_uscc = read_before_the_other_writer
    report = await run_import(uow, ctx, "firms", _csv(FIRM_HEADER, _firm_line(same),
                                                      _firm_line(other)), today=TODAY)
    assert (report.applied, report.unchanged) == (0, 1)
    assert [(e.row, e.field) for e in report.errors] == [(2, "row")]
    assert "already registered" in report.errors[0].reason and uow.outbox.events == []
