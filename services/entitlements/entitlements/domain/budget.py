"""The year's budget from the entitlements held: committed, owed, expected with a band, by
policy, district and month. Pure: the rows come in, the sums go out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from entitlements.domain.states import COMMITTED, OWED

COUNTED = COMMITTED | OWED | {"computed"}

METHOD = (
    "entitlements seen by this service only (the ladder's forecast and pipeline are not "
    "consumed): expected = committed (approved + paid) + owed (offered + confirmed) + computed "
    "(not yet offered); the band runs from committed + owed (low) to expected with every "
    "entitlement still missing a report figure at its cap (high). Declined, expired and "
    "cancelled entitlements count nowhere; a paid entitlement counts at the amount paid.")


@dataclass
class Sums:
    """One line of the budget, in yuan."""

    paid: int = 0
    approved: int = 0
    owed: int = 0
    computed: int = 0
    pending_figures: int = 0
    high_extra: int = 0
    count: int = 0
    uncapped: int = 0

    def add(self, row: dict[str, Any]) -> None:
        state, amount = row["state"], row["amount"]
        self.count += 1
        if state == "paid":
            self.paid += row["paid_amount"] if row["paid_amount"] is not None else amount
        elif state == "approved":
            self.approved += amount
        elif state in OWED:
            self.owed += amount
        else:
            self.computed += amount
        if not row["complete"] and state not in COMMITTED:
            self.pending_figures += 1
            if row["ceiling"] is None:
                self.uncapped += 1
            else:
                self.high_extra += max(0, row["ceiling"] - amount)

    def view(self) -> dict[str, int]:
        committed = self.paid + self.approved
        expected = committed + self.owed + self.computed
        return {"committed": committed, "paid": self.paid, "approved": self.approved,
                "owed": self.owed, "computed": self.computed, "expected": expected,
                "expected_low": committed + self.owed,
                "expected_high": expected + self.high_extra, "entitlements": self.count,
                "pending_figures": self.pending_figures, "uncapped": self.uncapped}


@dataclass
class Budget:
    """The year's totals and its three breakdowns."""

    year: int
    total: Sums = field(default_factory=Sums)
    by_policy: dict[str, Sums] = field(default_factory=dict)
    by_district: dict[str, Sums] = field(default_factory=dict)
    by_month: dict[str, Sums] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def budget(year: int, rows: Iterable[dict[str, Any]]) -> Budget:
    """Sum a year's entitlements (rows: state, amount, paid_amount, complete, ceiling,
    policy_id, policy_name, district, trigger_on)."""
    out = Budget(year=year)
    for row in rows:
        if row["state"] not in COUNTED:
            continue
        out.total.add(row)
        out.names[row["policy_id"]] = row["policy_name"]
        out.by_policy.setdefault(row["policy_id"], Sums()).add(row)
        out.by_district.setdefault(row["district"] or "unknown", Sums()).add(row)
        out.by_month.setdefault(row["trigger_on"].strftime("%Y-%m"), Sums()).add(row)
    return out
