"""Events and audit entries: what a unit of work appends, written in one statement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from registry.repository.base import FIRM_COLUMNS, PRODUCER, Row, Sql, rows
from shared.events import Draft, EventEnvelope
from shared.outbox import SEQUENCED, SEQUENCED_COUNT, sequenced_args
from shared.topics import FIRM_EVENTS

P = TypeVar("P", bound=BaseModel)


@dataclass
class EventBatch:
    """The firms' next events and the audit entries of one unit of work, numbered as they are
    added: each firm is locked by the caller, so its stored `sequence` is its last one."""

    actor: str
    correlation_id: str | None
    events: list[EventEnvelope[Any]] = field(default_factory=list)
    audits: list[tuple[str, str, Any, Any]] = field(default_factory=list)
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
        self.audits.append((action, subject, before, after))


# Every part in one round trip: the outbox's sequenced write (shared.outbox.SEQUENCED, $1-$9),
# the audit entries and the firms' sequences; outbox ids follow the batch's order, which the
# relay keeps. The guard: a firm's subject sequence moves only from the value read under its
# lock (drift from another writer makes `sequenced` fall short, and the write is refused).
_RECORD = (
    f"WITH {SEQUENCED},"
    " audit AS (INSERT INTO audit_log (actor, action, subject, before, after, correlation_id)"
    "  SELECT $10, a.action, a.subject, a.before, a.after, $11"
    "  FROM unnest($12::text[], $13::text[], $14::jsonb[], $15::jsonb[])"
    "  AS a(action, subject, before, after)),"
    " firms AS (UPDATE firms f SET sequence = s.last, updated_at = now() FROM s"
    f"  WHERE f.id = s.subject::uuid RETURNING {', '.join('f.' + c for c in FIRM_COLUMNS)})"
    f" SELECT firms.*, {SEQUENCED_COUNT} AS sequenced,"
    " (SELECT count(*) FROM notified) AS notified FROM firms")


class SequenceDrift(RuntimeError):
    """A firm's subject sequence was not what its row said: another writer moved it."""


class EventSql(Sql):
    """The outbox, the firms' sequences and the audit log."""

    async def record(self, batch: EventBatch) -> dict[uuid.UUID, Row]:
        """Write the batch's events, sequences and audit entries, and wake the relay; the
        firms as they are now."""
        if not batch.sequences and not batch.audits:
            return {}
        ids = list(batch.sequences)
        audits = batch.audits
        written = await self.db.fetch(
            _RECORD, *sequenced_args(FIRM_EVENTS, {str(i): batch.sequences[i] for i in ids},
                                     batch.events),
            batch.actor, batch.correlation_id,
            [a[0] for a in audits], [a[1] for a in audits], [a[2] for a in audits],
            [a[3] for a in audits])
        if len(written) != len(ids) or (written and written[0]["sequenced"] != len(ids)):
            raise SequenceDrift(f"subject sequences of {len(ids)} firms moved under their lock")
        return {r["id"]: {k: v for k, v in r.items() if k not in ("sequenced", "notified")}
                for r in written}

    async def events(self, subject: str, after_sequence: int, limit: int) -> list[Row]:
        """The subject's outbox rows after a sequence, in order."""
        return rows(await self.db.fetch(
            "SELECT payload, published_at FROM outbox WHERE subject = $1 AND sequence > $2"
            " ORDER BY sequence LIMIT $3", subject, after_sequence, limit))
