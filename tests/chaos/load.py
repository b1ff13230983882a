"""A steady load of firm registrations and annual reports through the registry API.

The client is careful the way a real one should be: a write whose answer never came (the
connection broke, the server was killed, the database was away) is sent again unchanged until
it is answered; the registry's replay rules make that safe. A write counts as accepted only
when it got a 2xx, and a 2xx promises the change is committed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import aiohttp

from tests.factories import ADMIN_TOKEN, firm_payload, random_uscc, report_payload

RETRYABLE = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Accepted:
    """One write the registry answered with a 2xx."""

    firm_id: str
    sequence: int
    status: int
    what: str


@dataclass
class LoadResult:
    """What the load did."""

    accepted: list[Accepted] = field(default_factory=list)
    firm_ids: list[str] = field(default_factory=list)
    retries: int = 0
    unavailable: Counter[int] = field(default_factory=Counter)  # 5xx answers, by status
    refused: list[tuple[int, str]] = field(default_factory=list)  # 4xx: a bug in the service


class Load:
    """`firms_per_s` new firms a second, each registered and then given two annual reports.

    Even-numbered firms hold a class-I patent (an eaglet on their latest report), odd ones
    hold nothing (no tier), so both kinds of decision history are exercised.
    """

    def __init__(self, registry_url: str, *, district: str, firms_per_s: float = 6.0,
                 seed: int = 0, fiscal_year: int | None = None):
        self.url, self.district, self.rate = registry_url, district, firms_per_s
        self.rng = random.Random(seed)
        self.fy = fiscal_year or date.today().year - 1
        self.result = LoadResult()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Begin sending in the background."""
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=aiohttp.ClientTimeout(total=60))
        self._tasks = [asyncio.create_task(self._pace())]

    async def stop(self) -> LoadResult:
        """Stop starting firms, finish the ones begun (every write answered), and report."""
        self._stop.set()
        await asyncio.gather(*self._tasks)
        assert self._session is not None
        await self._session.close()
        return self.result

    async def _pace(self) -> None:
        firms: list[asyncio.Task[None]] = []
        n = 0
        started = time.monotonic()
        while not self._stop.is_set():
            firms.append(asyncio.create_task(self._one_firm(n)))
            n += 1
            # steady: the n-th firm starts at n / rate, whatever the server is doing
            delay = started + n / self.rate - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._stop.wait(), delay)
                except TimeoutError:
                    pass
        await asyncio.gather(*firms)

    async def _one_firm(self, n: int) -> None:
        founded = f"{self.fy - 3}-0{1 + n % 9}-15"
        body = firm_payload(district=self.district, founded_on=founded)
        body["uscc"] = random_uscc(self.rng)
        firm = await self._write("POST", "/v1/firms", body, what="register")
        firm_id = str(firm["id"])
        self.result.firm_ids.append(firm_id)
        ip = {"ip_class1": 1, "ip_class2": 0} if n % 2 == 0 else {"ip_class1": 0, "ip_class2": 0}
        for fy, revenue in ((self.fy - 1, 20_000_000), (self.fy, 24_000_000)):
            await self._write("PUT", f"/v1/firms/{firm_id}/reports/{fy}",
                              report_payload(revenue=revenue, **ip), what=f"report {fy}")

    async def _write(self, method: str, path: str, body: dict[str, Any], *,
                     what: str) -> dict[str, Any]:
        assert self._session is not None
        delay = 0.1
        while True:
            try:
                async with self._session.request(method, self.url + path, json=body) as r:
                    if r.status < 300:
                        answer: dict[str, Any] = await r.json()
                        firm_id = str(answer.get("firm_id") or answer["id"])
                        self.result.accepted.append(
                            Accepted(firm_id, int(answer["sequence"]), r.status, what))
                        return answer
                    text = await r.text()
                    self.result.unavailable[r.status] += 1
                    if r.status not in RETRYABLE:
                        self.result.refused.append((r.status, f"{what}: {text[:300]}"))
                        raise AssertionError(f"{method} {path} → {r.status}: {text[:300]}")
            except (aiohttp.ClientError, TimeoutError, ConnectionError):
                pass  # no answer: the write may or may not have happened; send it again
            self.result.retries += 1
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 2)
