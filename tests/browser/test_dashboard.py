"""A bureau member's morning: open the dashboard with a viewer token, watch a promotion arrive
live, look back at 2022, export a table, drill into a firm; an officer also sees the inbox."""

from __future__ import annotations

import asyncio
import csv
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.browser.conftest import key_for
from tests.e2e.conftest import RunningStack
from tests.factories import ADMIN_TOKEN, auth, firm_payload, report_payload
from tracker.demo import load_demo

pytestmark = pytest.mark.browser
YEAR = date.today().year
WAIT_MS = 60_000  # two shared cores, five test suites: the stack answers slowly at times


def _achieved(page: Any, key: str) -> int:
    text = page.locator(f"#targetsTable tr[data-key='{key}'] td.achieved").inner_text()
    return int(text.replace(",", ""))


def _bar(page: Any, key: str) -> int:
    """The eaglet bar's count as the chart holds it (not the table's)."""
    return int(page.evaluate(
        "key => window.dashboard.charts.targetsChart.getOption().series[1].data"
        ".find(d => d.row.key === key).row.achieved", key))


def _watch_console(page: Any, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}")
            if "/v1/stream" not in r.url else None)  # the stream is cut when the page closes


def _api(stack: RunningStack, service: str) -> httpx.Client:
    """A plain synchronous client: Playwright's sync API holds this thread's event loop, and
    the CORS preflight below is a raw request by nature."""
    return httpx.Client(base_url=stack.url(service), headers=auth(), timeout=15)


def _seed(stack: RunningStack) -> None:
    # in a thread: Playwright's sync API already runs an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, load_demo(stack.url("registry"), ADMIN_TOKEN, firms=240,
                                           timeout_s=600)).result()
    with _api(stack, "ladder") as ladder:
        r = ladder.put(f"/v1/targets/{YEAR}", json={"eaglet": 120, "gazelle": 30, "unicorn": 1,
                                                    "high_tech_enterprise": 500, "tech_sme": 1000})
        assert r.status_code == 200, r.text


