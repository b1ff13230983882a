"""Events and audit entries: what a unit of work appends, written in one statement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from registry.repository.base import FIRM_COLUMNS, PRODUCER, Row, Sql, rows
from shared.events import EventEnvelope, make_event
from shared.topics import FIRM_EVENTS


@dataclass
class EventBatch:
    """The firms' next events and the audit entries of one unit of work, numbered as they are
    added: each firm is locked by the caller, so its stored `sequence` is its last one."""

    actor: str
    correlation_id: str | None
    events: list[EventEnvelope] = field(default_factory=list)
    audits: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    # firm id -> (sequence before this batch, sequence after it)
    sequences: dict[uuid.UUID, tuple[int, int]] = field(default_factory=dict)

    def event(self, firm: Row, event_type: str, data: Any) -> int:
        """Append the firm's next event; its sequence."""
        before, last = self.sequences.get(firm["id"], (firm["sequence"], firm["sequence"]))
        self.sequences[firm["id"]] = (before, last + 1)
        self.events.append(make_event(event_type, producer=PRODUCER, subject=str(firm["id"]),
                                      sequence=last + 1, data=data,
                                      correlation_id=self.correlation_id))
        return last + 1

    def audit(self, action: str, subject: str, *, before: Any = None, after: Any = None) -> None:
        """Append an audit entry."""
        self.audits.append((action, subject, before, after))


# Every part in one round trip; outbox ids follow the batch's order, which the relay keeps.
# The guard: a firm's subject sequence moves only from the value read under its lock (drift
# from another writer makes `sequenced` fall short, and the write is refused).
_RECORD = (
    "WITH s AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[])"
    "  AS s(firm_id, before, last)),"
    " bumped AS (UPDATE subject_sequences q SET last = s.last FROM s"
    "  WHERE q.subject = s.firm_id::text AND q.last = s.before RETURNING 1),"
    " fresh AS (INSERT INTO subject_sequences (subject, last)"
    "  SELECT firm_id::text, last FROM s WHERE before = 0"
    "  ON CONFLICT (subject) DO NOTHING RETURNING 1),"
    " outbox_rows AS (INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence,"
    "  payload) SELECT e.id, $4, e.subject, e.type, e.subject, e.sequence, e.payload"
    "  FROM unnest($5::uuid[], $6::text[], $7::text[], $8::bigint[], $9::text[])"
    "  WITH ORDINALITY AS e(id, subject, type, sequence, payload, n) ORDER BY e.n),"
    " audit AS (INSERT INTO audit_log (actor, action, subject, before, after, correlation_id)"
    "  SELECT $10, a.action, a.subject, a.before, a.after, $11"
    "  FROM unnest($12::text[], $13::text[], $14::jsonb[], $15::jsonb[])"
    "  AS a(action, subject, before, after)),"
    " firms AS (UPDATE firms f SET sequence = s.last, updated_at = now() FROM s"
    f"  WHERE f.id = s.firm_id RETURNING {', '.join('f.' + c for c in FIRM_COLUMNS)}),"
    " notified AS (SELECT pg_notify('outbox', '') WHERE EXISTS (SELECT 1 FROM s))"
    " SELECT firms.*, (SELECT count(*) FROM bumped) + (SELECT count(*) FROM fresh) AS sequenced,"
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
            _RECORD, ids, [batch.sequences[i][0] for i in ids],
            [batch.sequences[i][1] for i in ids], FIRM_EVENTS,
            [e.event_id for e in batch.events], [e.subject for e in batch.events],
            [e.event_type for e in batch.events], [e.sequence for e in batch.events],
            [e.model_dump_json() for e in batch.events], batch.actor, batch.correlation_id,
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
