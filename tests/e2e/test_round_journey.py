"""A year's round run as a bureau runs it, on the running system: firms qualify, some apply,
the district and the city record their steps, officers get their reminders; then the
province's list arrives as an xlsx file, and the funnel, the worklist, the discrepancies, the
targets and the officers' messages say what it did."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest

from ladder.schemas import RoundIn
from notifier.schemas import OfficerIn
from registry.domain.models import AnnualReportIn, ApplicationIn, FirmIn, StepIn
from tests.e2e.conftest import RunningStack, caught_up, eventually
from tests.factories import firm_payload, random_uscc, report_payload
from tracker.client import ApiProblem

pytestmark = pytest.mark.e2e
LIST = "辽宁省{year}年第一批雏鹰企业"


def _list_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The province's list as it is published: one sheet, a header row, a row per firm."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    columns = ["uscc", "name", "tier", "grade", "listed_on", "list_name"]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_round_from_qualifying_to_the_published_list(stack: RunningStack) -> None:
    stack.env.update({"SWEEP_INTERVAL_S": "1", "LIST_QUIET_S": "1"})
    stack.start()
    today = date.today()
    year, fy = today.year, today.year - 1
    filed_on = max(date(year, 1, 2), today - timedelta(days=60)).isoformat()
    async with stack.registry() as registry, stack.ladder() as ladder, \
            stack.notifier() as notifier:
        hitech = await notifier.register_officer(OfficerIn(
            name="高新区 王敏", email="wangmin@kjj.dl.gov.cn", districts=["hitech"]))
        jinpu = await notifier.register_officer(OfficerIn(
            name="金普 李强", email="liqiang@kjj.dl.gov.cn", districts=["jinpu"],
            language="en"))

        firms: dict[str, Any] = {}
        for key, district, ip in (("filed", "hitech", 1), ("left_off", "jinpu", 1),
                                  ("failed", "hitech", 1), ("idle", "hitech", 1),
                                  ("stalled", "jinpu", 1), ("above", "jinpu", 0)):
            payload = firm_payload(district=district, founded_on=f"{fy - 4}-03-01",
                                   name=f"大连{key}科技有限公司")
            firm = (await registry.register_firm(FirmIn.model_validate(payload))).item
            seq = (await registry.file_report(firm.id, fy, AnnualReportIn.model_validate(
                report_payload(ip_class1=ip, ip_class2=0, filed_on=filed_on)))).sequence
            firms[key] = (firm, seq)
        for firm, seq in firms.values():
            await caught_up(ladder, firm.id, seq)
        assert (await ladder.standing(firms["idle"][0].id)).tier == "eaglet"
        assert (await ladder.standing(firms["above"][0].id)).tier == "none"

        # applications and their steps, as the districts and the city record them
        apply_on = max(date(year, 1, 2), today - timedelta(days=25))
        apps = {}
        for key in ("filed", "left_off", "failed", "stalled"):
            apps[key] = await registry.submit_application(firms[key][0].id, ApplicationIn(
                round_year=year, tier="eaglet", applied_on=apply_on))
        with pytest.raises(ApiProblem) as twice:
            await registry.submit_application(firms["filed"][0].id, ApplicationIn(
                round_year=year, tier="eaglet", applied_on=apply_on))
        assert twice.value.status == 422
        assert [e.rule for e in twice.value.errors] == ["one_application_per_round"]
        steps = [("filed", StepIn(step="district_checked", on=today, passed=True)),
                 ("filed", StepIn(step="recommended", on=today)),
                 ("left_off", StepIn(step="district_checked", on=today, passed=True)),
                 ("left_off", StepIn(step="recommended", on=today)),
                 ("failed", StepIn(step="district_checked", on=today, passed=False,
                                   reason="信用记录异常"))]
        for key, step in steps:
            written = await registry.record_step(firms[key][0].id, apps[key].id, step)
        assert written.state == "district_failed" and written.next_steps == []
        with pytest.raises(ApiProblem) as early:  # the city cannot file before the district
            await registry.record_step(firms["stalled"][0].id, apps["stalled"].id,
                                       StepIn(step="recommended", on=today))
        assert early.value.status == 422 and [e.rule for e in early.value.errors] == ["step_order"]
        for key in firms:
            seq = (await registry.firm(firms[key][0].id)).sequence
            await caught_up(ladder, firms[key][0].id, seq)

        # the round: deadlines ahead, so the sweep reminds each officer of their own firms
        await ladder.set_round(year, RoundIn(
            tiers=["eaglet", "gazelle", "unicorn"], firm_deadline=today + timedelta(days=3),
            district_deadline=today + timedelta(days=6), city_deadline=today + timedelta(days=9),
            publication_expected=today + timedelta(days=20)))
        live = await ladder.round(year)
        assert live.round is not None and [d.days_left for d in live.deadlines] == [3, 6, 9, 20]
        assert (await ladder.round(year + 5)).round is None
        eaglet = {t.tier: t for t in live.tiers}["eaglet"]
        assert (eaglet.total.qualified, eaglet.total.applied, eaglet.total.district_checked,
                eaglet.total.district_failed, eaglet.total.recommended, eaglet.total.filed) == (
            5, 4, 3, 1, 2, 0)
        by_district = {d.district: (d.qualified, d.applied) for d in eaglet.districts}
        assert by_district == {"hitech": (3, 2), "jinpu": (2, 2)}

        work = await ladder.worklist(year)
        assert [n.name for n in work.not_applied] == ["大连idle科技有限公司"]
        assert work.not_applied[0].tier == "eaglet" and work.not_applied[0].evidence
        assert [s.name for s in work.stalled] == ["大连stalled科技有限公司"]
        assert "no step for 25 days" in (work.stalled[0].reason or "")
        assert (await ladder.worklist(year, district="jinpu")).not_applied == []

        targets = {i.tier: i for i in (await ladder.targets(year)).items}
        assert (targets["eaglet"].basis, targets["eaglet"].achieved,
                targets["eaglet"].pipeline) == ("qualified", 5, 3)

        async def reminded(officer: Any, n: int) -> list[Any] | None:
            got = (await notifier.inbox(officer.id, kind="round_reminder").first()).items
            return got if len(got) >= n else None

        # the firms' deadline names the hitech firm not applied; the district's and the city's
        # name only the jinpu application stalled, so the jinpu officer gets all three
        mine = await eventually(lambda: reminded(hitech, 1), 60, "the hitech reminders")
        firm_deadline = [a for a in mine if "企业申报截止" in a.title]
        assert len(firm_deadline) == 1 and "大连idle科技有限公司" in firm_deadline[0].body
        assert all("大连stalled" not in a.body for a in mine)  # a jinpu firm: not theirs
        theirs = await eventually(lambda: reminded(jinpu, 3), 60, "the jinpu reminders")
        assert any("大连stalled科技有限公司" in a.body and a.title.startswith("Round")
                   for a in theirs)

        # the province publishes its list; the bureau imports it as it came, an xlsx file
        listed = LIST.format(year=year)
        report = await registry.import_filings(_list_xlsx([
            {"uscc": firms["filed"][0].uscc, "name": "大连filed科技有限公司", "tier": "雏鹰",
             "listed_on": today.isoformat(), "list_name": listed},
            {"uscc": firms["above"][0].uscc, "name": "大连above科技有限公司", "tier": "eaglet",
             "listed_on": today.isoformat(), "list_name": listed},
            {"uscc": random_uscc(), "name": "大连未登记科技有限公司", "tier": "eaglet",
             "listed_on": today.isoformat(), "list_name": listed},
            {"uscc": firms["idle"][0].uscc, "name": "x", "tier": "tiger",
             "listed_on": today.isoformat(), "list_name": listed}]))
        assert (report.applied, report.rejected) == (2, 2), report
        assert any("大连未登记科技有限公司" in e.reason for e in report.errors)
        assert {e.field for e in report.errors} == {"uscc", "tier"}
        again = await registry.import_filings(_list_xlsx([
            {"uscc": firms["filed"][0].uscc, "tier": "eaglet", "listed_on": today.isoformat(),
             "list_name": listed}]))
        assert (again.applied, again.unchanged) == (0, 1)  # the same list twice: nothing new
        detail = await registry.firm(firms["filed"][0].id)
        assert detail.applications[0].state == "filed"
        assert detail.applications[0].filing_id == detail.filings[0].id
        for key in firms:
            seq = (await registry.firm(firms[key][0].id)).sequence
            await caught_up(ladder, firms[key][0].id, seq)

        standing = await ladder.standing(firms["above"][0].id)
        assert standing.tier == "none" and standing.filing is not None
        assert (standing.filing.tier, standing.filing.list_name) == ("eaglet", listed)

        after = {t.tier: t for t in (await ladder.round(year)).tiers}["eaglet"]
        assert (after.total.recommended, after.total.filed, after.total.not_filed,
                after.total.left_off) == (2, 1, 1, 1)
        assert after.pass_rate == 0.5 and [x.list_name for x in after.lists] == [listed]
        work = await ladder.worklist(year)
        assert [n.name for n in work.not_filed] == ["大连left_off科技有限公司"]

        found = {(d.kind, d.name) for d in (await ladder.discrepancies(year)).items}
        assert found == {("filed_above_rules", "大连above科技有限公司"),
                         ("qualifying_refused", "大连left_off科技有限公司")}
        refused = next(d for d in (await ladder.discrepancies(year)).items
                       if d.kind == "qualifying_refused")
        assert refused.trace is not None and refused.trace["passed"] is True

        targets = {i.tier: i for i in (await ladder.targets(year)).items}
        e = targets["eaglet"]
        assert (e.basis, e.filed, e.qualified, e.achieved, e.pipeline) == (
            "filed", 2, 5, 2, 1)
        assert e.forecast is not None and "pipeline" in e.forecast.method
        assert targets["high_tech_enterprise"].basis == "certificates"

        async def told(officer: Any) -> list[Any] | None:
            got = (await notifier.inbox(officer.id, kind="list_published").first()).items
            return got or None

        (hitech_list,) = await eventually(lambda: told(hitech), 60, "the list's message")
        assert "1 家备案，0 家未备案" in hitech_list.title
        (jinpu_list,) = await eventually(lambda: told(jinpu), 60, "the list's message")
        assert "1 of your firms filed, 1 not filed" in jinpu_list.title
        assert "大连left_off科技有限公司" in jinpu_list.body
