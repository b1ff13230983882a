"""The audit log: who changed what, when, before and after. Every service writes it here: one
entry at a time (`record`), or a batch inside the outbox's one-statement write (`ENTRIES`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from shared.db import DbConn


class Entry(NamedTuple):
    """One audit entry of a batch; the batch gives its actor and correlation id."""

    action: str
    subject: str
    before: Any = None
    after: Any = None


async def record(
    conn: DbConn, *, actor: str, action: str, subject: str | None,
    before: Any = None, after: Any = None, correlation_id: str | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO audit_log (actor, action, subject, before, after, correlation_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        actor, action, subject, before, after, correlation_id,
    )


def entries(first: int) -> str:
    """A common table expression `audit` that appends a batch of entries; its six parameters
    start at `$first` and are `entries_args`."""
    a, c, n = f"${first}", f"${first + 1}", first + 2
    return (" audit AS (INSERT INTO audit_log (actor, action, subject, before, after,"
            f" correlation_id) SELECT {a}, e.action, e.subject, e.before, e.after, {c}"
            f" FROM unnest(${n}::text[], ${n + 1}::text[], ${n + 2}::jsonb[], ${n + 3}::jsonb[])"
            " AS e(action, subject, before, after))")


def entries_args(actor: str, correlation_id: str | None,
                 batch: Sequence[Entry]) -> list[Any]:
    """The parameters of `entries`: actor, correlation id and the entries, column by column."""
    return [actor, correlation_id, [e.action for e in batch], [e.subject for e in batch],
            [e.before for e in batch], [e.after for e in batch]]
