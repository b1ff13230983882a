"""The registry against a real PostgreSQL and a real broker, driven over its HTTP API."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from shared.db import connect
from shared.settings import database_url_for
from shared.topics import FIRM_EVENTS
from tests.factories import auth, firm_payload, random_uscc, report_payload, wrong_check_uscc
from tests.kafka_helpers import collect

pytestmark = pytest.mark.integration


async def _firm(client: httpx.AsyncClient, **overrides: object) -> dict:
    r = await client.post("/v1/firms", json=firm_payload(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


async def test_register_read_list_and_replay(client: httpx.AsyncClient) -> None:
    body = firm_payload(district="jinpu", industry="clean_energy")
    created = await client.post("/v1/firms", json=body)
    assert created.status_code == 201
    firm = created.json()
    assert firm["sequence"] == 1 and firm["company_kind"] == "independent"

    replay = await client.post("/v1/firms", json=body)
    assert replay.status_code == 200 and replay.json()["id"] == firm["id"]

    clash = await client.post("/v1/firms", json={**body, "name": "另一家公司"})
    assert clash.status_code == 409
    assert clash.json()["conflict"]["existing_firm_id"] == firm["id"]

    got = await client.get(f"/v1/firms/{firm['id']}")
    assert got.json()["uscc"] == body["uscc"] and got.json()["reports"] == []

    listed = await client.get("/v1/firms", params={"district": "jinpu", "industry": "clean_energy"})
    assert [f["id"] for f in listed.json()["items"]] == [firm["id"]]


async def test_cursor_pages_cover_every_firm_once(client: httpx.AsyncClient) -> None:
    ids = {(await _firm(client, district="changhai"))["id"] for _ in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"district": "changhai", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/firms", params=params)).json()
        seen += [f["id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)


async def test_reports_filed_restated_and_identical(client: httpx.AsyncClient) -> None:
    firm = await _firm(client)
    url = f"/v1/firms/{firm['id']}/reports/2021"
    first = await client.put(url, json=report_payload())
    assert first.status_code == 201 and first.json()["outcome"] == "filed"
    same = await client.put(url, json=report_payload())
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"
    assert same.json()["sequence"] == first.json()["sequence"]
    restated = await client.put(url, json=report_payload(revenue=31_000_000))
    assert restated.status_code == 200 and restated.json()["outcome"] == "restated"
    assert restated.json()["sequence"] == first.json()["sequence"] + 1

    stored = (await client.get(url)).json()
    assert stored["revenue"] == 31_000_000 and stored["version"] == 2
    assert stored["history"][0]["data"]["revenue"] == 30_000_000

    events = (await client.get(f"/v1/firms/{firm['id']}/events")).json()["items"]
    assert [e["event_type"] for e in events] == [
        "FirmRegistered", "AnnualReportFiled", "AnnualReportRestated"]
    assert events[2]["data"]["previous"]["revenue"] == 30_000_000


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"uscc": "91350100M000100Y44"}, "uscc", "uscc"),
        ({"uscc": "91350100M000100Y4"}, "uscc", "uscc"),
        ({"uscc": "91350100M000100O43"}, "uscc", "uscc"),
        ({"district": "atlantis"}, "district", "literal_error"),
        ({"founded_on": "2999-01-01"}, "founded_on", "not_future"),
        ({"company_kind": "shell"}, "company_kind", "literal_error"),
        ({"unexpected": 1}, "unexpected", "extra_forbidden"),
    ],
)
async def test_bad_firm_input_names_field_and_rule(
    client: httpx.AsyncClient, body: dict, field: str, rule: str
) -> None:
    r = await client.post("/v1/firms", json=firm_payload(**body))
    assert r.status_code == 422
    problems = r.json()["errors"]
    assert any(p["field"] == field and p["rule"] == rule for p in problems), problems


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"revenue": -1}, "revenue", "greater_than_equal"),
        ({"employees": 10, "st_staff": 11}, "st_staff", "st_staff_le_employees"),
        ({"revenue": 10, "high_tech_revenue": 11}, "high_tech_revenue", "high_tech_le_revenue"),
        ({"revenue": "lots"}, "revenue", "int_parsing"),
    ],
)
async def test_bad_report_input(client: httpx.AsyncClient, overrides: dict, field: str, rule: str) -> None:
    firm = await _firm(client)
    r = await client.put(f"/v1/firms/{firm['id']}/reports/2021", json=report_payload(**overrides))
    assert r.status_code == 422
    assert any(p["field"] == field and p["rule"] == rule for p in r.json()["errors"]), r.json()
    events = (await client.get(f"/v1/firms/{firm['id']}/events")).json()["items"]
    assert len(events) == 1  # nothing half-written


async def test_fiscal_year_outside_firm_life(client: httpx.AsyncClient) -> None:
    firm = await _firm(client, founded_on="2018-06-01")
    early = await client.put(f"/v1/firms/{firm['id']}/reports/2017", json=report_payload())
    assert early.status_code == 422 and early.json()["errors"][0]["rule"] == "after_founding"
    late = await client.put(f"/v1/firms/{firm['id']}/reports/2099", json=report_payload())
    assert late.status_code == 422 and late.json()["errors"][0]["rule"] == "not_future"


async def test_transport_level_mistakes(client: httpx.AsyncClient) -> None:
    malformed = await client.post("/v1/firms", content=b'{"uscc": ', headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and "malformed JSON" in malformed.json()["errors"][0]["message"]
    huge = await client.post("/v1/firms", content=b"x" * (10 * 1024 * 1024),
                             headers={"content-type": "application/json"})
    assert huge.status_code == 413 and "limit" in huge.json()["detail"]
    nul = await client.post("/v1/firms", json=firm_payload(name="大连\x00公司"))
    assert nul.status_code == 422 and nul.json()["errors"][0]["rule"] == "no_nul"
    assert (await client.get("/v1/firms", params={"q": "a\x00"})).status_code == 422
    anonymous = await client.get("/v1/firms", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    wrong = await client.get("/v1/firms", headers=auth("ct_not_a_key"))
    assert wrong.status_code == 401
    unknown = await client.get("/v1/firms/7b0e3f3e-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    import base64

    huge = base64.urlsafe_b64encode(str(10**30).encode()).decode()
    for params in ({"cursor": huge}, {"cursor": "not-a-cursor"}):
        r = await client.get("/v1/firms", params=params)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


async def test_roles_and_audit(client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    import uuid

    from shared.auth import create_key

    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:
        await create_key(conn, key_id=uuid.uuid4(), token="ct_viewer_key", role="viewer")
        viewer = auth("ct_viewer_key")
        assert (await client.get("/v1/firms", headers=viewer)).status_code == 200
        denied = await client.post("/v1/firms", json=firm_payload(), headers=viewer)
        assert denied.status_code == 403 and "viewer" in denied.json()["detail"]

        firm = await _firm(client)
        await client.patch(f"/v1/firms/{firm['id']}", json={"dishonest_list": True})
        rows = await conn.fetch("SELECT actor, action, before, after FROM audit_log ORDER BY id")
        assert [r["action"] for r in rows] == ["firm.register", "firm.update"]
        assert rows[1]["before"] == {"dishonest_list": False}
        assert rows[1]["after"] == {"dishonest_list": True, "effective_on": date.today().isoformat()}
        assert rows[1]["actor"] == "admin:admin-token"
    finally:
        await conn.close()


async def test_patch_emits_profile_and_flag_events(client: httpx.AsyncClient) -> None:
    firm = await _firm(client)
    r = await client.patch(f"/v1/firms/{firm['id']}", json={"name": "新名字科技", "listed": True})
    assert r.status_code == 200 and r.json()["listed"] is True and r.json()["sequence"] == 3
    assert (await client.patch(f"/v1/firms/{firm['id']}", json={})).status_code == 422
    same = await client.patch(f"/v1/firms/{firm['id']}", json={"listed": True})
    assert same.json()["sequence"] == 3
    types = [e["event_type"] for e in (await client.get(f"/v1/firms/{firm['id']}/events")).json()["items"]]
    assert types == ["FirmRegistered", "FirmProfileChanged", "ComplianceFlagChanged"]


async def test_funding_rounds_and_certificates(client: httpx.AsyncClient) -> None:
    firm = await _firm(client)
    fr = {"closed_on": "2021-05-01", "amount": 20_000_000, "currency": "CNY",
          "post_money_valuation": 300_000_000, "investor_kind": "vc_pe"}
    first = await client.post(f"/v1/firms/{firm['id']}/funding-rounds", json=fr)
    assert first.status_code == 201
    assert (await client.post(f"/v1/firms/{firm['id']}/funding-rounds", json=fr)).status_code == 200
    bad = await client.post(f"/v1/firms/{firm['id']}/funding-rounds",
                            json={**fr, "post_money_valuation": 1})
    assert bad.status_code == 422

    cert = await client.post(f"/v1/firms/{firm['id']}/certificates",
                             json={"kind": "high_tech_enterprise", "issued_on": "2021-12-01"})
    assert cert.status_code == 201
    revoke_url = f"/v1/firms/{firm['id']}/certificates/{cert.json()['id']}/revoke"
    revoked = await client.post(revoke_url, json={"revoked_on": "2022-03-01", "reason": "fraud"})
    assert revoked.status_code == 200 and revoked.json()["revoked_on"] == "2022-03-01"
    again = await client.post(revoke_url, json={})
    assert again.json()["sequence"] == revoked.json()["sequence"]
    types = [e["event_type"] for e in (await client.get(f"/v1/firms/{firm['id']}/events")).json()["items"]]
    assert types == ["FirmRegistered", "FundingRoundRecorded", "CertificateGranted", "CertificateRevoked"]


async def test_firm_detail_shows_each_fact_as_its_own_answer_did(client: httpx.AsyncClient) -> None:
    """GET /v1/firms/{id} reads everything in one statement: every fact in it, field for field
    and in order, is what the fact's own write or read answered."""
    firm = await _firm(client)
    base = f"/v1/firms/{firm['id']}"
    reports = []
    for year in (2021, 2019, 2020):  # filed out of order, listed by year
        assert (await client.put(f"{base}/reports/{year}", json=report_payload())).status_code == 201
        report = (await client.get(f"{base}/reports/{year}")).json()
        reports.append({k: v for k, v in report.items() if k != "history"})
    rounds = [(await client.post(f"{base}/funding-rounds", json={
        "closed_on": closed, "amount": 20_000_000, "currency": "CNY",
        "post_money_valuation": 300_000_000, "investor_kind": "vc_pe"})).json()
        for closed in ("2021-05-01", "2020-01-15")]
    certs = [(await client.post(f"{base}/certificates", json={
        "kind": kind, "issued_on": issued})).json()
        for kind, issued in (("tech_sme", "2022-04-01"), ("high_tech_enterprise", "2021-12-01"))]
    for written in (*rounds, *certs):
        del written["sequence"]  # the write's answer names its event; the fact has none
    detail = (await client.get(base)).json()
    assert detail["reports"] == sorted(reports, key=lambda r: r["fiscal_year"])
    assert detail["funding_rounds"] == sorted(rounds, key=lambda r: r["closed_on"])
    assert detail["certificates"] == sorted(certs, key=lambda c: c["issued_on"])
    assert {k: detail[k] for k in firm} == {**firm, "sequence": detail["sequence"],
                                            "updated_at": detail["updated_at"]}


