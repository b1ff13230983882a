"""Events and audit entries: what a unit of work appends, written in one statement by the
outbox's fast path (`shared.outbox.add_sequenced`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
from pydantic import BaseModel

from registry.repository.base import FIRM_COLUMNS, PRODUCER, Row, Sql, rows
from shared import outbox
from shared.audit import Entry
from shared.events import Draft, EventEnvelope
from shared.outbox import SequenceDrift
from shared.topics import FIRM_EVENTS

P = TypeVar("P", bound=BaseModel)


@dataclass
class EventBatch:
    """The firms' next events and the audit entries of one unit of work, numbered as they are
    added: each firm is locked by the caller, so its stored `sequence` is its last one."""

    actor: str
    correlation_id: str | None
    events: list[EventEnvelope[Any]] = field(default_factory=list)
    audits: list[Entry] = field(default_factory=list)
    # firm id -> (sequence before this batch, sequence after it)
    sequences: dict[uuid.UUID, tuple[int, int]] = field(default_factory=dict)

    def event(self, firm: Row, type: type[EventEnvelope[P]], data: P) -> int:
        """Append the firm's next event, of a declared type; its sequence."""
        if type.producer_name != PRODUCER:
            raise ValueError(f"the registry does not publish {type.__name__}")
        before, last = self.sequences.get(firm["id"], (firm["sequence"], firm["sequence"]))
        self.sequences[firm["id"]] = (before, last + 1)
        self.events.append(Draft(type, str(firm["id"]), data, self.correlation_id)
                           .numbered(last + 1))
        return last + 1

    def audit(self, action: str, subject: str, *, before: Any = None, after: Any = None) -> None:
        """Append an audit entry."""
        self.audits.append(Entry(action, subject, before, after))


# The registry's own part of the outbox's one-statement write: the firms' sequences, moved to
# the subjects' (`s`) last values; outbox ids follow the batch's order, which the relay keeps.
_FIRMS = ("changed AS (UPDATE firms f SET sequence = s.last, updated_at = now() FROM s"
          f"  WHERE f.id = s.subject::uuid RETURNING {', '.join('f.' + c for c in FIRM_COLUMNS)})")


class EventSql(Sql):
    """The outbox, the firms' sequences and the audit log."""

    async def record(self, batch: EventBatch) -> dict[uuid.UUID, Row]:
        """Write the batch's events, sequences and audit entries, and wake the relay; the
        firms as they are now."""
        if not batch.sequences and not batch.audits:
            return {}
        assert not isinstance(self.conn, asyncpg.Pool), "events belong to a transaction"
        ids = list(batch.sequences)
        written = await outbox.add_sequenced(
            self.conn, FIRM_EVENTS, {str(i): batch.sequences[i] for i in ids}, batch.events,
            actor=batch.actor, correlation_id=batch.correlation_id, audits=batch.audits,
            change=_FIRMS)
        if len(written) != len(ids):
            raise SequenceDrift(f"subject sequences of {len(ids)} firms moved under their lock")
        return {r["id"]: r for r in written}

    async def events(self, subject: str, after_sequence: int, limit: int) -> list[Row]:
        """The subject's outbox rows after a sequence, in order."""
        return rows(await self.conn.fetch(
            "SELECT payload, published_at FROM outbox WHERE subject = $1 AND sequence > $2"
            " ORDER BY sequence LIMIT $3", subject, after_sequence, limit))
