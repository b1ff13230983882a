"""`load_demo`: the demo population sent to a running registry (and targets to the ladder)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from tracker.client import ApiProblem, Ladder, Registry
from tracker.client.registry import ImportKind
from tracker.demo.generator import generate
from tracker.demo.population import (
    CSV_CHUNK_ROWS,
    FACT_COLUMNS,
    REFERENCE_DAY,
    REPORT_COLUMNS,
    csv_text,
)
from tracker.demo.profiles import DALIAN, DALIAN_FIRMS
from tracker.demo.rounds import load_rounds

log = logging.getLogger(__name__)


class DemoLoadError(RuntimeError):
    """The registry refused the demo as a whole (bad token, server error, unreachable)."""


async def _import(registry: Registry, kind: ImportKind, text: str, keys: list[str],
                  problems: list[str]) -> tuple[int, int]:
    """One CSV import; (applied, unchanged). Rejected rows go to `problems`."""
    try:
        report = await registry.import_csv(kind, text, filename=f"demo-{kind}.csv")
    except ApiProblem as exc:
        raise DemoLoadError(f"import of {kind}: {exc}") from None
    for err in report.errors:
        problems.append(f"{kind} row {keys[err.row - 1]}: {err.field}: {err.reason}")
    return report.applied, report.unchanged


async def _firm_ids(registry: Registry, wanted: set[str]) -> dict[str, str]:
    """USCC -> firm id for the wanted USCCs, paging the firm list once."""
    ids: dict[str, str] = {}
    try:
        async for page in registry.firms(limit=500):
            ids.update({f.uscc: str(f.id) for f in page.items if f.uscc in wanted})
            if len(ids) >= len(wanted):
                break
    except ApiProblem as exc:
        raise DemoLoadError(f"listing firms: {exc}") from None
    return ids


FACT_CHUNK_ROWS = 1000  # funding rounds or certificates per import (a firm's in one)

# The current year's targets, seeded when the bureau has set none (the 2022 figures).
CURRENT_TARGETS = {"eaglet": 170, "gazelle": 30, "unicorn": 1, "high_tech_enterprise": 500,
                   "tech_sme": 1000}


def targets_for(firms: int, shape: str) -> dict[str, int]:
    """The targets seeded for a demo city: Dalian's 2022 figures, scaled to a Dalian-shaped
    city of another size than the full one (a third of the city, a third of the targets)."""
    if shape != DALIAN.name:
        return dict(CURRENT_TARGETS)
    scale = firms / DALIAN_FIRMS
    return {k: max(1, round(v * scale)) for k, v in CURRENT_TARGETS.items()}


async def seed_targets(ladder_url: str, token: str, year: int,
                       targets: dict[str, int] | None = None) -> bool:
    """PUT `year`'s targets on the ladder unless the bureau has set its own; True when seeded.

    The ladder ships Dalian's published 2022 figures (CURRENT_TARGETS); a demo city of another
    size replaces them with its scaled ones, so its 2022 is measured against targets its size.
    """
    wanted = targets or CURRENT_TARGETS
    async with Ladder(ladder_url, token) as ladder:
        try:
            now = await ladder.targets(year, as_of=date(year, 1, 1))
            stored = {i.tier: i.target for i in now.items if i.target}
            if now.targets_set and (stored != CURRENT_TARGETS or stored == wanted):
                return False
            await ladder.set_targets(year, wanted)
        except ApiProblem as exc:
            raise DemoLoadError(f"targets of {year}: {exc}") from None
        return True


async def load_demo(registry_url: str, token: str, *, firms: int = 2400, seed: int = 2022,
                    shape: str = "rulebook",
                    as_of: date | None = None, concurrency: int = 8, import_concurrency: int = 1,
                    timeout_s: float = 300.0, ladder_url: str | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Generate the demo population and load it through the registry's HTTP API.

    Returns how many firms, reports, funding rounds and certificates the registry now
    holds from the demo (`created` says how many of them this call added), the rows it
    rejected (`rejected`, with up to 20 `problems`) and the time taken. Running it again
    with the same seed adds nothing (a later day may add the certificate renewals that
    fell due meanwhile; see `generate`). `as_of` defaults to today. With `ladder_url`, the
    current year's targets are seeded there too, unless the bureau set some, and the rounds
    from 2019 to the current year are sent (`tracker.demo.rounds`; counts under `rounds`). `progress` is
    called as (stage, done, total) for the stages "firms", "reports" and "facts" as rows
    are sent. `shape` picks the city (see `generate`). Firms, reports, funding rounds and
    certificates go as CSV imports (`import_concurrency` of each at once, reports beside
    facts; `concurrency` is kept for callers, the facts no longer going one call each).
    """
    started = time.perf_counter()
    data = generate(seed, firms, as_of=as_of or max(date.today(), REFERENCE_DAY), shape=shape)
    targets = targets_for(firms, shape)
    seeded = False
    if ladder_url:  # the Dalian city has its 2022 targets too: 2022 is the year it beat them
        years = {REFERENCE_DAY.year - 1, data.as_of.year} if shape == DALIAN.name else {
            data.as_of.year}
        for year in sorted(years):
            seeded = await seed_targets(ladder_url, token, year, targets) or seeded
    created: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    problems: list[str] = []
    done: Counter[str] = Counter()
    totals = {"firms": len(data.firms), "reports": data.report_count,
              "facts": data.funding_round_count + data.certificate_count}

    def tick(stage: str, rows: int) -> None:
        done[stage] += rows
        if progress is not None:
            progress(stage, done[stage], totals[stage])

    async with Registry(registry_url, token, timeout=timeout_s) as registry:
        usccs = [f.uscc for f in data.firms]
        tick("firms", 0)  # each bar starts when its stage does, so its rate counts from there
        for i, text in enumerate(data.firms_csv()):
            keys = usccs[i * CSV_CHUNK_ROWS:(i + 1) * CSV_CHUNK_ROWS]
            applied, unchanged = await _import(registry, "firms", text, keys, problems)
            created["firms"] += applied
            kept["firms"] += applied + unchanged
            tick("firms", len(keys))


        async def reports(chunk: list[dict[str, Any]]) -> None:
            keys = [f"{r['uscc']}/FY{r['fiscal_year']}" for r in chunk]
            async with imports:
                applied, unchanged = await _import(
                    registry, "reports", csv_text(REPORT_COLUMNS, chunk), keys, problems)
            created["reports"] += applied
            kept["reports"] += applied + unchanged
            tick("reports", len(chunk))

        async def facts(kind: ImportKind, chunk: list[dict[str, Any]]) -> None:
            keys = [f"{r['uscc']}/{r.get('closed_on') or r.get('kind')}" for r in chunk]
            async with fact_imports:
                applied, unchanged = await _import(
                    registry, kind, csv_text(FACT_COLUMNS[kind], chunk), keys, problems)
            created[kind] += applied
            kept[kind] += applied + unchanged
            tick("facts", len(chunk))

        # A firm's reports (and its rounds, its certificates) stay in one chunk, so chunks
        # may run side by side; the facts' imports run beside the reports'.
        imports = asyncio.Semaphore(import_concurrency)
        fact_imports = asyncio.Semaphore(import_concurrency)
        tasks = [reports(chunk) for chunk in data.report_chunks()]
        for kind in FACT_COLUMNS:
            tasks += [facts(cast(ImportKind, kind), chunk)
                      for chunk in data.fact_chunks(kind, FACT_CHUNK_ROWS)]
        tick("reports", 0)
        tick("facts", 0)
        await asyncio.gather(*tasks)
        rounds: dict[str, Any] = {}
        if ladder_url:  # the rounds 2019 to now: applications, steps and the lists
            every = await _firm_ids(registry, {f.uscc for f in data.firms})
            async with Ladder(ladder_url, token, timeout=timeout_s) as ladder:
                rounds = await load_rounds(registry, ladder, data.firms, every, seed=seed,
                                           as_of=data.as_of)
            problems += rounds.pop("problems", [])

    for problem in problems[:20]:
        log.warning("demo data rejected: %s", problem)
    return {
        "firms": kept["firms"], "reports": kept["reports"],
        "funding_rounds": kept["funding_rounds"], "certificates": kept["certificates"],
        "created": {k: created[k] for k in ("firms", "reports", "funding_rounds", "certificates")},
        "rejected": len(problems), "problems": problems[:20], "targets_seeded": seeded,
        "rounds": rounds,
        "seconds": round(time.perf_counter() - started, 2),
    }