async def test_events_reach_kafka_in_order(client: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    firm = await _firm(client)
    for year in (2018, 2019, 2020, 2021):
        assert (await client.put(f"/v1/firms/{firm['id']}/reports/{year}",
                                 json=report_payload())).status_code == 201
    events = await collect(kafka_bootstrap, FIRM_EVENTS, count=5,
                           match=lambda e: e["subject"] == firm["id"])
    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5]
    assert {e["_key"] for e in events} == {firm["id"]}
    assert [e["data"]["report"]["fiscal_year"] for e in events[1:]] == [2018, 2019, 2020, 2021]


async def test_csv_import_reports_rows_and_is_rerunnable(client: httpx.AsyncClient) -> None:
    good1, good2 = firm_payload(), firm_payload()
    header = "uscc,name,district,industry,founded_on"
    rows = [
        ",".join(good1[k] for k in header.split(",")),
        f"{wrong_check_uscc()},坏码公司,hitech,other,2019-01-01",
        ",".join(good2[k] for k in header.split(",")),
        f"{random_uscc()},未知区公司,atlantis,other,2019-01-01",
    ]
    text = "\n".join([header, *rows]) + "\n"
    files = {"file": ("firms.csv", text.encode(), "text/csv")}
    r = await client.post("/v1/imports", params={"kind": "firms"}, files=files)
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["applied"], report["rejected"]) == (2, 2)
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(2, "uscc"), (4, "district")}

    rerun = (await client.post("/v1/imports", params={"kind": "firms"}, files=files)).json()
    assert rerun["applied"] == 0 and rerun["unchanged"] == 2

    reports_csv = "uscc,fiscal_year,revenue,sales_revenue,total_assets,employees,st_staff," \
        "rd_expense,st_activity_investment,high_tech_revenue,ip_class1,ip_class2\n" \
        f"{good1['uscc']},2021,1000,1000,1000,10,5,100,100,500,1,0\n" \
        f"{good1['uscc']},2021,1000,1000,1000,10,50,100,100,500,1,0\n"
    rr = (await client.post("/v1/imports", params={"kind": "reports"},
                            files={"file": ("r.csv", reports_csv.encode(), "text/csv")})).json()
    assert rr["applied"] == 1 and rr["errors"][0]["row"] == 2
    saved = await client.get(f"/v1/imports/{rr['id']}")
    assert saved.json()["status"] == "completed_with_errors"


async def test_import_refuses_what_is_not_csv(client: httpx.AsyncClient) -> None:
    for body in (b'a\rb,"c\n', b"\xff\xfe\x00", b"", b"uscc,name\n1,a\x00b\n"):
        files = {"file": ("x.csv", body, "text/csv")}
        r = await client.post("/v1/imports", params={"kind": "firms"}, files=files)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == "file"


async def test_import_refuses_unknown_columns(client: httpx.AsyncClient) -> None:
    files = {"file": ("x.csv", b"uscc,colour\n1,red\n", "text/csv")}
    r = await client.post("/v1/imports", params={"kind": "firms"}, files=files)
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "csv_columns"
