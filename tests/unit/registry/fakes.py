"""The registry's repository in memory, behind the same methods as `registry.repository`."""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from registry.repository import FIRM_COLUMNS, REPORT_FIELDS, REPORT_KEEPS, Row
from tests.fakes import FakeOutbox, FakeUnitOfWork


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Tables:
    """What the registry's database holds, as plain dicts."""

    firms: dict[uuid.UUID, Row] = field(default_factory=dict)
    reports: dict[tuple[uuid.UUID, int], Row] = field(default_factory=dict)
    history: list[Row] = field(default_factory=list)
    rounds: dict[uuid.UUID, Row] = field(default_factory=dict)
    certificates: dict[uuid.UUID, Row] = field(default_factory=dict)
    audit: list[Row] = field(default_factory=list)
    imports: dict[uuid.UUID, Row] = field(default_factory=dict)


class FakeRepository:
    """Same methods as `registry.repository.Repository`, over `Tables`."""

    def __init__(self, tables: Tables, outbox: FakeOutbox):
        self.t, self.outbox = tables, outbox

    def _firm(self, row: Row) -> Row:
        return {k: row[k] for k in FIRM_COLUMNS}

    async def firm(self, firm_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        row = self.t.firms.get(firm_id)
        return None if row is None else self._firm(row)

    async def firm_by_uscc(self, uscc: str) -> Row | None:
        return next((self._firm(r) for r in self.t.firms.values() if r["uscc"] == uscc), None)

    async def insert_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        assert await self.firm_by_uscc(fields["uscc"]) is None, "uscc is UNIQUE"
        now = _now()
        self.t.firms[firm_id] = {"id": firm_id, **fields, "sequence": 0, "created_at": now,
                                 "updated_at": now, "row_no": len(self.t.firms) + 1}
        return self._firm(self.t.firms[firm_id])

    async def update_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        self.t.firms[firm_id].update(fields, updated_at=_now())
        return self._firm(self.t.firms[firm_id])

    async def set_sequence(self, firm_id: uuid.UUID, sequence: int) -> Row:
        return await self.update_firm(firm_id, {"sequence": sequence})

    async def list_firms(self, *, district: str | None, industry: str | None, q: str | None,
                         after_row: int, limit: int) -> list[Row]:
        rows = sorted(self.t.firms.values(), key=lambda r: r["row_no"])
        return [{"row_no": r["row_no"], **self._firm(r)} for r in rows
                if r["row_no"] > after_row and district in (None, r["district"])
                and industry in (None, r["industry"])
                and (q is None or q in r["name"] or q.upper() == r["uscc"])][:limit]

    async def report(self, firm_id: uuid.UUID, fiscal_year: int) -> Row | None:
        row = self.t.reports.get((firm_id, fiscal_year))
        return None if row is None else dict(row)

    async def reports(self, firm_id: uuid.UUID) -> list[Row]:
        return [dict(r) for k, r in sorted(self.t.reports.items()) if k[0] == firm_id]

    async def earliest_report_year(self, firm_id: uuid.UUID) -> int | None:
        return min((y for f, y in self.t.reports if f == firm_id), default=None)

    async def insert_report(self, firm_id: uuid.UUID, fiscal_year: int,
                            data: dict[str, Any]) -> Row:
        key = (firm_id, fiscal_year)
        assert key not in self.t.reports, "(firm_id, fiscal_year) is the primary key"
        now = _now()
        self.t.reports[key] = {"firm_id": firm_id, "fiscal_year": fiscal_year,
                               **{f: data[f] for f in REPORT_KEEPS}, "version": 1,
                               "filed_at": now, "updated_at": now}
        return dict(self.t.reports[key])

    async def replace_report(self, old: Row, data: dict[str, Any]) -> Row:
        self.t.history.append({
            "firm_id": old["firm_id"], "fiscal_year": old["fiscal_year"],
            "version": old["version"], "replaced_at": _now(),
            "data": {**{f: old[f] for f in REPORT_FIELDS}, "filed_on": old["filed_on"].isoformat()}})
        row = self.t.reports[(old["firm_id"], old["fiscal_year"])]
        row.update({f: data[f] for f in REPORT_KEEPS}, version=row["version"] + 1,
                   updated_at=_now())
        return dict(row)

    async def report_history(self, firm_id: uuid.UUID, fiscal_year: int) -> list[Row]:
        return [{k: h[k] for k in ("version", "data", "replaced_at")} for h in self.t.history
                if (h["firm_id"], h["fiscal_year"]) == (firm_id, fiscal_year)]

    async def same_funding_round(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        return next((dict(r) for r in self.t.rounds.values() if r["firm_id"] == firm_id
                     and all(r[k] == v for k, v in fields.items())), None)

    async def insert_funding_round(self, round_id: uuid.UUID, firm_id: uuid.UUID,
                                   fields: dict[str, Any]) -> Row:
        self.t.rounds[round_id] = {"id": round_id, "firm_id": firm_id, **fields,
                                   "recorded_at": _now()}
        return dict(self.t.rounds[round_id])

    async def funding_rounds(self, firm_id: uuid.UUID) -> list[Row]:
        return sorted((dict(r) for r in self.t.rounds.values() if r["firm_id"] == firm_id),
                      key=lambda r: (r["closed_on"], r["recorded_at"]))

    async def same_certificate(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        keys = ("kind", "issued_on", "number")
        return next((dict(r) for r in self.t.certificates.values() if r["firm_id"] == firm_id
                     and r["revoked_on"] is None and all(r[k] == fields[k] for k in keys)), None)

    async def insert_certificate(self, cert_id: uuid.UUID, firm_id: uuid.UUID,
                                 fields: dict[str, Any]) -> Row:
        self.t.certificates[cert_id] = {"id": cert_id, "firm_id": firm_id, **fields,
                                        "revoked_on": None, "revoke_reason": None,
                                        "granted_at": _now()}
        return dict(self.t.certificates[cert_id])

    async def certificate(self, firm_id: uuid.UUID, cert_id: uuid.UUID) -> Row | None:
        row = self.t.certificates.get(cert_id)
        return dict(row) if row is not None and row["firm_id"] == firm_id else None

    async def revoke_certificate(self, cert_id: uuid.UUID, revoked_on: date,
                                 reason: str | None) -> Row:
        self.t.certificates[cert_id].update(revoked_on=revoked_on, revoke_reason=reason)
        return dict(self.t.certificates[cert_id])

    async def certificates(self, firm_id: uuid.UUID) -> list[Row]:
        return sorted((dict(r) for r in self.t.certificates.values() if r["firm_id"] == firm_id),
                      key=lambda r: (r["issued_on"], r["granted_at"]))

    async def events(self, subject: str, after_sequence: int, limit: int) -> list[Row]:
        return [{"payload": e.model_dump_json(), "published_at": None}
                for e in self.outbox.events
                if e.subject == subject and e.sequence > after_sequence][:limit]

    async def audit(self, *, actor: str, action: str, subject: str, before: Any = None,
                    after: Any = None, correlation_id: str | None = None) -> None:
        self.t.audit.append({"actor": actor, "action": action, "subject": subject,
                             "before": before, "after": after, "correlation_id": correlation_id})

    async def create_import(self, import_id: uuid.UUID, kind: str, total: int,
                            actor: str) -> None:
        self.t.imports[import_id] = {"id": import_id, "kind": kind, "status": "running",
                                     "total_rows": total, "applied": 0, "unchanged": 0,
                                     "errors": [], "actor": actor, "created_at": _now(),
                                     "finished_at": None}

    async def finish_import(self, import_id: uuid.UUID, *, applied: int, unchanged: int,
                            errors: list[dict[str, Any]], status: str) -> None:
        self.t.imports[import_id].update(applied=applied, unchanged=unchanged, errors=errors,
                                         status=status, finished_at=_now())

    async def import_job(self, import_id: uuid.UUID) -> Row | None:
        row = self.t.imports.get(import_id)
        return None if row is None else dict(row)


class FakeRegistryUoW(FakeUnitOfWork):
    """The registry's unit of work in memory: a failed block leaves the tables and the outbox
    as they were, like a rolled-back transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = Tables()
        self.outbox = FakeOutbox("registry")
        self.repo = FakeRepository(self.tables, self.outbox)
        self.savepoints = 0

    def snapshot(self) -> Any:
        return copy.deepcopy((self.tables, self.outbox.events, self.outbox._last))

    def restore(self, state: Any) -> None:
        tables, events, last = state
        self.tables.__dict__.update(tables.__dict__)
        self.outbox.events[:], self.outbox._last = events, last

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested block: what fails inside it is undone alone."""
        saved = self.snapshot()
        self.savepoints += 1
        try:
            yield
        except BaseException:
            self.restore(saved)
            raise
