"""Money follows the filing, through the whole stack: a certificate granted in the registry and
a gazelle filing imported from the province's list (`POST /v1/imports?kind=filings`) become
entitlements with the right amounts; an officer offers them (the notifier alerts), the firm
confirms, finance approves and pays by an xlsx list; the year's budget adds up."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook

from entitlements.schemas import MoveIn
from registry.domain.models import AnnualReportIn, CertificateIn, FirmIn
from tests.e2e.conftest import RunningStack, eventually
from tests.factories import firm_payload, report_payload
from tracker.client import ApiProblem

pytestmark = pytest.mark.e2e


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _filed(stack: RunningStack, uscc: str, name: str, listed_on: date) -> None:
    """The province's list, imported into the registry as the bureau does."""
    text = ("uscc,name,tier,grade,listed_on,list_name\n"
            f"{uscc},{name},瞪羚,,{listed_on},辽宁省{listed_on.year}年瞪羚企业名单\n")
    async with stack.registry() as registry:
        report = await registry.import_csv("filings", text, filename="list.csv")
    assert report.rejected == 0, report


async def test_filed_firms_are_offered_paid_and_budgeted(stack: RunningStack) -> None:
    stack.start()
    today = date.today()
    year, fy = today.year, today.year - 1
    async with stack.registry() as registry:
        hte = (await registry.register_firm(FirmIn.model_validate(firm_payload()))).item
        gazelle = (await registry.register_firm(FirmIn.model_validate(
            firm_payload(district="jinpu")))).item
        for firm in (hte, gazelle):
            await registry.file_report(firm.id, fy, AnnualReportIn.model_validate(
                report_payload(rd_expense=3_000_000, filed_on=f"{year}-04-20")))
        await registry.grant_certificate(hte.id, CertificateIn(
            kind="high_tech_enterprise", issued_on=today - timedelta(days=10)))
    await _filed(stack, gazelle.uscc, gazelle.name, today - timedelta(days=5))

    async with stack.entitlements() as money:
        async def both() -> dict[str, object] | None:
            found = {str(e.firm.id): e async for e in money.entitlements(year=year).items()
                     if e.firm.id in (hte.id, gazelle.id)}
            return found if len(found) == 2 else None
        found = await eventually(both, 90, "two entitlements")
        first, filed = found[str(hte.id)], found[str(gazelle.id)]
        assert (first.policy_id, first.amount) == ("dl.hte.first", 200_000)  # type: ignore[attr-defined]
        assert filed.policy_id == "dl.gazelle_unicorn.filed"  # type: ignore[attr-defined]
        assert [(o.option_id, o.amount) for o in filed.options] == [  # type: ignore[attr-defined]
            ("loan_interest", 800_000), ("award", 500_000)]
        ids = [first.id, filed.id]  # type: ignore[attr-defined]

        for eid in ids:
            assert (await money.move(eid, MoveIn(to="offered"))).state == "offered"
        assert (await money.move(ids[1], MoveIn(to="confirmed", option_id="award"))).amount \
            == 500_000
        assert (await money.move(ids[0], MoveIn(to="confirmed"))).amount == 200_000
        with pytest.raises(ApiProblem) as err:  # paid before approval: refused
            await money.move(ids[0], MoveIn(to="paid"))
        assert err.value.status == 409
        for eid in ids:
            assert (await money.move(eid, MoveIn(to="approved"))).state == "approved"

        budget = await money.budget(year)
        assert budget.total.approved >= 700_000

        paid_on = today.isoformat()
        result = await money.import_payments(_xlsx([
            ["entitlement_id", "amount", "paid_on"],
            [str(ids[0]), 200_000, paid_on], [str(ids[1]), 500_000, paid_on]]))
        assert (result.paid, result.repeats) == (2, 0)
        for eid, amount in zip(ids, (200_000, 500_000), strict=True):
            done = await money.entitlement(eid)
            assert (done.state, done.paid_amount) == ("paid", amount)
            assert [s.to_state for s in done.steps] == [
                "computed", "offered", "confirmed", "approved", "paid"]

        budget = await money.budget(year)
        ours = {line.key: line for line in budget.by_policy}
        assert ours["dl.hte.first"].paid >= 200_000
        assert ours["dl.gazelle_unicorn.filed"].paid >= 500_000
        assert budget.total.committed == budget.total.paid + budget.total.approved
        assert sum(line.committed for line in budget.by_policy) == budget.total.committed
        assert sum(line.expected for line in budget.by_district) == budget.total.expected
        assert sum(line.expected for line in budget.by_month) == budget.total.expected

    async with stack.notifier() as notifier:
        async def offered_alerts() -> list[object] | None:
            found = [a async for a in notifier.alerts(kind="entitlement_offered").items()
                     if a.firm_id in (hte.id, gazelle.id)]
            return found if len(found) == 2 else None
        alerts = await eventually(offered_alerts, 60, "the notifier's offer alerts")
        assert all("免申即享" in a.title for a in alerts)  # type: ignore[attr-defined]
