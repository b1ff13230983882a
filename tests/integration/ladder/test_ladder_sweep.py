"""Filings over time: expiry notices, renewal at expiry, demotion of a firm that stopped qualifying."""

from __future__ import annotations

from datetime import date

import pytest

from ladder import handlers
from ladder.repository import UnitOfWork
from shared.topics import STANDING_EVENTS
from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import Pair, dated_report, registry_app
from tests.kafka_helpers import collect

pytestmark = pytest.mark.integration


class Clock:
    """A date the test moves."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


async def test_expiry_notice_renewal_and_demotion(pg_server_url: str, fresh_broker: str) -> None:
    from ladder.app import build_app
    from ladder.config import Settings
    from tests.factories import auth
    from tests.integration.conftest import serve, service_settings

    clock = Clock(date(2022, 6, 30))
    reg_db = await fresh_database(pg_server_url, "registry")
    lad_db = await fresh_database(pg_server_url, "ladder")
    settings = service_settings(Settings, server_url=pg_server_url, database=lad_db,
                                bootstrap=fresh_broker)
    app = build_app(settings, clock=clock)
    async with registry_app(pg_server_url, reg_db, fresh_broker) as reg, serve(app) as lad:
        lad.headers.update(auth())
        p = Pair(reg, lad)
        ids = []
        for _ in range(2):
            firm = (await reg.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))).json()
            seq = (await reg.put(f"/v1/firms/{firm['id']}/reports/2021",
                                 json=dated_report(ip_class1=1))).json()["sequence"]
            assert (await p.caught_up(firm["id"], seq))["expires_on"] == "2025-03-01"
            ids.append(firm["id"])
        keeps, loses = ids
        # the second firm restates its report without IP in May: during validity it is only
        # at risk
        seq = (await reg.put(f"/v1/firms/{loses}/reports/2021", json=dated_report(
            "2022-05-01", ip_class1=0, ip_class2=0))).json()["sequence"]
        standing = await p.caught_up(loses, seq)
        assert (standing["tier"], standing["at_risk"]) == ("eaglet", True)
        # both file FY2024 before the expiry (facts dated after the ladder's today wait)
        for firm_id, ip in ((keeps, 1), (loses, 0)):
            seq = (await reg.put(f"/v1/firms/{firm_id}/reports/2024", json=dated_report(
                "2025-02-01", ip_class1=ip, ip_class2=0))).json()["sequence"]
            assert (await p.caught_up(firm_id, seq))["tier"] == "eaglet"

        async def sweep() -> dict[str, int]:
            return await handlers.sweep(UnitOfWork(app.state.pool),
                                        rulebook=app.state.rulebooks.active, today=clock())

        clock.today = date(2024, 12, 15)  # 76 days before expiry
        assert (await sweep())["notices"] == 2
        assert (await sweep())["notices"] == 0  # once per filing
        clock.today = date(2025, 3, 1)  # the first day no longer valid
        assert (await sweep())["expired"] == 2
        renewed = (await lad.get(f"/v1/firms/{keeps}/standing")).json()
        assert (renewed["tier"], renewed["expires_on"]) == ("eaglet", "2028-03-01")
        assert renewed["filed_on"] == "2022-03-01"  # a renewal is not a new filing
        dropped = (await lad.get(f"/v1/firms/{loses}/standing")).json()
        assert (dropped["tier"], dropped["at_risk"]) == ("none", False)
        targets = {i["tier"]: i["achieved"] for i in
                   (await lad.get("/v1/targets/2022")).json()["items"]}
        assert targets["eaglet"] == 2  # renewals do not count again

        # while the app (and its outbox relay) still runs
        events = await collect(fresh_broker, STANDING_EVENTS, count=4, match=lambda e: e["event_type"] in (
            "FilingExpiring", "TierRenewed", "TierDemoted"))
        kinds = sorted((e["event_type"], e["subject"]) for e in events)
        assert kinds == sorted([("FilingExpiring", keeps), ("FilingExpiring", loses),
                                ("TierRenewed", keeps), ("TierDemoted", loses)])
        notice = next(e for e in events if e["event_type"] == "FilingExpiring")
        assert notice["data"]["days_left"] == 76
