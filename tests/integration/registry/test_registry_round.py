"""The round's facts in the registry, on a real PostgreSQL, over its HTTP API: filings
recorded, replayed, corrected and revoked; applications through their steps (the leader's
ending with the city); a round's applications imported with a refused row writing nothing;
every change an event and an audit entry."""

from __future__ import annotations

import httpx
import pytest

from shared.db import connect
from shared.settings import database_url_for
from tests.factories import firm_payload, random_uscc

pytestmark = pytest.mark.integration


async def _firm(client: httpx.AsyncClient, **overrides: object) -> dict:
    r = await client.post("/v1/firms", json=firm_payload(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


async def _events(client: httpx.AsyncClient, firm_id: str) -> list[str]:
    r = await client.get(f"/v1/firms/{firm_id}/events")
    return [e["event_type"] for e in r.json()["items"]]


async def test_a_filing_is_recorded_once_corrected_and_revoked(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    firm = await _firm(client)
    body = {"tier": "gazelle", "listed_on": "2022-12-20", "list_name": "辽宁省2022年第一批瞪羚企业"}
    made = await client.post(f"/v1/firms/{firm['id']}/filings", json=body)
    assert made.status_code == 201, made.text
    filing = made.json()
    assert filing["expires_on"] == "2025-12-20" and filing["source"] == "manual"
    again = await client.post(f"/v1/firms/{firm['id']}/filings", json=body)
    assert again.status_code == 200 and again.json()["id"] == filing["id"]
    wrong = await client.post(f"/v1/firms/{firm['id']}/filings",
                              json={**body, "tier": "unicorn", "list_name": "独角兽名单"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "unicorn_grade"

    fixed = await client.patch(f"/v1/firms/{firm['id']}/filings/{filing['id']}",
                               json={"listed_on": "2022-12-21"})
    assert fixed.status_code == 200 and fixed.json()["expires_on"] == "2025-12-21"
    revoked = await client.post(f"/v1/firms/{firm['id']}/filings/{filing['id']}/revoke",
                                json={"revoked_on": "2023-06-01", "reason": "严重违法失信"})
    assert revoked.json()["revoked_on"] == "2023-06-01"
    twice = await client.post(f"/v1/firms/{firm['id']}/filings/{filing['id']}/revoke",
                              json={"revoked_on": "2023-07-01"})
    assert twice.json()["revoked_on"] == "2023-06-01"  # the first revocation stands
    stale = await client.patch(f"/v1/firms/{firm['id']}/filings/{filing['id']}",
                               json={"list_name": "另一个名单"})
    assert stale.status_code == 422
    assert await _events(client, firm["id"]) == [
        "FirmRegistered", "FilingRecorded", "FilingCorrected", "FilingRevoked"]
    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:
        actions = [r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE subject = $1 ORDER BY id", firm["id"])]
    finally:
        await conn.close()
    assert actions[-3:] == ["filing.record", "filing.correct", "filing.revoke"]


async def test_an_application_moves_step_by_step_and_refuses_what_may_not_follow(
        client: httpx.AsyncClient) -> None:
    firm = await _firm(client, founded_on="2012-03-01")
    url = f"/v1/firms/{firm['id']}/applications"
    app = (await client.post(url, json={"round_year": 2022, "tier": "leader",
                                        "applied_on": "2022-12-01"})).json()
    assert app["city_decides"] and app["next_steps"] == ["district_checked", "withdrawn"]
    steps = f"{url}/{app['id']}/steps"
    early = await client.post(steps, json={"step": "district_checked", "on": "2022-11-30",
                                           "passed": True})
    assert early.status_code == 422
    assert early.json()["errors"][0] == {"field": "on", "rule": "after_previous_step",
                                         "message": early.json()["errors"][0]["message"]}
    ok = await client.post(steps, json={"step": "district_checked", "on": "2022-12-05",
                                        "passed": True, "note": "已实地走访"})
    assert ok.status_code == 201 and ok.json()["next_steps"] == ["filed", "not_filed",
                                                                 "withdrawn"]
    province = await client.post(steps, json={"step": "recommended", "on": "2022-12-06"})
    assert province.status_code == 422 and "city's own decision" in province.text
    no_filing = await client.post(steps, json={"step": "filed", "on": "2022-12-20",
                                               "filing_id": firm["id"]})
    assert no_filing.status_code == 422 and no_filing.json()["errors"][0]["field"] == "filing_id"
    # the city's list files it: the filing closes the application with its `filed` step
    filed = await client.post(f"/v1/firms/{firm['id']}/filings", json={
        "tier": "leader", "listed_on": "2022-12-20", "list_name": "大连市2022年领军企业"})
    assert filed.json()["application_id"] == app["id"]
    detail = (await client.get(f"/v1/firms/{firm['id']}")).json()
    (stored,) = detail["applications"]
    assert stored["state"] == "filed" and stored["filing_id"] == filed.json()["id"]
    assert [s["step"] for s in stored["steps"]] == ["district_checked", "filed"]
    assert stored["steps"][0]["note"] == "已实地走访" and stored["steps"][0]["by"]
    second = await client.post(url, json={"round_year": 2022, "tier": "leader",
                                          "applied_on": "2022-12-02"})
    assert second.status_code == 422
    assert second.json()["errors"][0]["rule"] == "one_application_per_round"


async def test_a_rounds_applications_import_whole_rows_only(client: httpx.AsyncClient) -> None:
    good, bad = await _firm(client), await _firm(client)
    text = ("uscc,round_year,tier,applied_on,district_checked_on,district_passed,"
            "recommended_on,not_filed_on,not_filed_reason\n"
            f"{good['uscc']},2022,gazelle,2022-12-01,2022-12-05,true,2022-12-14,,\n"
            f"{bad['uscc']},2022,gazelle,2022-12-01,2022-12-05,false,2022-12-14,,\n"
            f"{random_uscc()},2022,eaglet,2022-12-01,,,,,\n")
    files = {"file": ("applications.csv", text.encode(), "text/csv")}
    report = (await client.post("/v1/imports", params={"kind": "applications"},
                                files=files)).json()
    assert (report["applied"], report["rejected"]) == (1, 2), report
    fields = {e["row"]: (e["field"], e["reason"]) for e in report["errors"]}
    assert fields[2][0] == "reason"  # a failed district check needs its reason: nothing written
    assert fields[3][0] == "uscc"
    assert await _events(client, bad["id"]) == ["FirmRegistered"]
    assert (await client.get(f"/v1/firms/{bad['id']}")).json()["applications"] == []
    assert await _events(client, good["id"]) == [
        "FirmRegistered", "ApplicationSubmitted", "ApplicationStepRecorded",
        "ApplicationStepRecorded"]
    again = (await client.post("/v1/imports", params={"kind": "applications"},
                               files=files)).json()
    assert (again["applied"], again["unchanged"]) == (0, 1)