def test_dashboard_morning(stack: RunningStack, browser: Any, artifacts: Path) -> None:
    stack.start(demo=False)
    _seed(stack)
    viewer = key_for(stack, "viewer")
    with _api(stack, "notifier") as notifier:  # covers the high-tech zone, inbox only
        officer = notifier.post("/v1/officers", json={
            "name": "王磊", "email": "wang.lei@kjj.dl.gov.cn", "districts": ["hitech"],
            "language": "zh", "channels": []})
        assert officer.status_code == 201, officer.text
        officer_id = str(officer.json()["id"])
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    _watch_console(page, problems)

    # the token handed in the fragment is kept in the tab and taken out of the address bar
    page.goto(f"{stack.url('ladder')}/dashboard#token={viewer}")
    page.wait_for_selector("#targetsTable tr[data-key='eaglet']")
    assert "token" not in page.url
    assert page.evaluate("sessionStorage.getItem('tracker.token')") == viewer
    assert page.locator("#who").inner_text() == "只读"
    assert page.locator("#targetsYear").inner_text() == str(YEAR)
    assert page.locator("#targetsTable tr[data-key='eaglet'] td").nth(2).inner_text() == "120"
    with _api(stack, "ladder") as ladder:
        api = {i["tier"]: i["achieved"] for i in ladder.get(f"/v1/targets/{YEAR}").json()["items"]}
    before = _achieved(page, "eaglet")
    assert before == api["eaglet"] == _bar(page, "eaglet")
    page.wait_for_function("document.querySelector('#live').dataset.state === 'on'")
    page.wait_for_timeout(1500)  # let the charts' entry animation finish for the picture
    page.screenshot(path=str(artifacts / "01-dashboard-zh.png"), full_page=True)

    # a promotion filed through the registry API: the feed shows it, the bar moves, no reload
    page.evaluate("window.__no_reload = true")
    with _api(stack, "registry") as registry:
        firm = registry.post("/v1/firms", json=firm_payload(founded_on="2020-05-01")).json()
        r = registry.put(f"/v1/firms/{firm['id']}/reports/{YEAR - 1}",
                         json=report_payload(ip_class1=1))
        assert r.status_code in (200, 201), r.text
    page.wait_for_selector(f"#feed li[data-type='TierPromoted'][data-firm='{firm['id']}']")
    assert firm["name"] in page.locator(f"#feed li[data-firm='{firm['id']}']").first.inner_text()
    page.wait_for_function(
        "n => Number(document.querySelector(\"#targetsTable tr[data-key='eaglet'] td.achieved\")"
        ".textContent.replace(/,/g, '')) === n", arg=before + 1)
    assert _bar(page, "eaglet") == before + 1
    assert page.evaluate("window.__no_reload") is True
    page.screenshot(path=str(artifacts / "02-after-promotion.png"), full_page=True)

    # 2022 is one click away, and the fragment makes it a link to share
    page.click("#years button[data-year='2022']")
    page.wait_for_function("document.querySelector('#targetsYear').textContent === '2022'")
    page.wait_for_selector("#targetsTable tr[data-key='eaglet']")
    assert page.locator("#targetsTable tr[data-key='eaglet'] td").nth(2).inner_text() == "170"
    assert page.url.endswith("#year=2022")
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "03-year-2022.png"), full_page=True)

    # exports: the files open, with the filters applied
    with page.expect_download() as got:
        page.click("#targetsCard .exports button[data-fmt='xlsx']")
    xlsx = artifacts / got.value.suggested_filename
    got.value.save_as(xlsx)
    assert xlsx.name == "targets-2022.xlsx"
    sheet = load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("指标", "目标", "已完成")
    # issue 19: a Chinese export names its codes in Chinese (雏鹰, not eaglet)
    assert ("雏鹰", 170) in {(r[0], r[1]) for r in rows[1:]}
    page.select_option("#funnelDistrict", "hitech")
    page.wait_for_timeout(500)
    with page.expect_download() as got:
        page.click("#funnelCard .exports button[data-fmt='csv']")
    funnel_csv = artifacts / got.value.suggested_filename
    got.value.save_as(funnel_csv)
    lines = list(csv.reader(funnel_csv.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][0] == "区市县" and len(lines) > 1
    assert {line[0] for line in lines[1:]} == {"高新区"}  # issue 19: codes in Chinese

    # drill into a near-miss candidate: criteria trace, timeline, alerts
    page.click("#candidateTable tbody tr[data-firm]")
    page.wait_for_selector("#drill:not([hidden]) table.grid")
    assert page.locator("#drillBody .badge.fail").count() > 0
    page.screenshot(path=str(artifacts / "04-firm-drilldown.png"), full_page=False)
    page.click("#drillClose")

    # English with one click
    page.click("#lang")
    page.wait_for_function("document.querySelector('header h1').textContent.startsWith('Dalian')")
    assert page.locator("#candidatesCard h2").inner_text() == "Near-miss candidates"
    assert page.locator("#feed li[data-type='TierPromoted']").first.inner_text().count("Promoted") == 1
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header belongs at the top of the picture
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "05-dashboard-en.png"), full_page=True)
    assert not page.locator("#inboxCard").is_visible()  # a viewer has no inbox
    context.close()

    # an officer also sees the inbox, read from the notifier (another origin: CORS)
    officer_token = key_for(stack, "officer", officer_id)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    _watch_console(page, problems)
    page.goto(f"{stack.url('ladder')}/dashboard")
    page.fill("#token", officer_token)
    page.click("#loginForm button")
    page.wait_for_selector("#inboxCard:not([hidden]) #inbox li")
    assert page.locator("#who").inner_text() == "专员"
    page.screenshot(path=str(artifacts / "06-officer.png"), full_page=True)
    context.close()
    assert problems == [], "\n".join(problems)

    # what the page relies on, asked directly: the notifier lets the ladder's origin (only)
    # read with a bearer token, and lists a firm's alerts
    with _api(stack, "notifier") as notifier:
        for origin, allowed in ((stack.url("ladder"), True), ("http://evil.example", False)):
            pre = notifier.options("/v1/alerts", headers={
                "Origin": origin, "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization"})
            assert (pre.headers.get("access-control-allow-origin") == origin) is allowed
        deadline = time.monotonic() + 60
        while not (mine := notifier.get("/v1/alerts", params={"firm_id": firm["id"]}).json()["items"]):
            assert time.monotonic() < deadline, "no alert for the promoted firm"
            time.sleep(0.5)
        assert {a["firm_id"] for a in mine} == {firm["id"]}
        nobody = notifier.get("/v1/alerts", params={"firm_id": str(uuid.uuid4())}).json()["items"]
        assert nobody == []

