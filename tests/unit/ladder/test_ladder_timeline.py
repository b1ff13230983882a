"""The fold as a table of timelines: dated facts in, the decisions (date, change, tier) out."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest

from ladder.domain.dated import DatedFacts, Override, ProfileChange, ReportVersion
from ladder.domain.facts import AnnualReport
from ladder.domain.rulebook import default_rulebook
from ladder.domain.timeline import Timeline, fold
from tests.unit.ladder.builders import YI, cert, facts, report, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()
EAGLET_IP = {"ip_class1": 1}
NO_IP = {"ip_class1": 0, "ip_class2": 0}
LEADER = {"revenue": 12 * YI, "sales_revenue": 12 * YI, "rd_expense": 5 * 10**7,
          "high_tech_revenue": 8 * YI}


def filed(fy: int, on: date, sequence: int = 0, **fields: Any) -> ReportVersion:
    """A report for `fy` filed on `on`."""
    return ReportVersion(on, report(fy, **fields), sequence)


@dataclass
class Case:
    """Dated facts and the timeline expected from them."""

    name: str
    reports: tuple[ReportVersion, ...] = ()
    until: date = date(2026, 12, 1)
    expected: list[tuple[str, str, str]] = field(default_factory=list)  # (day, change, tier)
    firm: dict[str, Any] = field(default_factory=dict)
    changes: tuple[ProfileChange, ...] = ()
    overrides: tuple[Override, ...] = ()
    counted: list[tuple[str, str]] | None = None  # (day, target key) entries, when checked

    def facts(self) -> DatedFacts:
        return DatedFacts(firm=facts(reports={}, **self.firm), reports=self.reports,
                          changes=self.changes, overrides=self.overrides)


def steps(t: Timeline) -> list[tuple[str, str, str]]:
    return [(s.on.isoformat(), s.change, s.to_tier + ("*" if s.standing.at_risk else ""))
            for s in t.steps]


CASES = [
    Case("a report filed in spring makes an eaglet for that round",
         reports=(filed(2021, date(2022, 4, 15), **EAGLET_IP),), until=date(2022, 12, 31),
         expected=[("2022-04-15", "promoted", "eaglet")],
         counted=[("2022-04-15", "eaglet")]),
    Case("the issue's leader: FY2021 report, certificate 2021-2023, three years of 10亿+",
         reports=tuple(filed(fy, date(2022, 3, 20), **LEADER) for fy in (2019, 2020, 2021)),
         firm={"certificates": (cert("high_tech_enterprise", date(2021, 1, 1),
                                     expires_on=date(2023, 12, 31)),)},
         until=date(2022, 12, 31),
         expected=[("2022-03-20", "promoted", "leader")], counted=[("2022-03-20", "leader")]),
    Case("a revocation counts from its own date: the leader drops that day, not before",
         reports=tuple(filed(fy, date(2022, 3, 20), **LEADER) for fy in (2019, 2020, 2021)),
         firm={"certificates": (cert("high_tech_enterprise", date(2021, 1, 1),
                                     expires_on=date(2023, 12, 31),
                                     revoked_on=date(2022, 9, 1)),)},
         until=date(2022, 12, 31),
         expected=[("2022-03-20", "promoted", "leader"), ("2022-09-01", "demoted", "none")]),
    Case("expiry with a recent report renews from the old expiry date",
         reports=(filed(2021, date(2022, 4, 1), **EAGLET_IP),
                  filed(2023, date(2024, 3, 1), **EAGLET_IP),
                  filed(2024, date(2025, 3, 1), **EAGLET_IP)),
         until=date(2026, 12, 1),
         expected=[("2022-04-01", "promoted", "eaglet"), ("2025-04-01", "renewed", "eaglet")],
         counted=[("2022-04-01", "eaglet")]),
    Case("expiry without a recent report drops, even though the old data still passes",
         reports=(filed(2021, date(2022, 4, 1), **EAGLET_IP),),
         expected=[("2022-04-01", "promoted", "eaglet"), ("2025-04-01", "demoted", "none")]),
    Case("losing qualification is at risk during validity, qualifying again is recovery",
         reports=(filed(2021, date(2022, 4, 1), **EAGLET_IP),
                  filed(2022, date(2023, 3, 1), **NO_IP),
                  filed(2023, date(2024, 3, 1), **EAGLET_IP)),
         until=date(2024, 12, 31),
         expected=[("2022-04-01", "promoted", "eaglet"), ("2023-03-01", "at_risk", "eaglet*"),
                   ("2024-03-01", "recovered", "eaglet")],
         counted=[("2022-04-01", "eaglet")]),
    Case("unicorn keeps the gazelle filing and falls back to it on listing, no new filing",
         reports=(filed(2021, date(2022, 4, 1)), filed(2022, date(2023, 4, 1))),
         firm={"funding_rounds": (vc_round(date(2021, 3, 1), 20_000_000, 10**8),
                                  vc_round(date(2022, 9, 1), 10**8, 10**9, "USD"))},
         changes=(ProfileChange(date(2023, 9, 1), {"listed": True}, 5),),
         until=date(2023, 12, 31),
         expected=[("2022-04-01", "promoted", "gazelle"), ("2022-09-01", "promoted", "unicorn"),
                   ("2023-09-01", "demoted", "gazelle")],
         counted=[("2022-04-01", "gazelle"), ("2022-09-01", "unicorn")]),
    Case("the dishonesty list revokes at once, also under a manual override",
         reports=(filed(2021, date(2022, 4, 1), **EAGLET_IP),),
         overrides=(Override(date(2022, 5, 1), "gazelle", "provincial list batch 3", "officer-1"),),
         changes=(ProfileChange(date(2022, 8, 1), {"dishonest_list": True}, 4),),
         until=date(2022, 12, 31),
         expected=[("2022-04-01", "promoted", "eaglet"), ("2022-05-01", "override", "gazelle"),
                   ("2022-08-01", "revoked", "none")]),
    Case("an override entering a tier counts toward its target, marked by the officer",
         reports=(filed(2021, date(2022, 4, 1), **NO_IP),),
         overrides=(Override(date(2022, 6, 1), "eaglet", "missing IP record", "officer-2"),
                    Override(date(2022, 9, 1), None, "record corrected", "officer-2")),
         until=date(2022, 12, 31),
         expected=[("2022-06-01", "override", "eaglet"),
                   ("2022-09-01", "override_cleared", "eaglet"),
                   ("2022-09-01", "at_risk", "eaglet*")],
         counted=[("2022-06-01", "eaglet")]),
    Case("a report of FY-2 still counts, the report of FY-3 no longer does",
         reports=(filed(2021, date(2023, 2, 1), **EAGLET_IP),), until=date(2026, 12, 1),
         expected=[("2023-02-01", "promoted", "eaglet"), ("2026-02-01", "demoted", "none")]),
    Case("a restatement filed later holds from its own date on",
         reports=(filed(2021, date(2022, 4, 1), 2, **NO_IP),
                  filed(2021, date(2022, 7, 1), 3, **EAGLET_IP)),
         until=date(2022, 12, 31),
         expected=[("2022-07-01", "promoted", "eaglet")]),
]


def named(prefix: str) -> Case:
    """The table's case whose name starts with `prefix`."""
    return next(c for c in CASES if c.name.startswith(prefix))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_timeline_table(case: Case) -> None:
    timeline = fold(RB, case.facts(), case.until)
    assert steps(timeline) == case.expected
    if case.counted is not None:
        assert [(s.on.isoformat(), s.counts_toward) for s in timeline.steps
                if s.counts_toward] == case.counted


