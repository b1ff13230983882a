"""Dated facts at the registry: filing dates, effective dates, revocation dates, CSV columns."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.integration


def tomorrow() -> str:
    """The day after today, when asked (a run may pass midnight after import)."""
    return (date.today() + timedelta(days=1)).isoformat()


async def _firm(client: httpx.AsyncClient) -> str:
    r = await client.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _events(client: httpx.AsyncClient, firm_id: str) -> list[dict]:
    return (await client.get(f"/v1/firms/{firm_id}/events")).json()["items"]


async def test_filed_on_defaults_rules_and_restatements(client: httpx.AsyncClient) -> None:
    firm_id = await _firm(client)
    url = f"/v1/firms/{firm_id}/reports"
    for filed_on, rule in (("2021-12-31", "after_fiscal_year"), (tomorrow(), "not_future")):
        bad = await client.put(f"{url}/2021", json=report_payload(filed_on=filed_on))
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0] == {**bad.json()["errors"][0], "field": "filed_on",
                                           "rule": rule}
    assert len(await _events(client, firm_id)) == 1  # nothing half-written

    first = await client.put(f"{url}/2021", json=report_payload(filed_on="2022-01-01"))
    assert first.status_code == 201 and first.json()["filed_on"] == "2022-01-01"
    default = await client.put(f"{url}/2020", json=report_payload())
    assert default.json()["filed_on"] == date.today().isoformat()
    # a restatement without a date corrects the filing it replaces: it keeps its date
    restated = await client.put(f"{url}/2021", json=report_payload(revenue=31_000_000))
    assert restated.json()["outcome"] == "restated" and restated.json()["filed_on"] == "2022-01-01"
    # the same figures with another date are a new version
    moved = await client.put(f"{url}/2021", json=report_payload(revenue=31_000_000,
                                                                filed_on="2022-05-01"))
    assert moved.json()["outcome"] == "restated" and moved.json()["filed_on"] == "2022-05-01"
    same = await client.put(f"{url}/2021", json=report_payload(revenue=31_000_000))
    assert same.json()["outcome"] == "unchanged"
    history = (await client.get(f"{url}/2021")).json()["history"]
    assert [h["data"]["filed_on"] for h in history] == ["2022-01-01", "2022-01-01"]

    events = await _events(client, firm_id)
    assert [e["data"]["report"]["filed_on"] for e in events[1:]] == [
        "2022-01-01", date.today().isoformat(), "2022-01-01", "2022-05-01"]
    assert events[-1]["data"]["previous"]["filed_on"] == "2022-01-01"


async def test_effective_on_and_revoked_on(client: httpx.AsyncClient) -> None:
    firm_id = await _firm(client)
    future = await client.patch(f"/v1/firms/{firm_id}",
                                json={"dishonest_list": True, "effective_on": tomorrow()})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "effective_on"
    early = await client.patch(f"/v1/firms/{firm_id}",
                               json={"dishonest_list": True, "effective_on": "2015-01-01"})
    assert early.status_code == 422 and early.json()["errors"][0]["rule"] == "after_founding"
    only_date = await client.patch(f"/v1/firms/{firm_id}", json={"effective_on": "2020-01-01"})
    assert only_date.status_code == 422
    assert only_date.json()["errors"][0]["rule"] == "nothing_to_change"
    ok = await client.patch(f"/v1/firms/{firm_id}", json={
        "dishonest_list": True, "name": "大连改名科技有限公司", "effective_on": "2022-05-10"})
    assert ok.status_code == 200, ok.text
    default = await client.patch(f"/v1/firms/{firm_id}", json={"dishonest_list": False})
    assert default.status_code == 200
    events = await _events(client, firm_id)
    assert [(e["event_type"], e["data"]["effective_on"]) for e in events[1:]] == [
        ("FirmProfileChanged", "2022-05-10"), ("ComplianceFlagChanged", "2022-05-10"),
        ("ComplianceFlagChanged", date.today().isoformat())]

    cert = await client.post(f"/v1/firms/{firm_id}/certificates",
                             json={"kind": "high_tech_enterprise", "issued_on": "2021-12-01"})
    revoke = f"/v1/firms/{firm_id}/certificates/{cert.json()['id']}/revoke"
    bad = await client.post(revoke, json={"revoked_on": tomorrow()})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "revoked_on"


async def test_csv_import_takes_filed_on(client: httpx.AsyncClient) -> None:
    payload = firm_payload(founded_on="2016-03-01")
    assert (await client.post("/v1/firms", json=payload)).status_code == 201
    header = ("uscc,fiscal_year,filed_on,revenue,sales_revenue,total_assets,employees,st_staff,"
              "rd_expense,st_activity_investment,high_tech_revenue,ip_class1,ip_class2")
    rows = [f"{payload['uscc']},2020,2021-04-02,1000,1000,1000,10,5,100,100,500,1,0",
            f"{payload['uscc']},2021,2021-12-01,1000,1000,1000,10,5,100,100,500,1,0",
            f"{payload['uscc']},2019,,1000,1000,1000,10,5,100,100,500,1,0"]
    files = {"file": ("r.csv", "\n".join([header, *rows]).encode() + b"\n", "text/csv")}
    result = (await client.post("/v1/imports", params={"kind": "reports"}, files=files)).json()
    assert result["applied"] == 2, result
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(2, "filed_on")]
    firm = (await client.get(f"/v1/firms/{(await client.get('/v1/firms', params={'q': payload['uscc']})).json()['items'][0]['id']}")).json()
    assert {r["fiscal_year"]: r["filed_on"] for r in firm["reports"]} == {
        2019: date.today().isoformat(), 2020: "2021-04-02"}
