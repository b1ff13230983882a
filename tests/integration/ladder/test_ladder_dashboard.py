"""The dashboard's tables and their CSV / Excel exports over real data, filters applied."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import FILED, dated_report, growth_reports, pair

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)


async def test_tables_and_exports(pg_server_url: str, fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        ids = {}
        # the growth firm files FY2021 first (an eaglet), its history two months later (a gazelle)
        growth = growth_reports(filed_on="2022-05-01")
        growth[2021]["filed_on"] = FILED
        for name, district, reports in (("jin", "jinpu", growth),
                                        ("hi", "hitech", {2021: dated_report(ip_class1=1)}),
                                        ("hi2", "hitech", {2021: dated_report(ip_class1=1)})):
            firm = (await p.registry.post("/v1/firms", json=firm_payload(
                founded_on="2016-03-01", district=district))).json()
            seq = firm["sequence"]
            for year, body in reports.items():
                seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}", json=body)).json()["sequence"]
            await p.caught_up(firm["id"], seq)
            ids[name] = firm["id"]

        funnel = (await p.ladder.get("/v1/dashboard/tables/funnel")).json()
        share = {(r["district"], r["tier"]): (r["firms"], r["share_of_city"]) for r in funnel["rows"]}
        assert share == {("hitech", "eaglet"): (2, 1.0), ("jinpu", "gazelle"): (1, 1.0)}
        hitech = (await p.ladder.get("/v1/dashboard/tables/funnel", params={"district": "hitech"})).json()
        assert {r["district"] for r in hitech["rows"]} == {"hitech"}

        targets = (await p.ladder.get("/v1/dashboard/tables/targets", params={"year": 2022})).json()
        eaglet = next(r for r in targets["rows"] if r["key"] == "eaglet")
        assert (eaglet["target"], eaglet["achieved"]) == (170, 3) and eaglet["forecast_method"]
        later = (await p.ladder.get("/v1/dashboard/tables/targets", params={"year": 2031})).json()
        assert later["rows"] and all(r["target"] is None and r["achieved"] == 0 for r in later["rows"])
        cohorts = (await p.ladder.get("/v1/dashboard/tables/cohorts")).json()["rows"]
        # decisions are dated by their facts: all three filed as eaglets in 2022, and the
        # growth firm became a gazelle two months later
        assert [(c["filing_year"], c["eaglets"], c["gazelle_within_1y"]) for c in cohorts] == [
            (2022, 3, 1)]
        # a table's first `limit` rows, `more` when rows were left out (the export has them all)
        table = "/v1/dashboard/tables/standings"
        whole = (await p.ladder.get(table)).json()
        assert len(whole["rows"]) == 3 and whole["more"] is False
        two = (await p.ladder.get(table, params={"limit": 2})).json()
        assert two["rows"] == whole["rows"][:2] and two["more"] is True
        assert (await p.ladder.get(table, params={"limit": 3})).json()["more"] is False
        one = (await p.ladder.get("/v1/dashboard/tables/funnel", params={"limit": 1})).json()
        assert one["rows"] == funnel["rows"][:1] and one["more"] is True
        me = (await p.ladder.get("/v1/dashboard/me")).json()
        assert me["role"] == "admin" and me["today"] == "2022-06-30"

        # CSV: UTF-8 with a BOM, Chinese headers by default, the filter applied
        r = await p.ladder.get("/v1/exports/standings.csv", params={"district": "hitech"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert 'filename="standings-2022-hitech.csv"' in r.headers["content-disposition"]
        assert r.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["企业ID", "企业名称", "区市县"]
        assert sorted(row[0] for row in rows[1:]) == sorted([ids["hi"], ids["hi2"]])

        # Excel: opens, English headers on request, the same rows as the table
        r = await p.ladder.get("/v1/exports/targets.xlsx", params={"year": 2022, "lang": "en"})
        sheet = load_workbook(io.BytesIO(r.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:3] == ("key", "target", "achieved")
        assert ("eaglet", 170, 3) in {v[:3] for v in values[1:]}

        # bad input is a 422 naming the field, never a 500
        for url, params, field in (("/v1/exports/standings.pdf", {}, "fmt"),
                                   ("/v1/exports/secrets.csv", {}, "name"),
                                   ("/v1/exports/funnel.csv", {"district": "atlantis"}, "district"),
                                   ("/v1/dashboard/tables/targets", {"year": 1800}, "year"),
                                   ("/v1/dashboard/tables/standings", {"limit": 0}, "limit"),
                                   ("/v1/dashboard/tables/standings", {"limit": 10**6},
                                    "limit")):
            bad = await p.ladder.get(url, params=params)
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text
        page = await p.ladder.get("/dashboard")
        assert page.status_code == 200 and "echarts.min.js" in page.text
        assert (await p.ladder.get("/dashboard/static/vendor/echarts.min.js")).status_code == 200