def test_override_step_names_the_officer_and_is_marked() -> None:
    case = named("an override entering")
    first = fold(RB, case.facts(), case.until).steps[0]
    assert (first.by, first.standing.override) == ("officer-2", True)


def test_fallback_keeps_the_original_filing_dates() -> None:
    case = named("unicorn keeps")
    timeline = fold(RB, case.facts(), case.until)
    gazelle, _, back = timeline.steps
    assert back.standing.filed_on == gazelle.standing.filed_on == date(2022, 4, 1)
    assert back.standing.expires_on == date(2025, 4, 1) and not back.standing.at_risk


def test_a_late_fact_recomputes_from_its_date_on() -> None:
    """The same facts recorded in any order, twice, or late give the same timeline."""
    case = named("losing qualification")
    base = case.facts()
    expected = fold(RB, base, case.until)
    for order in itertools.permutations(base.reports):
        shuffled = replace(base, reports=tuple(order))
        assert fold(RB, shuffled, case.until).steps == expected.steps
    doubled = replace(base, reports=base.reports + base.reports)
    assert fold(RB, doubled, case.until).steps == expected.steps
    # before the late FY2022 report arrived, the firm never went at risk
    early = fold(RB, replace(base, reports=(base.reports[0], base.reports[2])), case.until)
    assert [s.change for s in early.steps] == ["promoted"]


