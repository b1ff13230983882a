"""Fakes of what handlers receive, shared by every service's unit tests (no I/O)."""

from __future__ import annotations

from collections import defaultdict
from types import TracebackType
from typing import Any, Self

from shared.events import EventEnvelope, make_event


class FakeOutbox:
    """Keeps appended events in memory, numbered per subject like the real outbox."""

    def __init__(self, producer: str):
        self.producer = producer
        self.events: list[EventEnvelope] = []
        self._last: dict[str, int] = defaultdict(int)

    async def append(self, *, topic: str, event_type: str, subject: str, data: Any,
                     correlation_id: str | None = None) -> EventEnvelope:
        self._last[subject] += 1
        event = make_event(event_type, producer=self.producer, subject=subject,
                           sequence=self._last[subject], data=data,
                           correlation_id=correlation_id)
        self.events.append(event)
        return event

    async def append_many(self, events: list[dict[str, Any]]) -> list[EventEnvelope]:
        return [await self.append(**e) for e in events]

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
