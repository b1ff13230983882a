"""The finance officer's view: the year's budget and the entitlements list, read from the
entitlements service by the ladder's dashboard (another origin: CORS), with the trace of an
amount, an export, and English with one click."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_dashboard import WAIT_MS, _watch_console
from tests.e2e.conftest import RunningStack
from tests.factories import ADMIN_TOKEN, auth, firm_payload, report_payload

pytestmark = pytest.mark.browser
YEAR = date.today().year


def _api(stack: RunningStack, service: str) -> httpx.Client:
    return httpx.Client(base_url=stack.url(service), headers=auth(), timeout=15)


def test_budget_and_entitlements_on_the_dashboard(stack: RunningStack, browser: Any,
                                                  artifacts: Path) -> None:
    stack.start(demo=False)
    with _api(stack, "registry") as registry:
        firm = registry.post("/v1/firms", json=firm_payload()).json()
        r = registry.put(f"/v1/firms/{firm['id']}/reports/{YEAR - 1}",
                         json=report_payload(filed_on=f"{YEAR}-04-20"))
        assert r.status_code in (200, 201), r.text
        r = registry.post(f"/v1/firms/{firm['id']}/certificates", json={
            "kind": "high_tech_enterprise", "issued_on": str(date.today() - timedelta(days=3))})
        assert r.status_code == 201, r.text
    with _api(stack, "entitlements") as money:
        deadline = time.monotonic() + 90
        while not (found := money.get("/v1/entitlements", params={
                "firm_id": firm["id"]}).json()["items"]):
            assert time.monotonic() < deadline, "no entitlement for the certified firm"
            time.sleep(0.5)
        (entitlement,) = found
        assert entitlement["amount"] == 200_000

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    _watch_console(page, problems)
    page.goto(f"{stack.url('ladder')}/dashboard#token={ADMIN_TOKEN}")
    row = f"#entitlementTable tr[data-entitlement='{entitlement['id']}']"
    page.wait_for_selector(row)
    assert "20万" in page.locator(row).inner_text()
    assert "已测算" in page.locator(row).inner_text()
    page.wait_for_selector("#budgetCard:not([hidden]) #budgetTable tbody tr")
    total = page.locator("#budgetTable tbody tr").first.inner_text()
    assert total.startswith("合计") and "20万" in total
    assert "梯度服务" in page.locator("#budgetMethod").inner_text()  # said in Chinese
    page.screenshot(path=str(artifacts / "07-budget-zh.png"), full_page=True)

    page.click(row)  # the trace and the steps
    page.wait_for_selector("#drill:not([hidden]) #drillBody table.grid")
    assert "20万" in page.locator("#drillBody").inner_text()
    # the step is worded, not coded: "系统 · 获得资质（…）", never "system · certificate_granted"
    steps = page.locator("#drillBody ol.timeline").inner_text()
    assert "系统 · 获得资质（" in steps, steps
    assert "system" not in steps and "certificate_granted" not in steps, steps
    page.click("#drillClose")

    with page.expect_download() as got:
        page.click("#entitlementExport")
    exported = artifacts / got.value.suggested_filename
    got.value.save_as(exported)
    assert entitlement["id"] in exported.read_text(encoding="utf-8-sig")

    page.click("#lang")
    page.wait_for_function("document.querySelector('#budgetCard h2').textContent"
                           ".startsWith('Budget')")
    page.wait_for_function(f"document.querySelector(\"{row}\").textContent"
                           ".includes('¥200,000')")
    assert page.locator("#entitlementState option").first.inner_text() == "All states"
    page.screenshot(path=str(artifacts / "08-budget-en.png"), full_page=True)
    context.close()
    assert problems == [], "\n".join(problems)

    # the entitlements service lets the ladder's origin (only) read with a bearer token
    with _api(stack, "entitlements") as money:
        for origin, allowed in ((stack.url("ladder"), True), ("http://evil.example", False)):
            pre = money.options("/v1/budget/2026", headers={
                "Origin": origin, "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization"})
            assert (pre.headers.get("access-control-allow-origin") == origin) is allowed


def test_an_option_band_is_worded_in_both_languages(stack: RunningStack, browser: Any,
                                                    artifacts: Path) -> None:
    """A banded amount's band comes from the catalogue: in Chinese on a zh page (it was
    English and hidden there), in English on an en page (issue 19)."""
    stack.start(demo=False)
    banded = _recertified_firm(stack)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    _watch_console(page, problems)
    page.goto(f"{stack.url('ladder')}/dashboard#token={ADMIN_TOKEN}")
    band_row = f"#entitlementTable tr[data-entitlement='{banded['id']}']"
    page.click(band_row)
    page.wait_for_function("document.querySelector('#drillBody').textContent"
                           ".includes('研发费用超过100万元')")
    page.screenshot(path=str(artifacts / "09-band-zh.png"), full_page=True)
    page.click("#drillClose")
    page.click("#lang")
    page.wait_for_function("document.querySelector('#budgetCard h2').textContent"
                           ".startsWith('Budget')")
    page.click(band_row)
    page.wait_for_function("document.querySelector('#drillBody').textContent"
                           ".includes('R&D expense over ¥1,000,000')")
    page.screenshot(path=str(artifacts / "10-band-en.png"), full_page=True)
    context.close()
    assert problems == [], "\n".join(problems)


def _recertified_firm(stack: RunningStack) -> dict[str, Any]:
    """A firm certified high-tech three years ago and again now: the re-certification award
    is banded on last year's R&D expense (2.4 million: over the 1 million band)."""
    with _api(stack, "registry") as registry:
        firm = registry.post("/v1/firms", json=firm_payload()).json()
        r = registry.put(f"/v1/firms/{firm['id']}/reports/{YEAR - 1}",
                         json=report_payload(filed_on=f"{YEAR}-04-20"))
        assert r.status_code in (200, 201), r.text
        for days in (3 * 365 + 5, 5):
            r = registry.post(f"/v1/firms/{firm['id']}/certificates", json={
                "kind": "high_tech_enterprise",
                "issued_on": str(date.today() - timedelta(days=days))})
            assert r.status_code == 201, r.text
    with _api(stack, "entitlements") as money:
        deadline = time.monotonic() + 90
        while True:
            items = money.get("/v1/entitlements", params={"firm_id": firm["id"]}).json()["items"]
            again = [e for e in items if e["policy_id"] == "dl.hte.again"]
            if again:
                return dict(again[0])
            assert time.monotonic() < deadline, f"no re-certification award: {items}"
            time.sleep(0.5)
