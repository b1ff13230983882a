"""Issue 19: a Dalian officer reads every page in one language (zh by default, en on request),
for this year and 2022: the targets, the candidates, the live feed, the inbox and a firm's
drill-down with true decision dates. A zh page holds no run of Latin words outside firm
names, codes and units."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import key_for
from tests.browser.test_dashboard import WAIT_MS, _api, _seed, _watch_console
from tests.e2e.conftest import RunningStack, wait_until
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.browser
YEAR = date.today().year
# two or more Latin words in a row ("age in FY", "on the dishonesty list", "near_miss" alone
# is one word and is caught by CODE below)
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'&-]*(?:[ /]+[A-Za-z][A-Za-z'&-]*)+")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a raw code such as software_enterprise or near_miss
# what a Chinese page may show in Latin letters: codes and units the bureau writes that way
ALLOWED = ("CSV", "CNY", "USD", "ID", "EN", "II", "I", "ECharts")


def latin_runs(text: str, names: set[str]) -> list[str]:
    """Runs of Latin words left once firm names are taken out."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    found = [m.group(0) for m in LATIN_RUN.finditer(text)]
    found += [m.group(0) for m in CODE.finditer(text)]
    return [r for r in found if r.strip() not in ALLOWED]


def _open(browser: Any, stack: RunningStack, token: str, lang: str, year: int,
          problems: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                  locale="zh-CN" if lang == "zh" else "en-US")
    context.add_init_script(f"sessionStorage.setItem('lang', '{lang}')")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    _watch_console(page, problems)
    page.goto(f"{stack.url('ladder')}/dashboard#year={year}&token={token}")
    page.wait_for_selector("#targetsTable tr[data-key='eaglet']")
    page.wait_for_selector("#candidateTable tbody tr[data-firm]")
    page.wait_for_selector("#inboxCard:not([hidden]) #inbox li")
    return page


def _inbox_quiet(stack: RunningStack, officer_id: str, quiet_s: float = 4.0) -> None:
    """Wait until the officer's inbox (each alert's id and date) holds still for `quiet_s`: the
    demo's history is still flowing in after the load returns, and the history summary's date
    moves earlier as older events arrive, so a page opened before then shows an earlier state."""
    seen: dict[str, Any] = {}
    since = time.monotonic()

    def still() -> bool:
        nonlocal seen, since
        with _api(stack, "notifier") as notifier:
            now = {str(a["id"]): a["on"] for a in notifier.get(
                f"/v1/officers/{officer_id}/inbox", params={"limit": 100}).json()["items"]}
        if now != seen:
            seen, since = now, time.monotonic()
        return bool(now) and time.monotonic() - since >= quiet_s

    wait_until(still, timeout=180, what="the officer's inbox to hold still")


def test_every_page_in_one_language(stack: RunningStack, browser: Any, artifacts: Path) -> None:
    stack.start(demo=False)
    _seed(stack)
    with _api(stack, "notifier") as notifier:
        officer = notifier.post("/v1/officers", json={
            "name": "李静", "email": "li.jing@kjj.dl.gov.cn", "districts": ["hitech", "jinpu"],
            "language": "zh", "channels": []})
        assert officer.status_code == 201, officer.text
        officer_id = str(officer.json()["id"])
    token = key_for(stack, "officer", officer_id)
    _inbox_quiet(stack, officer_id)
    with _api(stack, "ladder") as ladder:
        names = {s["name"] for s in ladder.get("/v1/standings", params={"limit": 500})
                 .json()["items"] if s["name"]}
    problems: list[str] = []
    for lang in ("zh", "en"):
        for year in (YEAR, 2022):
            page = _open(browser, stack, token, lang, year, problems)
            tag = f"{lang}-{year}"
            # the inbox shows each alert's date (what it tells, ISO) beside when it arrived
            shown_on = dict(page.locator("#inbox li[data-alert]").evaluate_all(
                "els => els.map(li => [li.dataset.alert,"
                " li.querySelector('time.on')?.getAttribute('datetime') ?? null])"))
            with _api(stack, "notifier") as notifier:
                told = {str(a["id"]): a["on"] for a in notifier.get(
                    f"/v1/officers/{officer_id}/inbox", params={"limit": 100}).json()["items"]}
            assert shown_on and any(shown_on.values()), shown_on
            assert {k: told.get(k) for k in shown_on} == shown_on
            for text in page.locator("#inbox li time.on").all_inner_texts():
                assert re.fullmatch(r"(事由日期|dated) \d{4}-\d{2}-\d{2}", text), text
            if lang == "zh" and year == YEAR:
                # a report filed now: the feed names the firm, never its id
                with _api(stack, "registry") as registry:
                    firm = registry.post("/v1/firms", json=firm_payload(
                        founded_on="2020-05-01", district="hitech")).json()
                    names.add(firm["name"])
                    r = registry.put(f"/v1/firms/{firm['id']}/reports/{YEAR - 1}",
                                     json=report_payload(ip_class1=1))
                    assert r.status_code in (200, 201), r.text
                line = page.locator(f"#feed li[data-type='AnnualReportFiled'][data-firm='{firm['id']}']")
                line.wait_for()
                page.wait_for_function(
                    "([id, name]) => [...document.querySelectorAll(`#feed li[data-firm='${id}']`)]"
                    ".every(li => li.textContent.includes(name))", arg=[firm["id"], firm["name"]])
                assert firm["id"] not in page.locator("#feed").inner_text()
            page.wait_for_timeout(1200)
            page.evaluate("window.scrollTo(0, 0)")
            for card in ("targetsCard", "candidatesCard", "feedCard", "inboxCard"):
                page.locator(f"#{card}").screenshot(path=str(artifacts / f"lang-{tag}-{card}.png"))
            if lang == "zh":
                assert page.locator("#candidatesCard h2").inner_text() == "临近候选企业"
                runs = latin_runs(page.locator("main").inner_text(), names)
                assert runs == [], f"{tag}: Latin on a Chinese page: {sorted(set(runs))[:20]}"
            else:
                assert page.locator("#candidatesCard h2").inner_text() == "Near-miss candidates"
            # expected by now is a whole number of firms
            for cell in page.locator("#targetsTable tbody tr td:nth-child(6)").all_inner_texts():
                assert re.fullmatch(r"[\d,]+|—", cell), cell

            # a firm's drill-down: decisions dated on their day, not the day they were written
            first = page.locator("#candidateTable tbody tr[data-firm]").first
            firm_id = first.get_attribute("data-firm")
            first.click()
            page.wait_for_selector("#drill:not([hidden]) table.grid")
            with _api(stack, "ladder") as ladder:
                history = ladder.get(f"/v1/firms/{firm_id}/history").json()["items"]
            shown = page.locator("#drillBody ol.timeline li time").all_inner_texts()
            assert shown == [h["on"] for h in history]
            page.screenshot(path=str(artifacts / f"lang-{tag}-drilldown.png"), full_page=False)
            if lang == "zh":
                runs = latin_runs(page.locator("#drill").inner_text(), names)
                assert runs == [], f"{tag} drill-down: {sorted(set(runs))[:20]}"
            page.click("#drillClose")
            page.context.close()
    assert problems == [], "\n".join(problems)


def test_the_latin_run_check_catches_english_and_codes() -> None:
    names = {"Dalian Haiyun Robotics"}
    assert latin_runs("瞪羚：age in FY 2021", names) == ["age in FY"]
    assert latin_runs("企业类型 software_enterprise", names) == ["software_enterprise"]
    assert latin_runs("Dalian Haiyun Robotics 晋级 · 1.5万元 CSV", names) == []
