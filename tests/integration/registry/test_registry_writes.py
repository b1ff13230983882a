"""The registry's few-statement write path on the real PostgreSQL: set-based imports and
the sequence guard of the combined event statement."""

from __future__ import annotations

import httpx
import pytest

from registry.repository import SequenceDrift
from shared.db import connect
from shared.settings import database_url_for
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.integration
HEADER = ("firm_id,fiscal_year,revenue,sales_revenue,total_assets,employees,st_staff,"
          "rd_expense,st_activity_investment,high_tech_revenue,ip_class1,ip_class2")


async def _firm(client: httpx.AsyncClient) -> str:
    r = await client.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _import(client: httpx.AsyncClient, kind: str, lines: list[str], header: str) -> dict:
    body = ("\n".join([header, *lines]) + "\n").encode()
    r = await client.post("/v1/imports", params={"kind": kind},
                          files={"file": ("x.csv", body, "text/csv")})
    assert r.status_code == 201, r.text
    return r.json()


async def test_one_file_files_restates_and_orders_events(client: httpx.AsyncClient) -> None:
    a, b = await _firm(client), await _firm(client)
    lines = [f"{a},2020,1000,1000,1000,10,5,100,100,500,1,0",
             f"{b},2020,1000,1000,1000,10,5,100,100,500,1,0",
             f"{a},2020,2000,1000,1000,10,5,100,100,500,1,0",
             f"{a},2021,1000,1000,1000,10,5,100,100,500,1,0",
             f"{a},2020,2000,1000,1000,10,5,100,100,500,1,0"]
    result = await _import(client, "reports", lines, HEADER)
    assert (result["applied"], result["unchanged"], result["errors"]) == (4, 1, [])
    events = (await client.get(f"/v1/firms/{a}/events")).json()["items"]
    assert [(e["event_type"], e["sequence"]) for e in events] == [
        ("FirmRegistered", 1), ("AnnualReportFiled", 2), ("AnnualReportRestated", 3),
        ("AnnualReportFiled", 4)]
    report = (await client.get(f"/v1/firms/{a}/reports/2020")).json()
    assert report["revenue"] == 2000 and report["version"] == 2
    assert [h["data"]["revenue"] for h in report["history"]] == [1000]
    firm = (await client.get(f"/v1/firms/{a}")).json()
    assert firm["sequence"] == 4
    # a single PUT after the import goes on from the sequence the import left
    put = await client.put(f"/v1/firms/{a}/reports/2022", json=report_payload())
    assert put.status_code == 201 and put.json()["sequence"] == 5


async def test_firm_import_skips_a_uscc_repeated_in_the_file(client: httpx.AsyncClient) -> None:
    header = "uscc,name,district,industry,founded_on"
    p = firm_payload()
    line = ",".join(p[k] for k in header.split(","))
    clash = ",".join({**p, "name": "同码另名科技公司"}[k] for k in header.split(","))
    result = await _import(client, "firms", [line, line, clash], header)
    assert (result["applied"], result["unchanged"], result["rejected"]) == (1, 1, 1)
    assert result["errors"][0]["row"] == 3 and "already registered" in result["errors"][0]["reason"]


async def test_a_moved_sequence_refuses_the_write_whole(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    firm_id = await _firm(client)
    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:  # as if another writer had appended an event without the firm's row knowing
        await conn.execute("UPDATE subject_sequences SET last = 9 WHERE subject = $1", firm_id)
        with pytest.raises(SequenceDrift):  # in process the client sees what the 500 logs
            await client.put(f"/v1/firms/{firm_id}/reports/2021", json=report_payload())
        assert await conn.fetchval(
            "SELECT count(*) FROM annual_reports WHERE firm_id = $1::uuid", firm_id) == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE subject = $1", firm_id) == 1
    finally:
        await conn.close()
