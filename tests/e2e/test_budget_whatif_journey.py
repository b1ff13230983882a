"""A draft rulebook's budget effect, through the whole stack: firms filed as gazelles are owed
under the policy set; the ladder's what-if with a stricter gazelle rule says how many fewer
firms qualify; the entitlements what-if prices that change, and the expected spend is lower by
Δ firms × filing rate × the policy's amount per firm."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from ladder.schemas import SimulationIn
from registry.domain.models import AnnualReportIn, FirmIn
from tests.e2e.conftest import RunningStack, caught_up, eventually
from tests.factories import auth, firm_payload, gazelle_reports

pytestmark = pytest.mark.e2e
GAZELLE_POLICY = "dl.gazelle_unicorn.filed"
STRICTER = {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.30"}}}}  # 26% firms fail


async def test_a_stricter_gazelle_rule_shows_the_lower_expected_spend(
        stack: RunningStack) -> None:
    stack.start()
    today = date.today()
    year, fy = today.year, today.year - 1
    firms = []
    async with stack.registry() as registry, stack.ladder() as ladder:
        for _ in range(2):
            firm = (await registry.register_firm(FirmIn.model_validate(
                firm_payload(founded_on=f"{fy - 5}-01-15", district="jinpu")))).item
            for year_filed, body in gazelle_reports(fy, today.isoformat()):
                seq = (await registry.file_report(
                    firm.id, year_filed, AnnualReportIn.model_validate(body))).sequence
            assert (await caught_up(ladder, firm.id, seq)).tier == "gazelle"
            firms.append(firm)
        listed_on = today - timedelta(days=3)
        text = "uscc,name,tier,grade,listed_on,list_name\n" + "".join(
            f"{f.uscc},{f.name},瞪羚,,{listed_on},辽宁省{listed_on.year}年瞪羚企业名单\n"
            for f in firms)
        assert (await registry.import_csv("filings", text, filename="list.csv")).rejected == 0

        effect = (await ladder.simulate(SimulationIn(round_year=year, overrides=STRICTER)))
    gazelle = effect.effect_on_tiers["gazelle"]
    assert gazelle.delta < 0, effect.effect_on_tiers

    async with stack.entitlements() as money:
        async def owed() -> int | None:
            found = [e async for e in money.entitlements(
                year=year, policy_id=GAZELLE_POLICY).items()]
            return len(found) if len(found) == len(firms) else None
        await eventually(owed, 90, "the gazelle entitlements")

        out = await money.budget_effect(year, effect.effect_on_tiers)
        rows = {(r.tier, r.policy_id): r for r in out.tier_changes}
        assert set(rows) == {(t, p) for t, p in (("gazelle", GAZELLE_POLICY),
                                                 ("eaglet", "dl.eaglet.filed"))
                             if effect.effect_on_tiers[t].delta != 0}, rows
        row = rows[("gazelle", GAZELLE_POLICY)]
        assert row.firms == gazelle.delta
        # no earlier round seen here: the documented default rate; the better option, fixed
        assert (row.filing_rate, row.filing_rate_basis) == (0.5, "default")
        assert (row.per_firm, row.per_firm_basis) == (800_000, "fixed")
        assert row.delta == round(gazelle.delta * 0.5 * 800_000) < 0
        eaglet = rows.get(("eaglet", "dl.eaglet.filed"))
        if eaglet is not None:  # firms falling back to eaglet: no eaglet paid yet, at its cap
            assert (eaglet.per_firm, eaglet.per_firm_basis) == (300_000, "cap")
            assert eaglet.delta == round(effect.effect_on_tiers["eaglet"].delta * 0.5 * 300_000)
        total = sum(r.delta for r in out.tier_changes)
        assert out.delta_from_tiers == out.delta_expected == total < 0
        assert out.draft.expected == out.current.expected + total < out.current.expected
        by_policy = {p.key: p for p in out.by_policy}
        assert by_policy[GAZELLE_POLICY].delta == row.delta
        assert by_policy[GAZELLE_POLICY].current_expected >= 2 * 800_000  # the two held
        assert "filing rate" in out.method
        # the budget as held is what GET /v1/budget answers
        assert (await money.budget(year)).total.expected == out.current.expected

    async with httpx.AsyncClient(base_url=stack.url("entitlements"), headers=auth()) as http:
        for bad, field in (({"gazelle": 1.5}, "gazelle"), ({"dragon": 3}, "dragon")):
            r = await http.post("/v1/simulations",
                                json={"year": year, "qualified_changes": bad})
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert field in r.json()["errors"][0]["field"], r.json()
