"""Registry and ladder apps in-process on a broker of the test's own, and ways to wait for them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from ladder.app import build_app as build_ladder
from ladder.config import Settings as LadderSettings
from registry.app import build_app as build_registry
from registry.config import Settings as RegistrySettings
from tests.factories import auth
from tests.integration.conftest import serve, service_settings


@dataclass
class Pair:
    registry: httpx.AsyncClient
    ladder: httpx.AsyncClient

    async def caught_up(self, firm_id: str, sequence: int, timeout_s: float = 20) -> dict[str, Any]:
        """The ladder's standing once it has applied the firm's registry `sequence`."""
        for _ in range(int(timeout_s * 20)):
            r = await self.ladder.get(f"/v1/firms/{firm_id}/standing")
            if r.status_code == 200 and r.json()["sequence"] >= sequence:
                return r.json()
            await asyncio.sleep(0.05)
        raise AssertionError(f"ladder did not reach sequence {sequence} for {firm_id}")


@asynccontextmanager
async def ladder_app(server_url: str, database: str, bootstrap: str, *, today: date,
                     group: str = "ladder") -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(LadderSettings, server_url=server_url, database=database,
                                bootstrap=bootstrap, consumer_group=group,
                                consumer_max_attempts=2,
                                whatif_keep_warm_s=0)  # no workers but for the jobs asked
    async with serve(build_ladder(settings, clock=lambda: today)) as client:
        client.headers.update(auth())
        yield client


@asynccontextmanager
async def registry_app(server_url: str, database: str, bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(RegistrySettings, server_url=server_url, database=database,
                                bootstrap=bootstrap)
    async with serve(build_registry(settings)) as client:
        client.headers.update(auth())
        yield client


@asynccontextmanager
async def pair(server_url: str, registry_db: str, ladder_db: str, bootstrap: str, *,
               today: date) -> AsyncIterator[Pair]:
    async with registry_app(server_url, registry_db, bootstrap) as reg, \
            ladder_app(server_url, ladder_db, bootstrap, today=today) as lad:
        yield Pair(reg, lad)


FILED = "2022-03-01"  # when the tests' firms filed their FY2021 reports (the ladder's clock is later)


def dated_report(filed_on: str = FILED, **overrides: Any) -> dict[str, Any]:
    """A report body filed on `filed_on`."""
    from tests.factories import report_payload

    return report_payload(filed_on=filed_on, **overrides)


def growth_reports(base: int = 20_000_000, filed_on: str = FILED) -> dict[int, dict[str, Any]]:
    """FY2018-2021 reports of a gazelle on the revenue-growth path (CAGR 26%, intensity 4%),
    all filed on `filed_on`."""
    revenues = {2018: base, 2019: base * 5 // 4, 2020: base * 3 // 2, 2021: base * 2}
    return {y: dated_report(filed_on, revenue=r, sales_revenue=r, high_tech_revenue=r // 2,
                            st_activity_investment=r // 25) for y, r in revenues.items()}
