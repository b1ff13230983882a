"""`load_demo`: the demo population sent to a running registry (and targets to the ladder)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from tracker.demo.generator import generate
from tracker.demo.population import (
    CSV_CHUNK_ROWS,
    REFERENCE_DAY,
    REPORT_COLUMNS,
    DemoFirm,
    csv_text,
)

log = logging.getLogger(__name__)


class DemoLoadError(RuntimeError):
    """The registry refused the demo as a whole (bad token, server error, unreachable)."""


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code in (401, 403) or response.status_code >= 500:
        raise DemoLoadError(f"{what}: HTTP {response.status_code}: {response.text[:500]}")


async def _import(client: httpx.AsyncClient, kind: str, text: str, keys: list[str],
                  problems: list[str]) -> tuple[int, int]:
    """One CSV import; (applied, unchanged). Rejected rows go to `problems`."""
    response = await client.post("/v1/imports", params={"kind": kind},
                                 files={"file": (f"demo-{kind}.csv", text.encode(), "text/csv")})
    _check(response, f"import of {kind}")
    if response.status_code != 201:
        raise DemoLoadError(f"import of {kind}: HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    for err in body["errors"]:
        problems.append(f"{kind} row {keys[err['row'] - 1]}: {err['field']}: {err['reason']}")
    return int(body["applied"]), int(body["unchanged"])


async def _firm_ids(client: httpx.AsyncClient, wanted: set[str]) -> dict[str, str]:
    """USCC -> firm id for the wanted USCCs, paging the firm list once."""
    ids: dict[str, str] = {}
    cursor: str | None = None
    while len(ids) < len(wanted):
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/firms", params=params)
        _check(response, "listing firms")
        response.raise_for_status()
        page = response.json()
        ids.update({f["uscc"]: f["id"] for f in page["items"] if f["uscc"] in wanted})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return ids


async def _facts(client: httpx.AsyncClient, firm: DemoFirm, firm_id: str,
                 limit: asyncio.Semaphore, created: Counter[str], kept: Counter[str],
                 problems: list[str]) -> None:
    """One firm's funding rounds (oldest first), then its certificates."""
    calls = [("funding_rounds", "funding-rounds", body)
             for body in sorted(firm.funding_rounds, key=lambda r: r["closed_on"])]
    calls += [("certificates", "certificates", body) for body in firm.certificates]
    async with limit:
        for what, path, body in calls:
            response = await client.post(f"/v1/firms/{firm_id}/{path}", json=body)
            _check(response, f"{what} of {firm.uscc}")
            if response.status_code == 201:
                created[what] += 1
                kept[what] += 1
            elif response.status_code == 200:
                kept[what] += 1
            else:
                problems.append(f"{what} of {firm.uscc}: HTTP {response.status_code}: "
                                f"{response.text[:300]}")


# The current year's targets, seeded when the bureau has set none (the 2022 figures).
CURRENT_TARGETS = {"eaglet": 170, "gazelle": 30, "unicorn": 1, "high_tech_enterprise": 500,
                   "tech_sme": 1000}


async def seed_targets(ladder_url: str, token: str, year: int) -> bool:
    """PUT `year`'s targets on the ladder unless some are set already; True when seeded."""
    async with httpx.AsyncClient(base_url=ladder_url.rstrip("/"), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        current = await client.get(f"/v1/targets/{year}", params={"as_of": f"{year}-01-01"})
        _check(current, f"targets of {year}")
        if current.json().get("targets_set"):
            return False
        _check(await client.put(f"/v1/targets/{year}", json=CURRENT_TARGETS), "seeding targets")
        return True


async def load_demo(registry_url: str, token: str, *, firms: int = 2400, seed: int = 2022,
                    as_of: date | None = None, concurrency: int = 8, import_concurrency: int = 1,
                    timeout_s: float = 300.0, ladder_url: str | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Generate the demo population and load it through the registry's HTTP API.

    Returns how many firms, reports, funding rounds and certificates the registry now
    holds from the demo (`created` says how many of them this call added), the rows it
    rejected (`rejected`, with up to 20 `problems`) and the time taken. Running it again
    with the same seed adds nothing (a later day may add the certificate renewals that
    fell due meanwhile; see `generate`). `as_of` defaults to today. With `ladder_url`, the
    current year's targets are seeded there too, unless the bureau set some. `progress` is
    called as (stage, done, total) for the stages "firms", "reports" and "facts" as rows
    are sent.
    """
    started = time.perf_counter()
    data = generate(seed, firms, as_of=as_of or max(date.today(), REFERENCE_DAY))
    seeded = await seed_targets(ladder_url, token, data.as_of.year) if ladder_url else False
    created: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    done: Counter[str] = Counter()
    totals = {"firms": len(data.firms), "reports": data.report_count,
              "facts": data.funding_round_count + data.certificate_count}

    def tick(stage: str, rows: int) -> None:
        done[stage] += rows
        if progress is not None:
            progress(stage, done[stage], totals[stage])

    async with httpx.AsyncClient(base_url=registry_url.rstrip("/"), headers=headers,
                                 timeout=timeout_s) as client:
        usccs = [f.uscc for f in data.firms]
        tick("firms", 0)  # each bar starts when its stage does, so its rate counts from there
        for i, text in enumerate(data.firms_csv()):
            keys = usccs[i * CSV_CHUNK_ROWS:(i + 1) * CSV_CHUNK_ROWS]
            applied, unchanged = await _import(client, "firms", text, keys, problems)
            created["firms"] += applied
            kept["firms"] += applied + unchanged
            tick("firms", len(keys))

        with_facts = [f for f in data.firms if f.funding_rounds or f.certificates]
        ids = await _firm_ids(client, {f.uscc for f in with_facts})
        limit = asyncio.Semaphore(concurrency)

        async def reports(chunk: list[dict[str, Any]]) -> None:
            keys = [f"{r['uscc']}/FY{r['fiscal_year']}" for r in chunk]
            async with imports:
                applied, unchanged = await _import(
                    client, "reports", csv_text(REPORT_COLUMNS, chunk), keys, problems)
            created["reports"] += applied
            kept["reports"] += applied + unchanged
            tick("reports", len(chunk))

        async def facts(firm: DemoFirm, firm_id: str) -> None:
            await _facts(client, firm, firm_id, limit, created, kept, problems)
            tick("facts", len(firm.funding_rounds) + len(firm.certificates))

        # A firm's reports stay in one chunk, so chunks may run side by side.
        imports = asyncio.Semaphore(import_concurrency)
        tasks = [reports(chunk) for chunk in data.report_chunks()]
        for firm in with_facts:
            if firm.uscc in ids:
                tasks.append(facts(firm, ids[firm.uscc]))
            else:
                problems.append(f"firm {firm.uscc} not found in the registry after its import")
        tick("reports", 0)
        tick("facts", 0)
        await asyncio.gather(*tasks)

    for problem in problems[:20]:
        log.warning("demo data rejected: %s", problem)
    return {
        "firms": kept["firms"], "reports": kept["reports"],
        "funding_rounds": kept["funding_rounds"], "certificates": kept["certificates"],
        "created": {k: created[k] for k in ("firms", "reports", "funding_rounds", "certificates")},
        "rejected": len(problems), "problems": problems[:20], "targets_seeded": seeded,
        "seconds": round(time.perf_counter() - started, 2),
    }
