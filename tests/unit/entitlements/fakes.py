"""An in-memory entitlements repository and unit of work, for the handler tests (no I/O)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from typing import Any

from tests.fakes import FakeOutbox, FakeUnitOfWork


class FakeRepository:
    """The statements the handlers use, over dicts."""

    def __init__(self) -> None:
        self.sets: dict[tuple[str, int], dict[str, Any]] = {}
        self.facts: dict[uuid.UUID, dict[str, Any]] = {}
        self.rows: dict[uuid.UUID, dict[str, Any]] = {}
        self.steps_: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []

    # policy sets
    async def active_body(self) -> dict[str, Any] | None:
        return next((s["body"] for s in self.sets.values() if s["status"] == "active"), None)

    async def policy_set(self, set_id: str, version: int) -> dict[str, Any] | None:
        return self.sets.get((set_id, version))

    async def add_set(self, set_id: str, version: int, body: dict[str, Any], by: str, *,
                      status: str = "draft") -> bool:
        if (set_id, version) in self.sets:
            return False
        self.sets[(set_id, version)] = {"id": set_id, "version": version, "status": status,
                                        "body": body, "uploaded_by": by}
        return True

    async def activate(self, set_id: str, version: int) -> None:
        for s in self.sets.values():
            if s["status"] == "active":
                s["status"] = "retired"
        self.sets[(set_id, version)]["status"] = "active"

    # facts and entitlements
    async def facts_for_update(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        return {f: self.facts[f] for f in firm_ids if f in self.facts}

    async def save_facts(self, firm_id: uuid.UUID, facts: dict[str, Any]) -> None:
        self.facts[firm_id] = copy.deepcopy(facts)

    async def all_firm_ids(self) -> list[uuid.UUID]:
        return sorted(self.facts)

    async def held(self, firm_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.values() if r["firm_id"] == firm_id]

    async def entitlement(self, entitlement_id: uuid.UUID, *,
                          lock: bool = False) -> dict[str, Any] | None:
        row = self.rows.get(entitlement_id)
        return dict(row) if row else None

    async def insert(self, values: dict[str, Any]) -> None:
        assert values["id"] not in self.rows, "one entitlement per (firm, policy, trigger)"
        now = datetime.now(UTC)
        self.rows[values["id"]] = {
            **copy.deepcopy(values), "state": "computed", "chosen_option": None,
            "paid_amount": None, "paid_on": None, "offered_on": None, "cancel_reason": None,
            "review": None, "reminded_at": None, "computed_at": now, "updated_at": now}

    async def update(self, entitlement_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.rows[entitlement_id].update(copy.deepcopy(values))

    async def add_step(self, entitlement_id: uuid.UUID, *, from_state: str | None,
                       to_state: str, on: date, by: str, amount: int,
                       option_id: str | None = None, note: str | None = None) -> None:
        self.steps_.append({"entitlement_id": entitlement_id, "from_state": from_state,
                            "to_state": to_state, "on_date": on, "by": by, "amount": amount,
                            "option_id": option_id, "note": note})

    async def overdue_offers(self, offered_before: date, limit: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.values() if r["state"] == "offered"
                and r["offered_on"] < offered_before and r["reminded_at"] is None][:limit]

    async def stale_offers(self, offered_before: date, limit: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.values() if r["state"] == "offered"
                and r["offered_on"] < offered_before][:limit]

    async def mark_reminded(self, entitlement_id: uuid.UUID) -> None:
        self.rows[entitlement_id]["reminded_at"] = datetime.now(UTC)

    async def audit(self, **entry: Any) -> None:
        self.audits.append(entry)


class FakeEntitlementsUnitOfWork(FakeUnitOfWork):
    """The fake repository and outbox in one (pretend) transaction."""

    def __init__(self, repo: FakeRepository | None = None,
                 outbox: FakeOutbox | None = None) -> None:
        super().__init__()
        self.repo = repo or FakeRepository()
        self.outbox = outbox or FakeOutbox("entitlements")

    def snapshot(self) -> Any:
        return copy.deepcopy((self.repo.__dict__, self.outbox.events))

    def restore(self, state: Any) -> None:
        self.repo.__dict__, self.outbox.events = state
