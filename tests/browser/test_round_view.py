"""The round view as an officer reads it: the deadlines with days left, the funnel per tier by
district, the worklist (and its CSV), the discrepancies, in Chinese and in English."""

from __future__ import annotations

import asyncio
import csv
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import key_for
from tests.e2e.conftest import RunningStack
from tests.factories import ADMIN_TOKEN, auth
from tracker.demo import load_demo

pytestmark = pytest.mark.browser
YEAR = date.today().year
WAIT_MS = 60_000


def test_the_round_view(stack: RunningStack, browser: Any, artifacts: Path) -> None:
    stack.start(demo=False)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        summary = pool.submit(asyncio.run, load_demo(
            stack.url("registry"), ADMIN_TOKEN, firms=240, ladder_url=stack.url("ladder"),
            timeout_s=600)).result()
    assert summary["rejected"] == 0, summary["problems"]
    today = date.today()
    with httpx.Client(base_url=stack.url("ladder"), headers=auth(), timeout=30) as ladder:
        r = ladder.put(f"/v1/rounds/{YEAR}", json={  # this year's dates, from today on
            "tiers": ["eaglet", "gazelle", "unicorn", "leader"],
            "firm_deadline": (today + timedelta(days=3)).isoformat(),
            "district_deadline": (today + timedelta(days=6)).isoformat(),
            "city_deadline": (today + timedelta(days=9)).isoformat(),
            "publication_expected": (today + timedelta(days=20)).isoformat()})
        assert r.status_code == 200, r.text
        # the ladder applies the rounds' applications after the load returns: wait until the
        # worklist holds still
        work, previous = None, ladder.get(f"/v1/rounds/{YEAR}/worklist").json()
        deadline = time.monotonic() + 120
        while work != previous and time.monotonic() < deadline:
            time.sleep(3)
            work, previous = ladder.get(f"/v1/rounds/{YEAR}/worklist").json(), work
        assert work == previous, "the worklist kept changing"
        found = ladder.get("/v1/rounds/2022/discrepancies").json()
    viewer = key_for(stack, "viewer")
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)

    page.goto(f"{stack.url('ladder')}/dashboard#token={viewer}")
    page.wait_for_selector("#roundCard .deadlines li")
    deadlines = page.locator("#roundCard .deadlines li").all_inner_texts()
    assert deadlines[0].startswith("企业申报截止") and "剩 3 天" in deadlines[0]
    assert page.locator("#roundFunnel h3").first.inner_text().startswith("雏鹰")
    assert "已申报" in page.locator("#roundFunnel thead").first.inner_text()
    names = page.locator("#roundWorklist tr[data-firm] td:first-child").all_inner_texts()
    expected = [n["name"] for n in work["not_applied"] + work["stalled"] + work["not_filed"]]
    assert names == expected
    page.screenshot(path=str(artifacts / "round-zh.png"), full_page=True)

    with page.expect_download() as got:
        page.click("#roundExport")
    saved = artifacts / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name == f"worklist-{YEAR}.csv"
    rows = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:2] == ["类型", "企业名称"] and len(rows) == len(expected) + 1

    # one district's desk: the worklist of its firms only
    with httpx.Client(base_url=stack.url("ladder"), headers=auth(), timeout=30) as ladder:
        mine = ladder.get(f"/v1/rounds/{YEAR}/worklist", params={"district": "hitech"}).json()
    page.select_option("#roundDistrict", "hitech")
    page.wait_for_function("document.querySelector('#roundDistrict').value === 'hitech'")
    page.wait_for_function(
        "n => document.querySelectorAll('#roundWorklist tr[data-firm]').length === n",
        arg=len(mine["not_applied"] + mine["stalled"] + mine["not_filed"]))
    districts = set(page.locator("#roundWorklist tr[data-firm] td:nth-child(2)").all_inner_texts())
    assert districts <= {"高新区"}
    page.select_option("#roundDistrict", "")
    page.wait_for_function(
        "n => document.querySelectorAll('#roundWorklist tr[data-firm]').length === n",
        arg=len(expected))

    page.click("#years button[data-year='2022']")
    page.wait_for_function("document.querySelector('#roundCard .year-tag').textContent === '2022'")
    page.wait_for_selector("#roundDiscrepancies")
    shown = page.locator("#roundDiscrepancies tr[data-firm]").count()
    assert shown == len(found["items"]) and shown > 0
    assert "省级通过率" in page.locator("#roundFunnel h3").first.inner_text()

    page.click("#lang")
    page.wait_for_function("document.querySelector('#roundCard h2').textContent.startsWith('The round')")
    assert "Province pass rate" in page.locator("#roundFunnel h3").first.inner_text()
    page.screenshot(path=str(artifacts / "round-en-2022.png"), full_page=True)
    assert not problems, problems
