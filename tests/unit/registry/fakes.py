"""The registry's repository in memory, behind the same methods as `registry.repository`."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from registry.repository import FIRM_COLUMNS, REPORT_KEEPS, EventBatch, Row, SequenceDrift
from registry.repository.reports import version_data
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
    profile_facts: list[Row] = field(default_factory=list)


class FakeRepository:
    """Same methods as `registry.repository.Repository`, over `Tables`."""

    def __init__(self, tables: Tables, outbox: FakeOutbox):
        self.t, self.outbox = tables, outbox
        self.locked: set[uuid.UUID] = set()  # firms locked in the open unit of work

    def _firm(self, row: Row) -> Row:
        return {k: row[k] for k in FIRM_COLUMNS}

    async def firm(self, firm_id: uuid.UUID) -> Row | None:
        row = self.t.firms.get(firm_id)
        return None if row is None else self._firm(row)

    async def firm_detail(self, firm_id: uuid.UUID) -> Row | None:
        firm = await self.firm(firm_id)
        return None if firm is None else {
            **firm, "reports": self._reports(firm_id),
            "funding_rounds": self._funding_rounds(firm_id), "certificates": self._certificates(firm_id)}

    async def firm_by_uscc(self, uscc: str) -> Row | None:
        return next((self._firm(r) for r in self.t.firms.values() if r["uscc"] == uscc), None)

    async def firms_by_uscc(self, usccs: list[str]) -> dict[str, Row]:
        return {r["uscc"]: self._firm(r) for r in self.t.firms.values() if r["uscc"] in usccs}

    async def lock_firms(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
        self.locked.update(firm_ids)
        return {i: self._firm(self.t.firms[i]) for i in sorted(firm_ids) if i in self.t.firms}

    async def insert_firms(self, firms: list[tuple[uuid.UUID, dict[str, Any]]]) -> list[Row]:
        inserted = []
        for firm_id, fields in firms:
            if await self.firm_by_uscc(fields["uscc"]) is not None:
                continue  # ON CONFLICT (uscc) DO NOTHING
            now = _now()
            self.t.firms[firm_id] = {"id": firm_id, **fields, "sequence": 0, "created_at": now,
                                     "updated_at": now, "row_no": len(self.t.firms) + 1}
            self.locked.add(firm_id)  # a row this transaction inserted is its own
            self._add_facts([{"id": uuid.uuid4(), "firm_id": firm_id, "field": k,
                              "value": v.isoformat() if isinstance(v, date) else v,
                              "valid_from": fields["founded_on"], "source": "registered",
                              "sequence": 1, "recorded_by": None, "corrects": None}
                             for k, v in fields.items() if k != "uscc"])
            inserted.append(self._firm(self.t.firms[firm_id]))
        return inserted

    def _add_facts(self, facts: list[Row]) -> list[Row]:
        out = []
        for f in facts:
            row = {**f, "n": len(self.t.profile_facts) + 1, "recorded_at": _now(),
                   "corrected_by": None, "corrected_at": None}
            self.t.profile_facts.append(row)
            out.append(dict(row))
        return out

    async def profile_facts(self, firm_id: uuid.UUID) -> list[Row]:
        return [dict(f) for f in self.t.profile_facts if f["firm_id"] == firm_id]

    async def insert_profile_facts(self, facts: list[Row]) -> list[Row]:
        return self._add_facts(facts)

    async def mark_corrected(self, fact_id: uuid.UUID, by: uuid.UUID) -> Row:
        row = next(f for f in self.t.profile_facts if f["id"] == fact_id)
        row.update(corrected_by=by, corrected_at=_now())
        return dict(row)

    async def update_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        self.t.firms[firm_id].update(fields, updated_at=_now())
        return self._firm(self.t.firms[firm_id])

    async def list_firms(self, *, district: str | None, industry: str | None, q: str | None,
                         after_row: int, limit: int) -> list[Row]:
        rows = sorted(self.t.firms.values(), key=lambda r: r["row_no"])
        return [{"row_no": r["row_no"], **self._firm(r)} for r in rows
                if r["row_no"] > after_row and district in (None, r["district"])
                and industry in (None, r["industry"])
                and (q is None or q in r["name"] or q.upper() == r["uscc"])][:limit]

    async def firm_and_report(self, firm_id: uuid.UUID,
                              fiscal_year: int) -> tuple[Row | None, Row | None]:
        firm = (await self.lock_firms([firm_id])).get(firm_id)
        return firm, (await self.report(firm_id, fiscal_year) if firm is not None else None)

    async def report(self, firm_id: uuid.UUID, fiscal_year: int) -> Row | None:
        row = self.t.reports.get((firm_id, fiscal_year))
        return None if row is None else dict(row)

    async def reports_of(self, keys: list[tuple[uuid.UUID, int]]
                         ) -> dict[tuple[uuid.UUID, int], Row]:
        return {k: dict(self.t.reports[k]) for k in keys if k in self.t.reports}

    def _reports(self, firm_id: uuid.UUID) -> list[Row]:
        return [dict(r) for k, r in sorted(self.t.reports.items()) if k[0] == firm_id]

    async def earliest_report_year(self, firm_id: uuid.UUID) -> int | None:
        return min((y for f, y in self.t.reports if f == firm_id), default=None)

    async def save_reports(self, reports: list[tuple[uuid.UUID, int, dict[str, Any], Row | None]]
                           ) -> dict[tuple[uuid.UUID, int], Row]:
        keys = [(f, y) for f, y, _, _ in reports]
        assert len(set(keys)) == len(keys), "ON CONFLICT cannot change a row twice"
        for firm_id, fiscal_year, data, old in reports:
            key, now = (firm_id, fiscal_year), _now()
            assert (old is None) == (key not in self.t.reports)
            if old is not None:
                self.t.history.append({"firm_id": firm_id, "fiscal_year": fiscal_year,
                                       "version": old["version"], "replaced_at": now,
                                       "data": version_data(old)})
                self.t.reports[key].update({f: data[f] for f in REPORT_KEEPS},
                                           version=old["version"] + 1, updated_at=now)
            else:
                self.t.reports[key] = {"firm_id": firm_id, "fiscal_year": fiscal_year,
                                       **{f: data[f] for f in REPORT_KEEPS}, "version": 1,
                                       "filed_at": now, "updated_at": now}
        return {k: dict(self.t.reports[k]) for k in keys}

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

    def _funding_rounds(self, firm_id: uuid.UUID) -> list[Row]:
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

    def _certificates(self, firm_id: uuid.UUID) -> list[Row]:
        return sorted((dict(r) for r in self.t.certificates.values() if r["firm_id"] == firm_id),
                      key=lambda r: (r["issued_on"], r["granted_at"]))

    async def events(self, subject: str, after_sequence: int, limit: int) -> list[Row]:
        return [{"payload": e.model_dump_json(), "published_at": None}
                for e in self.outbox.events
                if e.subject == subject and e.sequence > after_sequence][:limit]

    async def record(self, batch: EventBatch) -> dict[uuid.UUID, Row]:
        for firm_id, (before, last) in batch.sequences.items():
            assert firm_id in self.locked, "events only for a firm locked in this transaction"
            if self.t.firms[firm_id]["sequence"] != before:
                raise SequenceDrift(f"firm {firm_id}")
            await self.update_firm(firm_id, {"sequence": last})
        self.outbox.events += batch.events
        for event in batch.events:
            self.outbox._last[event.subject] = event.sequence
        self.t.audit += [{"actor": batch.actor, "action": action, "subject": subject,
                          "before": before, "after": after, "correlation_id": batch.correlation_id}
                         for action, subject, before, after in batch.audits]
        return {i: self._firm(self.t.firms[i]) for i in batch.sequences}

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
    """The registry's unit of work in memory: a failed block leaves the tables and the events
    as they were, like a rolled-back transaction. `outbox` only holds what `repo.record` wrote,
    for tests to read (`types()`)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = Tables()
        self.outbox = FakeOutbox("registry")
        self.repo = FakeRepository(self.tables, self.outbox)

    def snapshot(self) -> Any:
        self.repo.locked.clear()  # a new transaction holds no lock yet
        return copy.deepcopy((self.tables, self.outbox.events, self.outbox._last))

    def restore(self, state: Any) -> None:
        tables, events, last = state
        self.tables.__dict__.update(tables.__dict__)
        self.outbox.events[:], self.outbox._last = events, last
