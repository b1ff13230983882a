"""The entitlements service's API: policy sets, entitlements and their steps, payments, budget."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, get_args

from entitlements.schemas import (
    Activated,
    BudgetOut,
    EntitlementDetail,
    EntitlementOut,
    MoveIn,
    PaymentsImported,
    PolicySetIn,
    PolicySetOut,
    PolicySets,
    PolicySetSummary,
    SimulationIn,
    SimulationOut,
)
from shared.codes import FiledTier
from shared.paging import Page
from tracker.client.base import Operation, ServiceClient
from tracker.client.paging import Pages

ENTITLEMENT = "/v1/entitlements/{entitlement_id}"
POLICIES = Operation("GET", "/v1/policies", PolicySetOut)
POLICY_SETS = Operation("GET", "/v1/policy-sets", PolicySets)
UPLOAD_SET = Operation("POST", "/v1/policy-sets", PolicySetSummary)
ACTIVATE_SET = Operation("POST", "/v1/policy-sets/{set_id}/{version}/activate", Activated)
ENTITLEMENTS = Operation("GET", "/v1/entitlements", Page[EntitlementOut])
GET_ENTITLEMENT = Operation("GET", ENTITLEMENT, EntitlementDetail)
MOVE = Operation("POST", ENTITLEMENT + "/steps", EntitlementDetail)
IMPORT_PAYMENTS = Operation("POST", "/v1/imports/payments", PaymentsImported)
BUDGET = Operation("GET", "/v1/budget/{year}", BudgetOut)
SIMULATE = Operation("POST", "/v1/simulations", SimulationOut)
FILED_TIERS = frozenset(get_args(FiledTier))


class Entitlements(ServiceClient):
    """The entitlements service: what firms are owed under the policies, and the budget."""

    async def policies(self) -> PolicySetOut:
        """GET the active policy set, with each policy's source."""
        return await self._call(POLICIES)

    async def policy_sets(self) -> PolicySets:
        """GET every policy set held."""
        return await self._call(POLICY_SETS)

    async def upload_policy_set(self, draft: PolicySetIn) -> PolicySetSummary:
        """POST a draft policy set (admin)."""
        return await self._call(UPLOAD_SET, json=draft.model_dump(mode="json"))

    async def activate_policy_set(self, set_id: str, version: int) -> Activated:
        """POST .../activate: the set becomes active; entitlements are recomputed (admin)."""
        return await self._call(ACTIVATE_SET, {"set_id": set_id, "version": version})

    def entitlements(self, *, year: int | None = None, state: str | None = None,
                     district: str | None = None, policy_id: str | None = None,
                     firm_id: uuid.UUID | str | None = None,
                     limit: int | None = None) -> Pages[EntitlementOut]:
        """GET /v1/entitlements, filtered, page by page."""
        return self._pages(ENTITLEMENTS, year=year, state=state, district=district,
                           policy_id=policy_id, firm_id=firm_id, limit=limit)

    async def entitlement(self, entitlement_id: uuid.UUID | str) -> EntitlementDetail:
        """GET one entitlement with its trace and steps."""
        return await self._call(GET_ENTITLEMENT, {"entitlement_id": entitlement_id})

    async def move(self, entitlement_id: uuid.UUID | str, step: MoveIn) -> EntitlementDetail:
        """POST .../steps: offer, confirm, decline, approve, pay, expire or cancel."""
        return await self._call(MOVE, {"entitlement_id": entitlement_id}, body=step)

    async def import_payments(self, data: bytes, filename: str = "payments.xlsx"
                              ) -> PaymentsImported:
        """POST finance's payment list (xlsx or CSV), applied whole or not at all (admin)."""
        return await self._call(IMPORT_PAYMENTS, files={"file": (filename, data,
                                                                  "application/octet-stream")})

    async def budget(self, year: int) -> BudgetOut:
        """GET the year's budget."""
        return await self._call(BUDGET, {"year": year})

    async def simulate(self, simulation: SimulationIn) -> SimulationOut:
        """POST /v1/simulations: the budget effect of a draft policy set and/or a draft
        rulebook's change in qualifying firms per tier (nothing written)."""
        absent = {k for k in ("policies", "qualified_changes") if getattr(simulation, k) is None}
        return await self._call(SIMULATE, json=simulation.model_dump(mode="json",
                                                                     exclude=absent))

    async def budget_effect(self, year: int, effect_on_tiers: dict[str, Any]
                            ) -> SimulationOut:
        """The budget effect of the ladder's what-if: its `effect_on_tiers` (each tier's
        `delta`, as models or dicts) priced for `year`."""
        changes = {tier: e["delta"] if isinstance(e, Mapping) else e.delta
                   for tier, e in effect_on_tiers.items() if tier in FILED_TIERS}
        return await self.simulate(SimulationIn.model_validate(
            {"year": year, "qualified_changes": changes}))


__all__ = ["Entitlements"]
