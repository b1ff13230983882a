"""The ladder's read and admin API over real data: readiness, candidates, what-if, targets, rulebooks."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import Pair, growth_reports, pair

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)


async def _firm_with(p: Pair, reports: dict[int, dict], **profile: object) -> tuple[str, int]:
    firm = (await p.registry.post("/v1/firms", json=firm_payload(founded_on="2016-03-01", **profile))).json()
    seq = firm["sequence"]
    for year, body in reports.items():
        seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}", json=body)).json()["sequence"]
    await p.caught_up(firm["id"], seq)
    return firm["id"], seq


async def test_ladder_read_models(pg_server_url: str, fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        gazelle, _ = await _firm_with(p, growth_reports(), district="jinpu")
        # a near miss: revenue CAGR just under 20% (21.5M / 12.5M → 19.8%)
        near = {y: dict(body) for y, body in growth_reports(12_500_000).items()}
        near[2021].update(revenue=21_500_000, sales_revenue=21_500_000, high_tech_revenue=10_000_000,
                          st_activity_investment=1_000_000)
        near_id, _ = await _firm_with(p, near, district="jinpu")

        # listing and counting standings, for dashboards
        listed = (await p.ladder.get("/v1/standings", params={"tier": "gazelle", "district": "jinpu"})).json()
        assert [f["firm_id"] for f in listed["items"]] == [gazelle] and listed["next_cursor"] is None
        page = (await p.ladder.get("/v1/standings", params={"limit": 1})).json()
        rest = (await p.ladder.get("/v1/standings", params={"limit": 5, "cursor": page["next_cursor"]})).json()
        assert {f["firm_id"] for f in page["items"] + rest["items"]} == {gazelle, near_id}
        assert page["next_cursor"] not in (gazelle, near_id)  # opaque, not a raw firm id
        for forged in ("not-a-cursor", gazelle, "ImZpcm0i"):  # the last: base64 of "firm"
            bad = await p.ladder.get("/v1/standings", params={"cursor": forged})
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
        whole = (await p.ladder.get(f"/v1/firms/{near_id}/history")).json()
        assert whole["next_cursor"] is None and whole["items"]
        paged, cursor = [], None
        while True:  # one decision a page, newest first, until the cursor runs out
            one = (await p.ladder.get(f"/v1/firms/{near_id}/history",
                                      params={"limit": 1, **({"cursor": cursor} if cursor else {})})).json()
            paged += one["items"]
            cursor = one["next_cursor"]
            if cursor is None:
                break
        assert [h["id"] for h in paged] == [h["id"] for h in whole["items"]]
        totals = (await p.ladder.get("/v1/summary")).json()["totals"]
        assert totals == {"gazelle": 1, "eaglet": 1}
        metrics = (await p.ladder.get("/metrics")).text
        assert 'consumer_lag_messages{group="ladder",partition=' in metrics
        assert 'events_consumed_total{group="ladder",outcome="applied"' in metrics

        # candidates: the near miss is first, with what it lacks in words
        cands = (await p.ladder.get("/v1/candidates", params={"tier": "gazelle", "district": "jinpu"})).json()
        assert cands["items"][0]["firm_id"] == near_id and cands["items"][0]["failing_count"] == 1
        assert "revenue" in cands["items"][0]["missing"][0].lower()
        assert gazelle not in [c["firm_id"] for c in cands["items"]]
        bad = await p.ladder.get("/v1/candidates", params={"tier": "dragon"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tier"

        # what-if: a 15% CAGR threshold moves the near miss up; live standings untouched
        sim = await p.ladder.post("/v1/simulations", json={
            "round_year": 2022, "overrides": {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}})
        assert sim.status_code == 200, sim.text
        result = sim.json()
        assert [(m["firm_id"], m["to"]) for m in result["moves"]] == [(near_id, "gazelle")]
        assert result["effect_on_tiers"]["gazelle"]["delta"] == 1
        assert result["effect_on_targets"]["gazelle"]["target"] == 30
        standing = (await p.ladder.get(f"/v1/firms/{near_id}/standing")).json()
        assert standing["tier"] == "eaglet"
        nonsense = await p.ladder.post("/v1/simulations", json={
            "round_year": 2022, "overrides": {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "-1"}}}}})
        assert nonsense.status_code == 422

        # readiness: the tech-SME score broken down; high-tech needs the expert score
        ready = (await p.ladder.get(f"/v1/firms/{gazelle}/readiness")).json()
        assert ready["tech_sme"]["status"] in ("pass", "fail")
        assert ready["tech_sme"]["score"]
        checks = {c["key"]: c["status"] for c in ready["high_tech_enterprise"]["checks"]}
        assert "unknown" in checks.values()  # the expert innovation score is not known yet
        assert checks[next(k for k in checks if "high_tech" in k)] == "fail"  # 50% < 60%
        scored = (await p.ladder.get(f"/v1/firms/{gazelle}/readiness",
                                     params={"innovation_score": 80})).json()
        assert "unknown" not in {c["status"] for c in scored["high_tech_enterprise"]["checks"]}

        # targets: admins set them, progress follows
        assert (await p.ladder.put("/v1/targets/2023", json={"gazelle": 40, "eaglet": 200})).status_code == 200
        t = (await p.ladder.get("/v1/targets/2023", params={"as_of": "2023-03-31"})).json()
        assert {i["tier"]: i["target"] for i in t["items"]} == {"eaglet": 200, "gazelle": 40}
        assert (await p.ladder.put("/v1/targets/2023", json={"dragons": 1})).status_code == 422
        assert (await p.ladder.get("/v1/targets/1999")).status_code == 422
        t22 = (await p.ladder.get("/v1/targets/2022", params={"as_of": "2022-06-30"})).json()
        gz = next(i for i in t22["items"] if i["tier"] == "gazelle")
        assert gz["achieved"] == 1 and gz["pace"] == "behind" and gz["forecast"]["high"] >= 2

        # rulebooks: the shipped one is active; drafts are validated
        books = (await p.ladder.get("/v1/rulebooks")).json()["items"]
        assert [(b["id"], b["status"]) for b in books] == [("LN-2021", "active")]
        doc = (await p.ladder.get("/v1/rulebooks/LN-2021")).json()["document"]
        assert (await p.ladder.post("/v1/rulebooks", json=doc)).status_code == 409
        draft = {**doc, "id": "LN-2023-draft"}
        assert (await p.ladder.post("/v1/rulebooks", json=draft)).status_code == 201
        broken = {**doc, "id": "broken", "filing_validity_years": 0}
        r = await p.ladder.post("/v1/rulebooks", json=broken)
        assert r.status_code == 422 and "filing_validity_years" in r.json()["errors"][0]["field"]
        same = await p.ladder.post("/v1/simulations", json={"round_year": 2022, "rulebook_id": "LN-2023-draft"})
        assert same.json()["moves"] == []
