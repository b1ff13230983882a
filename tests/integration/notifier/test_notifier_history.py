"""History on the real PostgreSQL: old decisions (a history import) reach the firms' records
and one summary per officer, out of the inbox and the delivery queue; replays count nothing
twice; a recent decision is still an alert sent now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from notifier.config import Settings
from notifier.domain.history import today_in_bureau
from tests.integration.notifier.helpers import (
    FakeClock,
    bureau_time,
    consume,
    create_officer,
    deliveries,
    inbox,
    running,
)
from tests.integration.notifier.test_notifier_service_batch import records
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration
HOOK = {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}


def demotion(on: date) -> Any:
    return b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                            failing=[b.failing()], decided_on=on.isoformat())


async def test_history_goes_to_the_record_and_one_summary(
        make_settings: Callable[..., Settings]) -> None:
    clock = FakeClock(bureau_time(2026, 12, 2, 10))
    today = today_in_bureau(clock.now)
    async with running(make_settings(notifier_worker_enabled=False,
                                     notifier_history_after_days=30), clock) as (app, client):
        officer = (await create_officer(client, channels=[HOOK]))["id"]
        old = [demotion(date(2016 + i % 8, 5, 30)) for i in range(12)]
        batch = records(old[:8])
        await app.state.consumer.process_batch(batch)
        for event in old[8:] + old[:3]:  # the rest, then three replays
            await consume(app, event)
        recent = demotion(today - timedelta(days=2))
        await consume(app, recent)

        page = await inbox(client, officer, limit=100)
        kinds = sorted(a["kind"] for a in page["items"])
        assert kinds == ["demotion", "history_summary"], kinds
        assert page["unread"] == 2
        summary = next(a for a in page["items"] if a["kind"] == "history_summary")
        assert summary["title"] == "【历史记录】导入的历史：12 家企业，自 2016 年起 12 次降级"
        assert not summary["critical"] and summary["on"] == "2016-05-30"
        alert = next(a for a in page["items"] if a["kind"] == "demotion")
        assert alert["critical"] and alert["on"] == (today - timedelta(days=2)).isoformat()

        sent = await deliveries(client)
        assert [d["alert_id"] for d in sent] == [alert["id"]]  # only the recent one is sent

        firm = old[0].data.firm.id
        r = await client.get("/v1/alerts", params={"firm_id": str(firm)})
        assert r.status_code == 200, r.text
        (record,) = r.json()["items"]
        assert record["history"] and not record["critical"] and record["on"] == "2016-05-30"
        r = await client.get("/v1/alerts", params={"history": "true", "limit": 100})
        assert len(r.json()["items"]) == 12
