"""`tracker wait`: how far the ladder, the notifier and the entitlements service are behind.

The ladder has caught up when, for every firm, the last registry sequence it applied is
the last one in the registry's outbox. The notifier has caught up when every event in the
ladder's outbox is in the notifier's `processed_events` (or its `dead_letters`). The ladder
is read first, so whatever it wrote for the events it applied is already in its outbox. The
entitlements service has caught up when it consumed (or dead-lettered) as many registry
events as the registry's outbox holds (it consumes that topic only).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from dataclasses import dataclass, field

import asyncpg

from shared.db import connect
from shared.topics import FIRM_EVENTS, STANDING_EVENTS
from tracker.services import SERVICES


@dataclass
class Lag:
    """Events the registry wrote and the ladder applied; events the ladder wrote and the
    notifier consumed."""

    registry_events: int
    ladder_applied: int
    ladder_events: int
    notifier_consumed: int
    entitlements_consumed: int

    @property
    def caught_up(self) -> bool:
        """True when nothing is left to apply or consume."""
        return (self.ladder_applied >= self.registry_events
                and self.notifier_consumed >= self.ladder_events
                and self.entitlements_consumed >= self.registry_events)


@dataclass
class CatchUp:
    """Open connections to the services' databases and the ladder events still unconsumed."""

    conns: dict[str, asyncpg.Connection]
    _cursor: int = 0
    _ladder_events: int = 0
    _pending: set[uuid.UUID] = field(default_factory=set)

    @classmethod
    async def open(cls, server_url: str) -> CatchUp:
        """Connect to every service's database on the server."""
        conns: dict[str, asyncpg.Connection] = {}
        try:
            for service in SERVICES:
                conns[service.name] = await connect(service.database_url(server_url))
        except BaseException:
            for conn in conns.values():
                await conn.close()
            raise
        return cls(conns)

    async def close(self) -> None:
        """Close the connections."""
        for conn in self.conns.values():
            await conn.close()

    async def lag(self) -> Lag:
        """Where each consumer stands now."""
        registry = await self.conns["registry"].fetch(
            "SELECT subject, max(sequence) AS last FROM outbox WHERE topic = $1 GROUP BY subject",
            FIRM_EVENTS)
        applied = {str(r["id"]): int(r["last_sequence"]) for r in await self.conns["ladder"].fetch(
            "SELECT id, last_sequence FROM firms")}
        written = sum(int(r["last"]) for r in registry)
        caught = sum(min(applied.get(r["subject"], 0), int(r["last"])) for r in registry)
        consumed = await self._notifier_consumed()
        money = await self.conns["entitlements"].fetchval(
            "SELECT (SELECT count(*) FROM processed_events)"
            " + (SELECT count(*) FROM dead_letters WHERE topic = $1)", FIRM_EVENTS)
        return Lag(written, caught, self._ladder_events, consumed, min(int(money), written))

    async def _notifier_consumed(self) -> int:
        new = await self.conns["ladder"].fetch(
            "SELECT id, event_id FROM outbox WHERE topic = $1 AND id > $2 ORDER BY id",
            STANDING_EVENTS, self._cursor)
        if new:
            self._cursor = int(new[-1]["id"])
            self._ladder_events += len(new)
            self._pending.update(r["event_id"] for r in new)
        if self._pending:
            pending = list(self._pending)
            seen = {r["event_id"] for r in await self.conns["notifier"].fetch(
                "SELECT event_id FROM processed_events WHERE event_id = ANY($1::uuid[])", pending)}
            seen |= {uuid.UUID(r["event_id"]) for r in await self.conns["notifier"].fetch(
                "SELECT event_id FROM dead_letters WHERE event_id = ANY($1::text[])",
                [str(e) for e in pending])}
            self._pending -= seen
        return self._ladder_events - len(self._pending)


async def wait(server_url: str, *, timeout_s: float, poll_s: float = 0.5) -> int:
    """The `tracker wait` command: 0 once caught up, 1 on timeout."""
    from tracker.progress import staged_progress

    catch_up = await CatchUp.open(server_url)
    deadline = time.monotonic() + timeout_s
    try:
        with staged_progress() as progress:
            while True:
                lag = await catch_up.lag()
                progress("ladder", lag.ladder_applied, lag.registry_events)
                progress("notifier", lag.notifier_consumed, lag.ladder_events)
                progress("entitlements", lag.entitlements_consumed, lag.registry_events)
                if lag.caught_up or time.monotonic() > deadline:
                    break
                await asyncio.sleep(poll_s)
    finally:
        await catch_up.close()
    if lag.caught_up:
        print(f"caught up: the ladder and the entitlements service applied all "
              f"{lag.registry_events} registry events, the notifier consumed all "
              f"{lag.ladder_events} ladder events")
        return 0
    print(f"not caught up after {timeout_s:.0f} s: the ladder is "
          f"{lag.registry_events - lag.ladder_applied} registry events behind, the notifier "
          f"{lag.ladder_events - lag.notifier_consumed} ladder events, the entitlements service "
          f"{lag.registry_events - lag.entitlements_consumed} registry events", file=sys.stderr)
    return 1
