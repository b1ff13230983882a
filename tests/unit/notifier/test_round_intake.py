"""The round's messages: one per officer naming only their own firms, uncovered firms to the
fallback officer, worded in the officer's language."""

from __future__ import annotations

import pytest

from notifier.config import Settings
from notifier.domain.alerts import AlertKind, alert_kind_for
from notifier.domain.render import render
from notifier.domain.wording import Language
from notifier.handlers import intake
from tests.unit.notifier import builders as b
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit


async def test_a_reminder_is_one_message_per_officer_with_their_firms(
        repo: FakeRepository, settings: Settings) -> None:
    hitech = await add_officer(repo, districts=["hitech"])
    jinpu = await add_officer(repo, districts=["jinpu"], language="en")
    event = b.round_reminder(b.firm("星海科技", "hitech"), b.firm("金普智造", "jinpu"),
                             b.firm("高新二号", "hitech"))
    await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)
    await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)  # a replay: nothing new
    alerts = {a["officer_id"]: a for a in repo.alerts_.values()}
    assert set(alerts) == {hitech, jinpu}
    mine = [i["firm"]["name"] for i in alerts[hitech]["source_event"]["data"]["items"]]
    assert mine == ["星海科技", "高新二号"]
    assert alerts[hitech]["kind"] == "round_reminder"
    assert "2 家企业待跟进" in alerts[hitech]["rendered"]["title"]
    assert "星海科技" in alerts[hitech]["rendered"]["body_text"]
    assert "金普智造" not in alerts[hitech]["rendered"]["body_text"]
    assert alerts[jinpu]["rendered"]["title"].startswith("Round 2024: 14 days")
    assert alerts[jinpu]["rendered"]["link"].endswith("/v1/rounds/2024/worklist")


async def test_a_published_list_tells_each_officer_filed_and_not_filed(
        repo: FakeRepository, settings: Settings) -> None:
    city = await add_officer(repo)
    await intake.handle_event(FakeNotifierUow(repo), b.list_published(), settings=settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["officer_id"] == city and alert["kind"] == "list_published"
    assert "1 家备案，1 家未备案" in alert["rendered"]["title"]


async def test_a_firm_nobody_covers_goes_to_the_fallback_officer(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, districts=["jinpu"])
    await intake.handle_event(FakeNotifierUow(repo), b.round_reminder(b.firm("无人负责", "changhai")),
                              settings=settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["unrouted"] and alert["routed_via"] == "none"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", list(b.round_kinds()))
def test_the_round_kinds_render_every_firm_and_link_to_the_worklist(
        kind: AlertKind, language: Language) -> None:
    event = b.round_kinds()[kind]
    assert alert_kind_for(event) == kind
    r = render(event, kind, language, b.BASE_URL)
    assert r.title in r.body_text and r.link == f"{b.BASE_URL}/v1/rounds/2024/worklist"
    assert ("下一步：" if language == "zh" else "Next step: ") in r.body_text
    for item in event.data.items:
        assert item.firm.name in r.body_text
