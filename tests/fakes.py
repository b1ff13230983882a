"""Fakes of what handlers receive, shared by every service's unit tests (no I/O)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from shared.events import AnyEvent, Draft, EventEnvelope, P


class FakeOutbox:
    """Keeps appended events in memory, numbered per subject like the real outbox."""

    def __init__(self, producer: str):
        self.producer = producer
        self.events: list[AnyEvent] = []
        self._last: dict[str, int] = defaultdict(int)

    async def add(self, type: type[EventEnvelope[P]], *, subject: str, data: P,
                  correlation_id: str | None = None) -> EventEnvelope[P]:
        (event,) = await self.add_all([Draft(type, subject, data, correlation_id)])
        return event

    async def add_all(self, drafts: Sequence[Draft[Any]]) -> list[AnyEvent]:
        made = []
        for d in drafts:
            assert d.type.producer_name == self.producer, f"{self.producer}: {d.type.__name__}"
            self._last[d.subject] += 1
            made.append(d.numbered(self._last[d.subject]))
        self.events += made
        return made

    def types(self) -> list[str]:
        """The appended events' types, in order."""
        return [e.event_type for e in self.events]


class FakeUnitOfWork:
    """A unit of work in memory: counts commits; what a failed block wrote is rolled back by
    the service's fake repository snapshot (subclasses set `repo` and `outbox`)."""

    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0

    def snapshot(self) -> Any:
        """Subclasses: a copy of the fake state to restore on rollback."""
        return None

    def restore(self, state: Any) -> None:
        """Subclasses: put the snapshot back."""

    async def __aenter__(self) -> Self:
        self._saved = self.snapshot()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commits += 1
        else:
            self.rollbacks += 1
            self.restore(self._saved)
