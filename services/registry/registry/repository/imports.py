"""The imports table: each CSV import and what it did."""

from __future__ import annotations

import uuid
from typing import Any

from registry.repository.base import Row, Sql
from shared.db import record


class ImportSql(Sql):
    """Recording imports."""

    async def create_import(self, import_id: uuid.UUID, kind: str, total: int,
                            actor: str) -> None:
        """Record an import as running."""
        await self.conn.execute(
            "INSERT INTO imports (id, kind, status, total_rows, actor)"
            " VALUES ($1, $2, 'running', $3, $4)", import_id, kind, total, actor)

    async def finish_import(self, import_id: uuid.UUID, *, applied: int, unchanged: int,
                            errors: list[dict[str, Any]], status: str) -> None:
        """Record what an import did."""
        await self.conn.execute(
            "UPDATE imports SET status = $2, applied = $3, unchanged = $4, errors = $5,"
            " finished_at = now() WHERE id = $1",
            import_id, status, applied, unchanged, errors)

    async def import_job(self, import_id: uuid.UUID) -> Row | None:
        """An import as recorded."""
        return record(await self.conn.fetchrow("SELECT * FROM imports WHERE id = $1", import_id))
