"""Transactional outbox: events written with the change, published to Kafka by a relay. The one
writer of outbox rows: `add_all` (numbering each subject from its stored sequence) and its fast
path `add_sequenced` (events numbered by their writer, one statement with the caller's change)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
from pydantic import BaseModel

from shared import audit
from shared.db import DbConn
from shared.events import Draft, EventEnvelope
from shared.kafka import ensure_topics, new_producer, topic_end_offsets
from shared.outbox_in_doubt import mark_sent
from shared.topics import ALL_TOPICS

log = logging.getLogger(__name__)

_RELAY_LOCK = 7_301_002  # one publishing relay per database keeps per-key order
BATCH = 500
P = TypeVar("P", bound=BaseModel)


async def add(conn: DbConn, type: type[EventEnvelope[P]], *, subject: str, data: P,
              correlation_id: str | None = None) -> EventEnvelope[P]:
    """Write one event of a declared type into the outbox inside the caller's transaction;
    returns it. mypy refuses a `data` that is not the type's payload model."""
    (event,) = await add_all(conn, [Draft(type, subject, data, correlation_id)])
    return event


async def add_all(conn: DbConn, drafts: Sequence[Draft[Any]]) -> list[EventEnvelope[Any]]:
    """Write many events in three statements (sequences, rows, one notify), in order,
    numbering each subject's events from its stored sequence."""
    if not drafts:
        return []
    counts = Counter(d.subject for d in drafts)
    rows = await conn.fetch(
        "INSERT INTO subject_sequences (subject, last)"
        " SELECT * FROM unnest($1::text[], $2::bigint[])"
        " ON CONFLICT (subject) DO UPDATE SET last = subject_sequences.last + EXCLUDED.last"
        " RETURNING subject, last", list(counts), list(counts.values()))
    following = {r["subject"]: r["last"] - counts[r["subject"]] + 1 for r in rows}
    made = []
    for d in drafts:
        made.append(d.numbered(following[d.subject]))
        following[d.subject] += 1
    await conn.executemany(
        "INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence, payload)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [(m.event_id, m.topic, m.subject, m.event_type, m.subject, m.sequence,
          m.model_dump_json()) for m in made])
    await conn.execute("SELECT pg_notify('outbox', '')")
    return made


# The fast path, for a writer that numbers its subjects' events itself under their locks (the
# registry): sequences, outbox rows, audit entries and the relay's wake-up as common table
# expressions, joined to the caller's own change in one statement, one round trip.
# Parameters $1-$9 are `sequenced_args`; `s` (subject, before, last) is the subjects'
# sequences. The guard: a subject's sequence moves only from the value its writer read under
# the lock (drift from another writer makes `bumped` + `fresh` fall short of the subjects).
SEQUENCED = (
    "s AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])"
    "  AS s(subject, before, last)),"
    " bumped AS (UPDATE subject_sequences q SET last = s.last FROM s"
    "  WHERE q.subject = s.subject AND q.last = s.before RETURNING 1),"
    " fresh AS (INSERT INTO subject_sequences (subject, last)"
    "  SELECT subject, last FROM s WHERE before = 0"
    "  ON CONFLICT (subject) DO NOTHING RETURNING 1),"
    " outbox_rows AS (INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence,"
    "  payload) SELECT e.id, $4, e.subject, e.type, e.subject, e.sequence, e.payload"
    "  FROM unnest($5::uuid[], $6::text[], $7::text[], $8::bigint[], $9::text[])"
    "  WITH ORDINALITY AS e(id, subject, type, sequence, payload, n) ORDER BY e.n),"
    " notified AS (SELECT pg_notify('outbox', '') WHERE EXISTS (SELECT 1 FROM s))")
SEQUENCED_COUNT = "(SELECT count(*) FROM bumped) + (SELECT count(*) FROM fresh)"
CHANGE_FIRST = 16  # the first parameter number of the caller's change in `add_sequenced`
_COUNTS = f"{SEQUENCED_COUNT} AS sequenced, (SELECT count(*) FROM notified) AS notified"


class SequenceDrift(RuntimeError):
    """A subject's stored sequence was not what its writer read under its lock: another writer
    moved it, and the write is refused."""


def sequenced_args(topic: str, sequences: Mapping[str, tuple[int, int]],
                   events: Sequence[EventEnvelope[Any]]) -> list[Any]:
    """Parameters $1-$9 of `SEQUENCED`: each subject's (sequence before, after) and the
    events, numbered, all of `topic`."""
    if any(e.topic != topic for e in events):
        raise ValueError(f"events of another topic than {topic} in one sequenced write")
    subjects = list(sequences)
    return [subjects, [sequences[s][0] for s in subjects], [sequences[s][1] for s in subjects],
            topic, [e.event_id for e in events], [e.subject for e in events],
            [e.event_type for e in events], [e.sequence for e in events],
            [e.model_dump_json() for e in events]]


