"""The faster `DatedFacts.on` and the fold's per-day memo give exactly what the plain
definitions give (issue 21): random dated facts, every day that matters, old vs new."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from ladder.domain import whatif
from ladder.domain.compiled import compile_rulebook
from ladder.domain.dated import FLAG_FIELDS, DatedFacts, Override, ProfileChange, ReportVersion
from ladder.domain.facts import AnnualReport, Certificate, FirmFacts
from ladder.domain.rulebook import default_rulebook, rulebook_with_overrides
from ladder.domain.rules import same_tiers
from ladder.domain.timeline import fold
from ladder.domain.whatif import compare, tally
from tests.unit.ladder.builders import YI, cert, facts, report, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()
DRAFT = rulebook_with_overrides(RB, {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}})
# drafts that move other tiers: the eaglet's IP bar, the unicorn's valuation, the fx rates
DRAFTS = (DRAFT,
          rulebook_with_overrides(RB, {"tiers": {"eaglet": {"min_ip_class1": {"value": 2}}}}),
          rulebook_with_overrides(RB, {"tiers": {"unicorn": {"seed": {
              "min_valuation_cny": {"value": 5 * 10**8}}}}}),
          rulebook_with_overrides(RB, {"fx_usd_cny": {"2019": "9.5", "2021": "3.1"}}))
KINDS = ("high_tech_enterprise", "tech_sme", "software_enterprise", "software_product",
         "contest_prize_provincial", "st_award")


def reference_on(dated: DatedFacts, day: date) -> FirmFacts:
    """`DatedFacts.on` as first written (docs/rulebook.md "Time"), the oracle."""
    profile: dict[str, Any] = {}
    for change in sorted(dated.changes, key=lambda c: (c.effective_on, c.sequence)):
        if change.effective_on <= day:
            profile.update({k: v for k, v in change.values.items() if k in FLAG_FIELDS})
    reports: dict[int, tuple[date, int, AnnualReport]] = {}
    for v in dated.reports:
        fy = v.report.fiscal_year
        if v.filed_on <= day and (fy not in reports
                                  or (v.filed_on, v.sequence) > reports[fy][:2]):
            reports[fy] = (v.filed_on, v.sequence, v.report)

    def as_of(c: Certificate) -> Certificate:
        return c if c.revoked_on is None or c.revoked_on <= day else replace(c, revoked_on=None)

    return replace(
        dated.firm, **profile,
        reports={fy: r for fy, (_, _, r) in sorted(reports.items())},
        funding_rounds=tuple(r for r in dated.firm.funding_rounds if r.closed_on <= day),
        certificates=tuple(as_of(c) for c in dated.firm.certificates if c.issued_on <= day),
    )


def _day(rng: random.Random, first: int = 2016, last: int = 2024) -> date:
    return date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def random_dated(rng: random.Random) -> DatedFacts:
    """A firm with several report versions (same-day ties too), flag changes, rounds,
    certificates (some revoked, some expiring) and overrides, at random."""
    versions = []
    for fy in range(2016, 2024):
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            filed_on = date(fy + 1, rng.randint(1, 6), rng.choice((1, 15, 28)))
            versions.append(ReportVersion(filed_on, report(
                fy, revenue=rng.randint(1, 40) * YI // 10, ip_class1=rng.choice((0, 1)),
                employees=rng.randint(5, 400)), rng.randint(0, 3)))
    rng.shuffle(versions)
    changes = tuple(ProfileChange(_day(rng), {
        "company_kind": rng.choice(("independent", "independent", "branch")),
        "abnormal_list": rng.random() < 0.2, "dishonest_list": rng.random() < 0.1,
        "district": "ignored"}, rng.randint(0, 2)) for _ in range(rng.randint(0, 4)))
    certs = []
    for _ in range(rng.randint(0, 4)):
        issued = _day(rng)
        revoked = issued + timedelta(days=rng.randint(0, 900)) if rng.random() < 0.4 else None
        expires = issued + timedelta(days=3 * 365) if rng.random() < 0.5 else None
        certs.append(cert(rng.choice(KINDS), issued, expires_on=expires, revoked_on=revoked))
    rounds = tuple(vc_round(_day(rng), rng.randint(1, 80) * 10**6, rng.randint(1, 90) * 10**8,
                            rng.choice(("CNY", "USD"))) for _ in range(rng.randint(0, 3)))
    overrides = tuple(Override(_day(rng, 2018), rng.choice(("eaglet", "gazelle", None)),
                               "review", "officer", order=n)
                      for n in range(rng.choice((0, 0, 1, 2))))
    firm = facts(reports={}, founded_on=_day(rng, 2010, 2020), certificates=tuple(certs),
                 funding_rounds=rounds)
    return DatedFacts(firm=firm, reports=tuple(versions), changes=changes, overrides=overrides)


def test_on_matches_the_reference_on_every_day_that_matters() -> None:
    rng = random.Random(21)
    checked = 0
    for _ in range(300):
        dated = random_dated(rng)
        days = set(dated.dates())
        days |= {d - timedelta(days=1) for d in days} | {_day(rng) for _ in range(5)}
        for day in sorted(days):
            assert dated.on(day) == reference_on(dated, day), day
            checked += 1
    assert checked > 3000


def test_same_tiers_are_the_tiers_a_draft_leaves_alone() -> None:
    c = compile_rulebook
    assert same_tiers(c(RB), c(RB)) == {"eaglet", "gazelle", "unicorn", "leader"}
    assert same_tiers(c(DRAFT), c(RB)) == {"eaglet", "unicorn", "leader"}
    assert same_tiers(c(DRAFTS[1]), c(RB)) == {"gazelle", "unicorn", "leader"}
    assert same_tiers(c(DRAFTS[2]), c(RB)) == {"eaglet", "gazelle", "leader"}
    assert same_tiers(c(DRAFTS[3]), c(RB)) == frozenset()


@pytest.mark.parametrize("draft", DRAFTS, ids=["gazelle", "eaglet", "unicorn", "fx"])
def test_fold_with_a_shared_memo_is_the_plain_fold(draft: Any) -> None:
    """The baseline and draft folds sharing one memo of facts and verdicts give what two
    plain folds give, step by step (trace included), with expiries between fact days."""
    rng = random.Random(2021)
    moved = 0
    for _ in range(300):
        dated = random_dated(rng)
        until = _day(rng, 2019, 2026)
        memo: dict[date, FirmFacts] = {}
        verdicts: dict[Any, Any] = {}
        for rulebook in (RB, draft):
            plain, shared = fold(rulebook, dated, until), fold(
                rulebook, dated, until, facts_by_day=memo, verdicts=verdicts)
            assert plain.last == shared.last
            assert plain.steps == shared.steps
            bare = fold(rulebook, dated, until, traces=False)
            assert bare.steps == tuple(replace(s, decision=None) for s in plain.steps)
            assert (plain.standing, plain.next_expiry) == (shared.standing, shared.next_expiry)
            moved += len(plain.steps)
        assert all(memo[d] == reference_on(dated, d) for d in memo)
    assert moved > 100


def test_compare_counts_what_plain_folds_count() -> None:
    rng = random.Random(5)
    city = {f"f{n}": random_dated(rng) for n in range(150)}
    got = compare(RB, DRAFT, city, 2022, traces=True, names={}, today=date(2026, 1, 1))
    on = date(2022, 12, 31)
    for side, rulebook in (("baseline", RB), ("draft", DRAFT)):
        tiers = [fold(rulebook, f, on).standing.tier for f in city.values()
                 if f.firm.founded_on.year <= 2021]
        for key in ("eaglet", "gazelle", "unicorn", "leader"):
            assert got["effect_on_tiers"][key][side] == tiers.count(key)


def test_the_shares_of_a_city_report_what_the_whole_city_compares() -> None:
    """A what-if split among workers (each folding a share of the firms) adds up to the
    what-if of the whole city: counts, entries, moves in the same order, names taken."""
    rng = random.Random(11)
    city = {f"f{n:03}": random_dated(rng) for n in range(150)}
    names = {k: f"企业{k}" for k in city}
    eaglet_ip = DRAFTS[1]  # moves a dozen of these firms
    whole = compare(RB, eaglet_ip, city, 2022, traces=True, names=names, today=date(2026, 1, 1))
    shares = [{k: v for i, (k, v) in enumerate(city.items()) if i % 3 == s} for s in range(3)]
    tallies = [tally(RB, eaglet_ip, share, 2022, traces=True, today=date(2026, 1, 1))
               for share in shares]
    assert whatif.report(tallies, 2022, names=names, today=date(2026, 1, 1)) == whole
    assert whole["firms"] == 150 and whole["moves"]
    assert all(m["name"] == names[m["firm_id"]] for m in whole["moves"])
