"""Issue 19 over real data: no standing before a firm's founding; the candidates carry their
gaps as catalogue keys; the catalogue is served; a Chinese export names its codes."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import growth_reports, pair

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)


async def test_pages_read_models(pg_server_url: str, fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        near = {y: dict(body) for y, body in growth_reports(12_500_000).items()}
        near[2021].update(revenue=21_500_000, sales_revenue=21_500_000, high_tech_revenue=10_000_000,
                          st_activity_investment=1_000_000)
        firm = (await p.registry.post("/v1/firms", json=firm_payload(
            founded_on="2016-03-01", district="jinpu"))).json()
        seq = firm["sequence"]
        for year, body in near.items():
            seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}", json=body)).json()["sequence"]
        await p.caught_up(firm["id"], seq)

        # before its founding a firm has no standing: a 422 naming the day and the rule
        early = await p.ladder.get(f"/v1/firms/{firm['id']}/standing", params={"as_of": "2015-12-31"})
        assert early.status_code == 422, early.text
        assert early.json()["errors"][0]["field"] == "as_of"
        assert early.json()["errors"][0]["rule"] == "before_founding"
        after = await p.ladder.get(f"/v1/firms/{firm['id']}/standing", params={"as_of": "2021-06-30"})
        assert after.status_code == 200

        # candidates: each gap as a catalogue key and parameters beside the English sentence
        found = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle"})).json()
        mine = next(c for c in found["items"] if c["firm_id"] == firm["id"])
        assert len(mine["gaps"]) == len(mine["missing"]) >= 1
        assert {g["kind"] for g in mine["gaps"]} <= {"lever", "amount", "compare", "unknown"}
        assert all("key" in g["params"] and "fy" in g["params"] for g in mine["gaps"])
        standing = (await p.ladder.get(f"/v1/firms/{firm['id']}/standing")).json()
        assert all(m["gap_kind"] for m in standing["next_tier"]["missing"])

        # the catalogue, public like the page, in both languages with the same keys
        zh = (await p.ladder.get("/v1/dashboard/catalogue", headers={"Authorization": ""})).json()
        en = (await p.ladder.get("/v1/dashboard/catalogue", params={"lang": "en"})).json()
        assert zh["lang"] == "zh" and zh["words"]["tier.gazelle"] == "瞪羚"
        assert set(zh["words"]) == set(en["words"]) and en["words"]["tier.gazelle"] == "Gazelle"
        bad = await p.ladder.get("/v1/dashboard/catalogue", params={"lang": "fr"})
        assert bad.status_code == 422

        # a Chinese export names its codes and words what a candidate lacks in Chinese
        r = await p.ladder.get("/v1/exports/candidates.csv", params={"tier": "gazelle"})
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        line = next(row for row in rows[1:] if row[0] == firm["id"])
        assert line[2] == "金普新区" and line[4] == "雏鹰"
        assert "营业收入" in line[-1] and "CAGR" not in line[-1]
