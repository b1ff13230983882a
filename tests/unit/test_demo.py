"""The demo population: deterministic, valid by the registry's own rules, and a useful mix."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest

from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from registry.domain.csv_import import REPORT_KEYS
from registry.domain.models import AnnualReportIn, CertificateIn, FirmIn, FundingRoundIn
from shared.codes import INDUSTRIES
from shared.uscc import uscc_problem
from tests.unit.ladder.builders import demo_dated, demo_facts
from tracker import demo
from tracker.demo import DemoData, DemoFirm, generate

pytestmark = pytest.mark.unit

SMALL = 150
LAST_DAY = date(2022, 12, 31)  # reports and rounds end with FY2022
LATER = date(2026, 11, 27)  # a "today" some years on: certificates renewed up to it


@pytest.fixture(scope="module")
def full() -> DemoData:
    return generate(2022, 2400)


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(2022, SMALL)


def _sizes() -> list[int]:
    return [demo.MIN_FIRMS, SMALL, 2400]


def test_same_seed_same_population_other_seed_another() -> None:
    a, b = generate(7, 300), generate(7, 300)
    assert a == b
    assert a.firms_csv() == b.firms_csv() and a.reports_csv() == b.reports_csv()
    assert generate(8, 300).firms_csv() != a.firms_csv()


def test_default_signature_matches_the_rulebook_scale(full: DemoData) -> None:
    assert generate() == full
    assert len(full.firms) == 2400


def test_too_small_a_population_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(1, demo.MIN_FIRMS - 1)
    with pytest.raises(ValueError, match="as_of"):
        generate(1, demo.MIN_FIRMS, as_of=date(2022, 6, 1))


def test_a_later_day_only_adds_later_years_and_certificate_renewals(full: DemoData) -> None:
    later = generate(2022, 2400, as_of=LATER)
    assert later.firms_csv() == full.firms_csv()
    added = 0
    for before, after in zip(full.firms, later.firms, strict=True):
        assert {fy: r for fy, r in after.reports.items() if fy <= demo.LAST_FY} == before.reports
        assert max(after.reports) in (LATER.year - 1, LATER.year - 2)
        assert before.funding_rounds == after.funding_rounds
        assert after.certificates[:1] == before.certificates[:1]
        assert all(c in after.certificates for c in before.certificates)
        added += len(after.certificates) - len(before.certificates)
    assert added > 100
    assert generate(2022, 2400, as_of=LATER) == later


@pytest.mark.parametrize("size", _sizes())
def test_usccs_valid_and_unique_names_unique(size: int) -> None:
    data = generate(2022, size)
    assert len(data.firms) == size
    usccs = [f.uscc for f in data.firms]
    assert [u for u in usccs if uscc_problem(u)] == []
    assert all(u.startswith("912102") for u in usccs)
    assert len(set(usccs)) == size
    assert len({f.name for f in data.firms}) == size


def _rounds_and_certs(firm: DemoFirm, as_of: date) -> None:
    for body in firm.funding_rounds:
        r = FundingRoundIn.model_validate(body)
        assert firm.founded_on <= r.closed_on <= LAST_DAY
    for body in firm.certificates:
        c = CertificateIn.model_validate(body)
        assert firm.founded_on <= c.issued_on <= as_of
    assert len({(c["kind"], c["issued_on"]) for c in firm.certificates}) == len(firm.certificates)


@pytest.mark.parametrize(("size", "as_of"), [(n, demo.REFERENCE_DAY) for n in _sizes()]
                         + [(SMALL, LATER)])
def test_every_record_passes_the_registry_models(size: int, as_of: date) -> None:
    data = generate(2022, size, as_of=as_of)
    for firm in data.firms:
        parsed = FirmIn.model_validate(firm.firm_row())
        assert parsed.founded_on == firm.founded_on and parsed.founded_on.year >= 2005
        assert firm.reports, firm.uscc
        for fy, report in firm.reports.items():
            assert demo.BACKFILL_FY <= fy < as_of.year and fy >= firm.founded_on.year
            r = AnnualReportIn.model_validate(report)  # st_staff <= employees, high-tech <= revenue
            assert all(isinstance(v, int) and v >= 0 for v in report.values())
            assert r.sales_revenue <= r.revenue and r.rd_expense <= r.st_activity_investment
            assert date(fy + 1, 1, 1) <= firm.filed[fy] <= as_of  # what the registry accepts
        years = sorted(firm.reports)
        assert years == list(range(years[0], years[-1] + 1))
        assert years[0] <= max(2018, firm.founded_on.year) and years[-1] >= demo.LAST_FY
        if firm.profile not in demo.GROWTH_PROFILES:
            assert years[0] == max(2018, firm.founded_on.year)
        _rounds_and_certs(firm, as_of)


def test_csv_files_are_what_the_import_accepts(small: DemoData) -> None:
    firm_rows = [row for text in small.firms_csv() for row in csv.DictReader(io.StringIO(text))]
    assert [r["uscc"] for r in firm_rows] == [f.uscc for f in small.firms]
    for row in firm_rows:
        assert set(row) <= set(FirmIn.model_fields)
        FirmIn.model_validate({k: v for k, v in row.items() if v != ""})
    report_rows = [row for text in small.reports_csv() for row in csv.DictReader(io.StringIO(text))]
    assert len(report_rows) == small.report_count
    for row in report_rows:
        assert set(row) <= set(AnnualReportIn.model_fields) | set(REPORT_KEYS)
        AnnualReportIn.model_validate({k: v for k, v in row.items()
                                       if k not in REPORT_KEYS and v != ""})


def test_chunks_hold_at_most_2000_rows_and_never_split_a_firm(full: DemoData) -> None:
    assert all(len(t.splitlines()) - 1 <= 2000 for t in full.firms_csv())
    chunks = full.report_chunks()
    assert len(chunks) > 1 and all(len(c) <= 2000 for c in chunks)
    where = {}
    for i, chunk in enumerate(chunks):
        for row in chunk:
            assert where.setdefault(row["uscc"], i) == i
    assert sum(len(c) for c in chunks) == full.report_count
    assert len(full.report_chunks(7)) > len(chunks)


@pytest.mark.parametrize("size", _sizes())
def test_every_profile_present_and_scaled(size: int) -> None:
    mix = generate(2022, size).profiles()
    assert set(mix) == set(demo.PROFILES)
    assert mix[demo.UNICORN_CANDIDATE] == 1 and mix[demo.ABNORMAL] >= 2
    assert mix[demo.EAGLET] > size / 2


def test_population_shape_follows_the_scale_reference(full: DemoData) -> None:
    mix = full.profiles()
    eaglets = [f for f in full.firms if f.profile.startswith("eaglet")]
    gazelles = [f for f in full.firms if f.profile.startswith("gazelle")]
    assert 1500 <= len(eaglets) <= 2000 and 250 <= len(gazelles) <= 400
    hitech = sum(f.district == "hitech" for f in eaglets) / len(eaglets)
    assert 0.42 <= hitech <= 0.50
    assert 0.22 <= sum(f.district == "hitech" for f in gazelles) / len(gazelles) <= 0.33
    unicorn_types = [f for f in full.firms
                     if f.profile in (demo.SEED, demo.POTENTIAL, demo.UNICORN_CANDIDATE)]
    assert len(unicorn_types) == 9 and {f.district for f in unicorn_types} == {"hitech"}
    assert mix[demo.LEADER] >= 10
    assert {f.industry for f in full.firms} == set(INDUSTRIES)
    assert {f.founded_on.year for f in full.firms} == set(range(2005, 2023))
    assert {f.company_kind for f in full.firms} == {
        "independent", "branch", "production_base", "sales", "trading"}
    assert full.funding_round_count >= 50 and full.certificate_count >= 200


def _cagr(now: int, base: int) -> float:
    return float((now / base) ** (1 / 3) - 1)


def _intensity(firm: DemoFirm, fy: int, years: int, field: str) -> float:
    picked = [firm.reports[y] for y in range(fy - years + 1, fy + 1) if y in firm.reports]
    return sum(r[field] for r in picked) / sum(r["revenue"] for r in picked)


def _usd_valuation(firm: DemoFirm) -> int | None:
    latest = max(firm.funding_rounds, key=lambda r: r["closed_on"], default=None)
    return latest["post_money_valuation"] if latest and latest["currency"] == "USD" else None


@pytest.mark.parametrize("fy", [2021, 2022])
def test_profiles_have_their_defining_numbers(full: DemoData, fy: int) -> None:
    for f in full.firms:
        rep = f.reports
        if f.profile == demo.GAZELLE:
            assert rep[fy - 3]["revenue"] > 10_000_000
            assert rep[fy]["revenue"] > rep[fy - 1]["revenue"]
            assert _cagr(rep[fy]["revenue"], rep[fy - 3]["revenue"]) >= 0.20
            assert _intensity(f, fy, 4, "st_activity_investment") >= 0.025
        elif f.profile == demo.NEAR_MISS_GROWTH:
            assert 0.169 <= _cagr(rep[fy]["revenue"], rep[fy - 3]["revenue"]) < 0.20
            assert _intensity(f, fy, 4, "st_activity_investment") >= 0.025
        elif f.profile == demo.NEAR_MISS_INTENSITY:
            assert _cagr(rep[fy]["revenue"], rep[fy - 3]["revenue"]) >= 0.20
            assert 0.022 <= _intensity(f, fy, 4, "st_activity_investment") < 0.025
        elif f.profile == demo.GAZELLE_EMPLOYEES:
            assert rep[fy - 3]["employees"] > 100
            assert _cagr(rep[fy]["employees"], rep[fy - 3]["employees"]) >= 0.30
        elif f.profile == demo.LEADER and fy == 2022:
            assert rep[fy]["revenue"] >= 10 * demo.YI
            assert _intensity(f, fy, 3, "rd_expense") >= 0.03
            assert any(c["kind"] == "high_tech_enterprise" for c in f.certificates)
        elif f.profile == demo.NOT_INDEPENDENT:
            assert f.company_kind != "independent"
        elif f.profile == demo.ABNORMAL:
            assert f.abnormal_list
    assert sum(f.abnormal_list for f in full.firms) == full.profiles()[demo.ABNORMAL]


def test_at_most_one_firm_just_under_a_billion_dollars(full: DemoData) -> None:
    valuations = {f.uscc: v for f in full.firms if (v := _usd_valuation(f)) is not None}
    assert max(valuations.values()) < 1_000_000_000
    near = [u for u, v in valuations.items() if v >= 900_000_000]
    (candidate,) = [f for f in full.firms if f.profile == demo.UNICORN_CANDIDATE]
    assert near == [candidate.uscc]
    assert all(not f.listed for f in full.firms
               if f.profile in (demo.SEED, demo.POTENTIAL, demo.UNICORN_CANDIDATE))


EXPECTED = {  # profile -> the ladder's (tier, unicorn grade) on FY2022 data
    demo.EAGLET: {("eaglet", None)}, demo.EAGLET_SOFTWARE: {("eaglet", None)},
    demo.EAGLET_PRIZE: {("eaglet", None)}, demo.GAZELLE: {("gazelle", None)},
    demo.GAZELLE_EMPLOYEES: {("gazelle", None)}, demo.GAZELLE_VENTURE: {("gazelle", None)},
    demo.NEAR_MISS_GROWTH: {("eaglet", None), ("none", None)},
    demo.NEAR_MISS_INTENSITY: {("eaglet", None), ("none", None)},
    demo.SEED: {("unicorn", "seed")}, demo.POTENTIAL: {("unicorn", "potential")},
    demo.UNICORN_CANDIDATE: {("unicorn", "potential")}, demo.LEADER: {("leader", None)},
    demo.NOT_INDEPENDENT: {("none", None)}, demo.ABNORMAL: {("none", None)},
    demo.PLAIN: {("none", None)},
}


@pytest.mark.parametrize("as_of", [demo.REFERENCE_DAY, LATER, date(2031, 3, 1)])
def test_the_ladder_places_every_profile_where_intended(as_of: date) -> None:
    """The point of the demo: the ladder's own rules (FY2022 data) see the intended mix,
    on 2023-01-01 and on a later "today" (the live ladder evaluates as of today)."""
    rulebook = default_rulebook()
    wrong: Counter[str] = Counter()
    for f in generate(2022, 2400, as_of=as_of).firms:
        decision = evaluate(rulebook, demo_facts(f), 2022, as_of=as_of)
        if (decision.tier, decision.unicorn_grade) not in EXPECTED[f.profile]:
            wrong[f"{f.profile} -> {decision.tier}/{decision.unicorn_grade}"] += 1
    assert not wrong, dict(wrong)


def test_dated_history_gives_believable_years() -> None:
    """Folded as the ladder folds it, the demo credits each year its own entries: 2022 is a
    believable year (some targets met, some behind) and the current year is under way."""
    from ladder.domain.entries import certificate_entries
    from ladder.domain.timeline import fold

    today = date(2026, 12, 1)
    rulebook = default_rulebook()
    entries: Counter[tuple[int, str]] = Counter()
    for f in generate(2022, 2400, as_of=today).firms:
        dated = demo_dated(f)
        facts = dated.firm
        timeline = fold(rulebook, dated, today)
        entries.update({(s.on.year, s.counts_toward) for s in timeline.steps if s.counts_toward})
        entries.update((d.year, k) for k, d in certificate_entries(facts.certificates))
    target = demo.CURRENT_TARGETS
    assert 0.8 * target["gazelle"] <= entries[(2022, "gazelle")] <= 2 * target["gazelle"]
    assert 0.8 * target["eaglet"] <= entries[(2022, "eaglet")] <= 2 * target["eaglet"]
    assert entries[(2022, "unicorn")] < target["unicorn"]  # the first unicorn: a near miss
    assert entries[(2022, "high_tech_enterprise")] < target["high_tech_enterprise"] / 2
    assert entries[(2022, "tech_sme")] < target["tech_sme"] / 2
    assert entries[(2019, "gazelle")] > 0 and entries[(2021, "gazelle")] > 0  # spread out
    assert entries[(today.year, "eaglet")] > 0 and entries[(today.year, "gazelle")] > 0  # live


def test_names_and_codes_unique_by_construction_past_the_two_word_space() -> None:
    """An industry's two-word names run out at 13,536; the generator goes on with three
    words instead of spinning, and codes never repeat within a division."""
    from tracker.demo.draws import Draws, name_space_sizes
    from tracker.demo.profiles import DALIAN

    g = Draws(2022, demo.REFERENCE_DAY, DALIAN)
    two_words = name_space_sizes("other")[0]
    names = [g.name("other") for _ in range(two_words + 2000)]
    assert len(set(names)) == len(names)
    assert names[two_words - 1].endswith("科技有限公司") and len(names[-1]) > len(names[0]) - 1
    codes = [g.uscc("hitech") for _ in range(20_000)] + [g.uscc("ganjingzi") for _ in range(20)]
    assert len(set(codes)) == len(codes) and not [c for c in codes if uscc_problem(c)]


def test_a_province_sized_population_is_generated_with_unique_names_and_codes() -> None:
    data = generate(2022, 45_000, shape="dalian")  # > 13,536 names in the largest industry
    assert len({f.name for f in data.firms}) == len({f.uscc for f in data.firms}) == 45_000
    with pytest.raises(ValueError, match="at most"):
        generate(1, demo.MAX_FIRMS + 1)
    with pytest.raises(ValueError, match="shape"):
        generate(1, 200, shape="atlantis")


def _stock_and_entries(data: DemoData, day: date, today: date) -> tuple[Counter[str], Counter[
        tuple[int, str]], int]:
    """(tiers and unicorn grades standing on `day`, entries per (year, key), valid HTEs on `day`),
    folded as the ladder folds them."""
    from ladder.domain.entries import certificate_entries
    from ladder.domain.timeline import fold

    rulebook = default_rulebook()
    stock: Counter[str] = Counter()
    entries: Counter[tuple[int, str]] = Counter()
    htes = 0
    for f in data.firms:
        dated = demo_dated(f)
        facts = dated.firm
        timeline = fold(rulebook, dated, today).steps
        steps = [s for s in timeline if s.on <= day]
        if steps:
            stock[steps[-1].standing.tier] += 1
            stock[f"grade:{steps[-1].standing.unicorn_grade}"] += 1
        entries.update({(s.on.year, s.counts_toward) for s in timeline if s.counts_toward})
        entries.update((d.year, k) for k, d in certificate_entries(facts.certificates))
        htes += any(c.kind == "high_tech_enterprise" and c.issued_on <= day
                    and (c.expires_on is None or day <= c.expires_on) for c in facts.certificates)
    return stock, entries, htes


def test_the_default_city_is_shaped_like_dalian() -> None:
    from tracker.demo.loader import targets_for

    """README "The demo city", at full size: early 2022 903 eaglets, 127 gazelles, 4 seed + 2
    potential unicorns, ~3,000 HTEs (~4,000 by May 2023); 2022 beats the gazelle target of
    30 by far and brings no full unicorn. The third `make run` loads beats its third too."""
    data = generate(2022, demo.DALIAN_FIRMS, as_of=date(2026, 12, 1), shape="dalian")
    stock, entries, htes = _stock_and_entries(data, date(2022, 4, 12), date(2026, 12, 1))
    assert 850 <= stock["eaglet"] <= 960 and 115 <= stock["gazelle"] <= 140
    assert stock["grade:seed"] == 4 and stock["grade:potential"] == 2
    assert 2600 <= htes <= 3400
    assert entries[(2022, "gazelle")] >= 1.5 * demo.CURRENT_TARGETS["gazelle"]
    assert entries[(2022, "unicorn")] == 0
    third = generate(2022, demo.DEMO_FIRMS, as_of=date(2026, 12, 1), shape="dalian")
    stock, entries, _ = _stock_and_entries(third, date(2022, 4, 12), date(2026, 12, 1))
    assert 280 <= stock["eaglet"] <= 330 and 35 <= stock["gazelle"] <= 50
    assert entries[(2022, "gazelle")] >= 1.5 * targets_for(demo.DEMO_FIRMS, "dalian")["gazelle"]
    assert entries[(2022, "unicorn")] == 0 and stock["unicorn"] >= 1
    _, _, htes_2023 = _stock_and_entries(data, date(2023, 5, 23), date(2026, 12, 1))
    assert 3500 <= htes_2023 <= 4300


def test_a_smaller_dalian_has_targets_to_scale() -> None:
    from tracker.demo.loader import targets_for

    assert targets_for(demo.DALIAN_FIRMS, "dalian") == demo.CURRENT_TARGETS
    third = targets_for(demo.DEMO_FIRMS, "dalian")
    assert third["gazelle"] == 10 and third["eaglet"] == 57 and third["unicorn"] == 1
    assert targets_for(2400, "rulebook") == demo.CURRENT_TARGETS


def test_tracker_demo_takes_a_size_from_the_minimum_to_a_province(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import parser

    args = parser().parse_args(["demo"])
    assert (args.firms, args.shape, args.seed) == (demo.DEMO_FIRMS, "dalian", 2022)
    assert parser().parse_args(["demo", "--firms", "200000", "--shape", "rulebook"]).firms == 200_000
    for wrong in ("99", "200001", "lots"):
        with pytest.raises(SystemExit):
            parser().parse_args(["demo", "--firms", wrong])
        assert "--firms" in capsys.readouterr().err