def test_out_of_order_facts_of_every_kind() -> None:
    case = named("unicorn keeps")
    base = case.facts()
    expected = fold(RB, base, case.until).steps
    rng = random.Random(7)
    for _ in range(5):
        rounds = list(base.firm.funding_rounds)
        rng.shuffle(rounds)
        reports = list(base.reports)
        rng.shuffle(reports)
        shuffled = replace(base, reports=tuple(reports),
                           firm=replace(base.firm, funding_rounds=tuple(
                               sorted(rounds, key=lambda r: r.closed_on))))
        assert fold(RB, shuffled, case.until).steps == expected


def test_standing_on_any_day_and_the_next_expiry() -> None:
    timeline = fold(RB, named("expiry with a recent").facts(), date(2026, 12, 1))
    assert timeline.standing_on(date(2022, 3, 31)).tier == "none"
    assert timeline.standing_on(date(2023, 1, 1)).expires_on == date(2025, 4, 1)
    assert timeline.standing_on(date(2026, 1, 1)).expires_on == date(2028, 4, 1)
    assert timeline.next_expiry == date(2028, 4, 1)


def test_a_decision_reads_the_round_years_report_and_age() -> None:
    # founded 2012: 10 years old in FY2021 (eaglet), 11 in FY2022
    case = Case("age", reports=(filed(2021, date(2022, 4, 1), **EAGLET_IP),
                                filed(2022, date(2023, 4, 1), **EAGLET_IP)),
                firm={"founded_on": date(2012, 5, 1)}, until=date(2023, 12, 31))
    timeline = fold(RB, case.facts(), case.until)
    assert steps(timeline) == [("2022-04-01", "promoted", "eaglet"),
                               ("2023-04-01", "at_risk", "eaglet*")]
    assert [s.fiscal_year for s in timeline.steps] == [2021, 2022]
    assert [s.round_year for s in timeline.steps] == [2022, 2023]


def test_reports_are_invisible_before_they_are_filed() -> None:
    versions = DatedFacts(firm=facts(reports={}), reports=(
        filed(2021, date(2022, 4, 1), **NO_IP), filed(2021, date(2022, 7, 1), 3, **EAGLET_IP)))
    on: dict[int, AnnualReport] = dict(versions.on(date(2022, 5, 1)).reports)
    assert on[2021].ip_class1 == 0
    assert versions.on(date(2022, 7, 1)).reports[2021].ip_class1 == 1
    assert versions.on(date(2022, 3, 31)).reports == {}


def test_certificate_entries_skip_renewals_in_any_order() -> None:
    from ladder.domain.entries import certificate_entries

    first = cert("high_tech_enterprise", date(2019, 11, 1), expires_on=date(2022, 10, 31))
    renewal = cert("high_tech_enterprise", date(2022, 11, 1), expires_on=date(2025, 10, 31))
    later = cert("high_tech_enterprise", date(2027, 6, 1))  # after a gap of more than a year
    sme = cert("tech_sme", date(2022, 4, 1))
    for certs in ((first, renewal, later, sme), (sme, later, renewal, first)):
        assert certificate_entries(certs) == [
            ("high_tech_enterprise", date(2019, 11, 1)), ("tech_sme", date(2022, 4, 1)),
            ("high_tech_enterprise", date(2027, 6, 1))]