async def add_sequenced(
    conn: DbConn, topic: str, sequences: Mapping[str, tuple[int, int]],
    events: Sequence[EventEnvelope[Any]], *, actor: str, correlation_id: str | None,
    audits: Sequence[audit.Entry] = (), change: str | None = None,
    change_args: Sequence[Any] = (),
) -> list[dict[str, Any]]:
    """The writer's fast path: events already numbered by their writer (each subject's sequence
    going from `before` to `last` under its lock), their audit entries and the caller's own
    `change` written in one statement. `change` is a common table expression `changed AS
    (...)` that may read `s` and takes its parameters from `$CHANGE_FIRST`; its rows come back.
    Raises `SequenceDrift` when a subject's sequence was not the one read."""
    if not sequences and not audits:
        return []
    parts = f"WITH {SEQUENCED}, {audit.entries(10)}"
    statement = (f"{parts}, {change} SELECT changed.*, {_COUNTS} FROM changed" if change
                 else f"{parts} SELECT {_COUNTS}")
    written = await conn.fetch(
        statement, *sequenced_args(topic, sequences, events),
        *audit.entries_args(actor, correlation_id, audits), *change_args)
    sequenced = written[0]["sequenced"] if written else 0
    if sequenced != len(sequences):
        raise SequenceDrift(f"subject sequences of {len(sequences)} subjects moved under their"
                            " lock")
    return [{k: v for k, v in r.items() if k not in ("sequenced", "notified")}
            for r in written] if change else []


class Outbox:
    """The outbox as a handler sees it: events appended in the unit of work's transaction."""

    def __init__(self, conn: DbConn, producer: str):
        self.conn, self.producer = conn, producer

    async def add(self, type: type[EventEnvelope[P]], *, subject: str, data: P,
                  correlation_id: str | None = None) -> EventEnvelope[P]:
        """Write one event; it is published once the transaction commits."""
        (event,) = await self.add_all([Draft(type, subject, data, correlation_id)])
        return event

    async def add_all(self, drafts: Sequence[Draft[Any]]) -> list[EventEnvelope[Any]]:
        """Write many events in a few statements; published once the transaction commits."""
        for d in drafts:
            if d.type.producer_name != self.producer:
                raise ValueError(f"{self.producer} cannot publish {d.type.__name__}")
        return await add_all(self.conn, drafts)


class OutboxRelay:
    """Publishes unpublished outbox rows in order, retrying through broker outages."""

    def __init__(
        self, pool: asyncpg.Pool, dsn: str, bootstrap: str, *, partitions: int = 3,
        poll_s: float = 1.0, idempotent: bool = True,
    ):
        self.pool, self.dsn, self.bootstrap, self.poll_s = pool, dsn, bootstrap, poll_s
        self.partitions, self.idempotent = partitions, idempotent
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        self.connected = False
        self.standing_by = False  # another process of the service holds the relay lock

    def start(self) -> None:
        """Run the relay in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, drain_s: float = 5.0) -> None:
        """Publish what is pending (for up to `drain_s`), then stop; whatever is left stays in
        the outbox for the next start."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), drain_s)
        except TimeoutError:
            log.warning("outbox relay stopped before it could publish everything")
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        """Serve until stopped and drained. A failure while stopping is retried too: giving up
        then left everything unpublished whenever the first attempt failed (a loaded machine, a
        broker still starting), since the old loop ended as soon as `stop()` was asked for."""
        while True:
            try:
                await self._serve()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # broker or database down: wait, then start over
                self.connected = self.standing_by = False
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(0.5 if self._stopping else 2)

    async def _serve(self) -> None:
        # the relay's session state (LISTEN, the advisory lock) lives on a connection of its
        # own, closed with it: pooled connections hold none, so the pool skips its reset query
        listener = await asyncpg.connect(self.dsn)
        await listener.add_listener("outbox", lambda *_: self._wake.set())
        try:
            while not await listener.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK):
                self.standing_by = True
                if self._stopping:
                    return  # another replica relays; it will publish what is pending
                await asyncio.sleep(self.poll_s)  # another replica relays; stand by
            self.standing_by = False
            async with self.pool.acquire() as conn:
                await self._relay(conn)
        finally:
            await listener.close()  # ends the session, and with it the lock

    async def _relay(self, conn: DbConn) -> None:
        producer = new_producer(self.bootstrap, idempotent=self.idempotent)
        try:
            await ensure_topics(self.bootstrap, list(ALL_TOPICS), self.partitions)
            await producer.start()
            self.connected = True
            await self._warn_if_lost(conn)
            await mark_sent(conn, self.bootstrap)  # sent before a crash: not again
            while True:
                sent = await self._publish_batch(conn, producer)
                if self._stopping:
                    if sent == 0:
                        return  # drained: rows written during the last batch went too
                    continue
                if sent < BATCH:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.poll_s)
                    except TimeoutError:
                        pass
        finally:
            await producer.stop()

    async def _publish_batch(self, conn: DbConn, producer: Any) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, payload FROM outbox WHERE published_at IS NULL"
            " ORDER BY id LIMIT $1", BATCH,
        )
        if not rows:
            return 0
        futures = [
            await producer.send(r["topic"], r["payload"].encode(), key=r["key"].encode())
            for r in rows
        ]
        await asyncio.gather(*futures)
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
            [r["id"] for r in rows],
        )
        self.published += len(rows)
        return len(rows)

    async def _warn_if_lost(self, conn: DbConn) -> None:
        """Log loudly when the broker holds fewer records on a topic than this outbox published
        to it: the broker lost data (a wiped data dir, or Tansu's memory-only storage). Nothing
        is republished by itself; `tracker outbox replay` does that on purpose."""
        for r in await conn.fetch(
                "SELECT topic, count(*) AS published FROM outbox"
                " WHERE published_at IS NOT NULL GROUP BY topic"):
            held = await topic_end_offsets(self.bootstrap, r["topic"])
            if held < r["published"]:
                log.error(
                    "BROKER LOST DATA: %s holds %d records, this outbox published %d to it; "
                    "consumers and subscribers miss them until `tracker outbox replay --topic %s`",
                    r["topic"], held, r["published"], r["topic"],
                    extra={"topic": r["topic"], "held": held, "published": r["published"]})
