"""A dozen firms' registry events for the ladder's integration tests that hold a kept answer
equal to one from scratch (tier counts, cohorts, the what-if workers' kept shares), and the
consumer's handler to apply them."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from ladder import handlers
from ladder.domain.rulebook import default_rulebook
from ladder.repository import UnitOfWork
from shared.events import EventEnvelope
from tests.factories import report_payload
from tests.unit.ladder.events import Registry

PLACES = [("hitech", "next_gen_it"), ("jinpu", "life_health"), ("hitech", "life_health"),
          ("ganjingzi", "next_gen_it")]


def small_city(seed: int) -> tuple[list[list[EventEnvelope]], list[EventEnvelope], list[str]]:
    """Batches of registry events for a dozen firms (reports with ups and downs, reports
    filed years late, a restatement, a dishonest flag), and the late batch: more late facts
    and a district change. Also the firm ids."""
    rng, reg = random.Random(seed), Registry()
    first: list[EventEnvelope] = []
    late: list[EventEnvelope] = []
    ids: list[str] = []
    for n in range(12):
        district, industry = PLACES[n % len(PLACES)]
        born = reg.registered(district=district, industry=industry,
                              founded_on=f"{2012 + n % 5}-03-01")
        firm_id = born.subject
        ids.append(firm_id)
        first.append(born)
        for fy in range(2015, 2025):
            filed = f"{fy + 1}-0{rng.randint(3, 6)}-1{rng.randint(0, 9)}"
            big = rng.random() < 0.3
            fields: dict[str, Any] = {"ip_class1": 2 if n == 2 else rng.choice((0, 1, 2))}
            if big:
                fields.update(revenue=900_000_000, sales_revenue=880_000_000,
                              total_assets=700_000_000, employees=900)
            report = reg.report(firm_id, fy, filed, **fields)
            (late if fy in (2017, 2018) and n % 3 == 0 else first).append(report)
        if n % 4 == 1:
            first.append(reg.flag(firm_id, "dishonest_list", True, "2021-05-01"))
            first.append(reg.flag(firm_id, "dishonest_list", False, "2023-02-01"))
        if n == 5:  # a restatement that changes a year
            late.append(reg.event("AnnualReportRestated", firm_id, {
                "firm_id": firm_id, "report": {"fiscal_year": 2020, **report_payload(
                    ip_class1=0, filed_on="2022-06-01")},
                "previous": {"fiscal_year": 2020, **report_payload()}}))
    moved = ids[2]  # a firm on a tier (its reports are sound) moves district
    profile = next(e for e in first if e.subject == moved).data.firm.model_dump(mode="json")
    late.append(reg.event("FirmProfileChanged", moved, {
        "firm": {**profile, "district": "lvshunkou"}, "effective_on": "2024-06-01",
        "changed": {"district": {"before": profile["district"], "after": "lvshunkou"}}}))
    return [first[: len(first) // 2], first[len(first) // 2:]], late, ids


async def apply_batch(pool: Any, batch: list[EventEnvelope], today: date) -> None:
    """The consumer's handling of one batch of registry events."""
    await handlers.on_firm_events(UnitOfWork(pool), batch, rulebook=default_rulebook(),
                                  today=today)
