"""POST /v1/imports?kind=funding_rounds|certificates on a real PostgreSQL: each row as the
single request would record it (its event, its audit entry), an identical row unchanged, a
row before founding refused naming the field, a refused row writing nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.db import connect
from shared.settings import database_url_for
from tests.factories import firm_payload, random_uscc

pytestmark = pytest.mark.integration

ROUNDS = "uscc,firm_id,closed_on,amount,currency,post_money_valuation,investor_kind\n"
CERTS = "uscc,firm_id,kind,issued_on,expires_on,number\n"


async def _firm(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/v1/firms", json=firm_payload(founded_on="2016-04-01"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _import(client: httpx.AsyncClient, kind: str, text: str) -> dict[str, Any]:
    r = await client.post("/v1/imports", params={"kind": kind},
                          files={"file": (f"{kind}.csv", text.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _events(client: httpx.AsyncClient, firm: dict[str, Any]) -> list[dict[str, Any]]:
    r = await client.get(f"/v1/firms/{firm['id']}/events")
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def _counts(conn: Any) -> tuple[int, int, int, int]:
    return (await conn.fetchval("SELECT count(*) FROM funding_rounds"),
            await conn.fetchval("SELECT count(*) FROM certificates"),
            await conn.fetchval("SELECT count(*) FROM outbox"),
            await conn.fetchval("SELECT count(*) FROM audit_log"))


async def test_funding_rounds_import_as_the_single_requests_record_them(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    a, b = await _firm(client), await _firm(client)
    text = ROUNDS + (
        f"{a['uscc']},,2019-05-01,20000000,,300000000,vc_pe\n"
        f"{a['uscc'].lower()},,2021-03-01,5000000,USD,80000000,other\n"
        f",{b['id']},2020-01-15,1000000,CNY,10000000,vc_pe\n"
        f"{a['uscc']},,2019-05-01,20000000,CNY,300000000,vc_pe\n"  # the first row again
        f",{b['id']},2015-12-31,1000000,CNY,10000000,vc_pe\n"  # before founding
        f"{random_uscc()},,2020-01-01,1000000,CNY,10000000,vc_pe\n"  # no such firm
        f"{a['uscc']},,2020-01-01,1000000,CNY,10,vc_pe\n")  # valuation below the amount
    report = await _import(client, "funding_rounds", text)
    assert (report["applied"], report["unchanged"], report["rejected"]) == (3, 1, 3)
    assert [(e["row"], e["field"], e["line"]) for e in report["errors"]] == [
        (5, "closed_on", 6), (6, "uscc", 7), (7, "post_money_valuation", 8)]
    assert "before founding" in report["errors"][0]["reason"]

    events = await _events(client, a)
    assert [e["event_type"] for e in events] == ["FirmRegistered", "FundingRoundRecorded",
                                                 "FundingRoundRecorded"]
    assert [e["sequence"] for e in events] == [1, 2, 3]
    first = events[1]["data"]
    assert (first["closed_on"], first["amount"], first["currency"], first["investor_kind"]) == (
        "2019-05-01", 20_000_000, "CNY", "vc_pe")
    detail = (await client.get(f"/v1/firms/{a['id']}")).json()
    assert {r["id"] for r in detail["funding_rounds"]} == {
        e["data"]["round_id"] for e in events[1:]}
    assert detail["sequence"] == 3

    # the single request sees the imported round as its own replay
    replay = await client.post(f"/v1/firms/{a['id']}/funding-rounds", json={
        "closed_on": "2019-05-01", "amount": 20_000_000, "currency": "CNY",
        "post_money_valuation": 300_000_000, "investor_kind": "vc_pe"})
    assert replay.status_code == 200

    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:
        audits = await conn.fetch("SELECT subject, after FROM audit_log"
                                  " WHERE action = 'funding_round.record' ORDER BY id")
        assert [r["subject"] for r in audits] == [a["id"], a["id"], b["id"]]
        before = await _counts(conn)
        again = await _import(client, "funding_rounds", text)
        assert (again["applied"], again["unchanged"], again["rejected"]) == (0, 4, 3)
        assert await _counts(conn) == before
        bad = await _import(client, "funding_rounds",
                            ROUNDS + f",{b['id']},2010-01-01,1000000,CNY,10000000,vc_pe\n")
        assert (bad["applied"], bad["rejected"]) == (0, 1)
        assert bad["errors"][0]["field"] == "closed_on"
        assert await _counts(conn) == before
    finally:
        await conn.close()


async def test_certificates_import_as_the_single_requests_grant_them(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    a = await _firm(client)
    text = CERTS + (
        f"{a['uscc']},,high_tech_enterprise,2021-12-01,2024-12-01,GR2021\n"
        f"{a['uscc']},,tech_sme,2022-05-01,,\n"
        f"{a['uscc']},,tech_sme,2022-05-01,,\n"  # the same again: unchanged
        f"{a['uscc']},,st_award,2015-01-01,,\n"  # before founding
        f"{a['uscc']},,tech_sme,2023-05-01,2023-01-01,\n"  # expires before issue
        f"{a['uscc']},,gold_star,2023-05-01,,\n"  # no such kind
        f",not-a-uuid,tech_sme,2023-05-01,,\n")
    report = await _import(client, "certificates", text)
    assert (report["applied"], report["unchanged"], report["rejected"]) == (2, 1, 4)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (4, "issued_on"), (5, "expires_on"), (6, "kind"), (7, "firm_id")]

    events = await _events(client, a)
    assert [e["event_type"] for e in events] == ["FirmRegistered", "CertificateGranted",
                                                 "CertificateGranted"]
    assert events[1]["data"]["number"] == "GR2021"
    assert events[1]["data"]["expires_on"] == "2024-12-01"
    detail = (await client.get(f"/v1/firms/{a['id']}")).json()
    assert sorted(c["kind"] for c in detail["certificates"]) == ["high_tech_enterprise",
                                                                 "tech_sme"]

    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action ="
                                   " 'certificate.grant' AND subject = $1", a["id"]) == 2
        before = await _counts(conn)
        again = await _import(client, "certificates", text)
        assert (again["applied"], again["unchanged"], again["rejected"]) == (0, 3, 4)
        assert await _counts(conn) == before
        bad = await _import(client, "certificates",
                            CERTS + f"{a['uscc']},,tech_sme,2001-01-01,,\n")
        assert (bad["applied"], bad["rejected"]) == (0, 1)
        assert bad["errors"][0]["field"] == "issued_on"
        assert await _counts(conn) == before
        # the single request grants the same certificate as an unchanged replay
        replay = await client.post(f"/v1/firms/{a['id']}/certificates",
                                   json={"kind": "tech_sme", "issued_on": "2022-05-01"})
        assert replay.status_code == 200
    finally:
        await conn.close()


async def test_a_fact_import_refuses_unknown_columns(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/imports", params={"kind": "certificates"},
                          files={"file": ("c.csv", b"uscc,fiscal_year\nx,2020\n", "text/csv")})
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "csv_columns"
