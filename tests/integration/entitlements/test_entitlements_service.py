"""The entitlements service on a real PostgreSQL and Kafka: registry events in, entitlements
with the right amounts, every step by role, a payment list in xlsx, corrections, revocations,
a new policy set, and a budget that adds up."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from entitlements.config import Settings
from entitlements.domain.policies import shipped
from shared.topics import ENTITLEMENT_EVENTS
from tests.integration.entitlements.conftest import publish, running
from tests.integration.notifier.helpers import until
from tests.kafka_helpers import collect
from tests.unit.entitlements.events import Firms

pytestmark = pytest.mark.integration
TODAY = date(2024, 1, 15)


async def entitlements_of(client: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    r = await client.get("/v1/entitlements", params={"limit": 500, **query})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def step(client: httpx.AsyncClient, eid: str, to: str, **body: Any) -> httpx.Response:
    return await client.post(f"/v1/entitlements/{eid}/steps", json={"to": to, **body})


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_filings_and_certificates_become_entitlements_paid_and_budgeted(
    make_settings: Callable[..., Settings], kafka_bootstrap: str,
) -> None:
    settings = make_settings()
    firms = Firms()
    eaglet, gazelle, hte, sme = (str(uuid.uuid4()) for _ in range(4))
    events = [firms.registered(eaglet, district="jinpu"),
              firms.report(eaglet, 2022, rd_expense=2_500_000),
              firms.registered(gazelle), firms.registered(hte), firms.registered(sme),
              firms.report(sme, 2022, rd_expense=80_000)]
    eaglet_filing, eaglet_filing_id = firms.filing(eaglet, "eaglet", "2023-06-01")
    gazelle_filing, _ = firms.filing(gazelle, "gazelle", "2023-12-20")
    applicant = str(uuid.uuid4())  # the round's pipeline: applied, not filed yet
    events += [firms.registered(applicant), firms.applied(applicant, "unicorn", 2023)[0]]
    events += [eaglet_filing, gazelle_filing,
               firms.certificate(hte, "high_tech_enterprise", "2023-11-01")[0],
               firms.certificate(sme, "tech_sme", "2023-05-10")[0]]
    async with running(settings, TODAY) as (app, client):
        r = await client.get("/v1/policies")
        assert r.status_code == 200 and r.json()["id"] == "DL-2023" and r.json()["provisional"]
        assert all(p["source"] for p in r.json()["policies"])
        await publish(kafka_bootstrap, settings.entitlements_events_topic,
                      events + events[-3:])  # the last three twice: at-least-once upstream

        async def four() -> list[dict[str, Any]] | None:
            got = await entitlements_of(client, year=2023)
            return got if len(got) == 4 else None
        got = await until(four, 30, "four entitlements")
        by_firm = {e["firm"]["id"]: e for e in got}
        assert by_firm[eaglet]["amount"] == 250_000  # 10% of FY2022 R&D 2.5M, under the cap
        assert by_firm[eaglet]["firm"]["district"] == "jinpu"
        assert by_firm[gazelle]["amount"] == 800_000
        assert [(o["option_id"], o["amount"]) for o in by_firm[gazelle]["options"]] == [
            ("loan_interest", 800_000), ("award", 500_000)]  # either/or, the better first
        assert by_firm[hte]["amount"] == 200_000 and by_firm[sme]["amount"] == 20_000
        assert {e["state"] for e in got} == {"computed"}
        trace = by_firm[eaglet]["options"][0]
        assert (trace["figure"], trace["figure_year"], trace["figure_value"]) == (
            "rd_expense", 2022, 2_500_000)

        # what-if: a stricter gazelle policy lowers the expected spend; nothing is written
        stricter = shipped().model_dump(mode="json")
        stricter["version"] = 9
        for p in stricter["policies"]:
            if p["id"] == "dl.gazelle_unicorn.filed":
                p["cap"] = 400_000
        r = await client.post("/v1/simulations", json={"year": 2023, "policies": stricter})
        assert r.status_code == 200, r.text
        sim = r.json()
        # 1,270,000 held + the unicorn applicant's 800,000 at a chance of 0.5
        assert sim["current"]["expected"] == 1_670_000 and sim["draft"]["expected"] == 1_070_000
        assert sim["delta_expected"] == -600_000
        effects = {e["key"]: e["delta"] for e in sim["by_policy"]}
        assert effects["dl.gazelle_unicorn.filed"] == -600_000 and effects["dl.hte.first"] == 0
        assert (await client.get(f"/v1/entitlements/{by_firm[gazelle]['id']}")).json()[
            "amount"] == 800_000
        assert [s["version"] for s in (await client.get("/v1/policy-sets")).json()["items"]] \
            == [1]

        # the gazelle: offered, confirmed with the fixed award, approved, paid by xlsx
        gid, hid = by_firm[gazelle]["id"], by_firm[hte]["id"]
        for eid in (gid, hid, by_firm[eaglet]["id"], by_firm[sme]["id"]):
            assert (await step(client, eid, "offered")).status_code == 200
        r = await step(client, gid, "approved")
        assert r.status_code == 409, r.text  # not confirmed yet
        r = await step(client, gid, "confirmed", option_id="nonsense")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "option_id"
        r = await step(client, gid, "confirmed", option_id="award")
        assert r.status_code == 200 and r.json()["amount"] == 500_000
        for eid in (gid, hid):
            if eid == hid:
                assert (await step(client, eid, "confirmed")).status_code == 200
            assert (await step(client, eid, "approved")).status_code == 200
        bad = xlsx([["entitlement_id", "amount", "paid_on"], [gid, 600_000, "2024-01-10"],
                    [str(uuid.uuid4()), 1, "2024-01-10"]])
        r = await client.post("/v1/imports/payments",
                              files={"file": ("paid.xlsx", bad, "application/octet-stream")})
        assert r.status_code == 422, r.text
        assert {e["field"] for e in r.json()["errors"]} == {"rows[2].amount",
                                                            "rows[3].entitlement_id"}
        assert (await client.get(f"/v1/entitlements/{gid}")).json()["state"] == "approved"
        good = xlsx([["entitlement_id", "amount", "paid_on"], [gid, 500_000, date(2024, 1, 10)],
                     [hid, 200_000, "2024-01-12"]])
        r = await client.post("/v1/imports/payments",
                              files={"file": ("paid.xlsx", good, "application/octet-stream")})
        assert r.status_code == 200 and r.json() == {"paid": 2, "repeats": 0}, r.text
        r = await client.post("/v1/imports/payments",
                              files={"file": ("paid.xlsx", good, "application/octet-stream")})
        assert r.json() == {"paid": 0, "repeats": 2}  # the same list again pays nothing
        detail = (await client.get(f"/v1/entitlements/{gid}")).json()
        assert detail["state"] == "paid" and detail["paid_amount"] == 500_000
        assert [s["to_state"] for s in detail["steps"]] == [
            "computed", "offered", "confirmed", "approved", "paid"]
        assert detail["steps"][-1]["on"] == "2024-01-10"

        # the eaglet's filing is revoked before payment: cancelled; the paid gazelle stands
        await publish(kafka_bootstrap, settings.entitlements_events_topic,
                      [firms.filing_revoked(eaglet, eaglet_filing_id, "eaglet", "2024-01-05")])

        async def cancelled() -> bool:
            e = (await client.get(f"/v1/entitlements/{by_firm[eaglet]['id']}")).json()
            return bool(e["state"] == "cancelled")
        await until(cancelled, 20, "the eaglet's entitlement to be cancelled")

        # a restated FY2022 report corrects the (offered) tech SME amount? It is fixed above 0:
        # a restatement to zero R&D corrects it to 0
        await publish(kafka_bootstrap, settings.entitlements_events_topic,
                      [firms.report(sme, 2022, restated=True, rd_expense=0)])

        async def corrected() -> bool:
            e = (await client.get(f"/v1/entitlements/{by_firm[sme]['id']}")).json()
            return bool(e["amount"] == 0)
        await until(corrected, 20, "the tech SME correction")

        budget = (await client.get("/v1/budget/2023")).json()
        total = budget["total"]
        assert total["paid"] == 700_000 and total["committed"] == 700_000
        assert total["owed"] == 0 and total["computed"] == 0  # sme offered at 0 counts 0
        assert (total["pipeline"], total["prospects"]) == (400_000, 1)
        assert total["expected"] == 1_100_000 and total["entitlements"] == 3
        assert total["expected_high"] == 1_500_000  # the applicant filed: the full 800,000
        assert sum(line["committed"] for line in budget["by_policy"]) == total["committed"]
        assert sum(line["expected"] for line in budget["by_month"]) == total["expected"]
        assert sum(line["expected"] for line in budget["by_district"]) == total["expected"]
        assert {line["key"] for line in budget["by_month"]} == {"2023-05", "2023-11", "2023-12"}
        assert "method" in budget and "ladder" in budget["method"]

        csv = await client.get("/v1/exports/entitlements.csv", params={"year": 2023})
        assert csv.status_code == 200 and csv.text.count("\n") == 5

        # a stricter policy set: the paid gazelle stands, nothing is paid twice
        draft = shipped().model_dump(mode="json")
        draft["version"] = 2
        bad_draft = {**draft, "policies": [{**draft["policies"][0], "scope": {"level": "x"}}]}
        r = await client.post("/v1/policy-sets", json=bad_draft)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"].startswith("policies.0.scope")
        for p in draft["policies"]:
            if p["id"] == "dl.hte.first":
                p["options"][0]["rule"]["amount"] = 150_000
        r = await client.post("/v1/policy-sets", json=draft)
        assert r.status_code == 201, r.text
        assert (await client.post("/v1/policy-sets", json=draft)).status_code == 409
        r = await client.post("/v1/policy-sets/DL-2023/2/activate")
        assert r.status_code == 200, r.text
        paid = (await client.get(f"/v1/entitlements/{hid}")).json()
        assert paid["state"] == "paid" and paid["amount"] == 200_000
        assert paid["review"] and "approval" in paid["review"]
        assert (await client.get("/v1/policies")).json()["version"] == 2

        published = await collect(
            kafka_bootstrap, ENTITLEMENT_EVENTS, count=4,
            match=lambda e: e["event_type"] == "EntitlementComputed"
            and e["subject"] in {eaglet, gazelle, hte, sme})
        assert len({e["data"]["entitlement"]["entitlement_id"] for e in published}) == 4
