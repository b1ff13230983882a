"""The year's budget from the entitlements held: committed, owed, expected with a band, by
policy, district and month. Pure: the rows come in, the sums go out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from entitlements.domain.pipeline import Prospect
from entitlements.domain.states import COMMITTED, OWED

COUNTED = COMMITTED | OWED | {"computed"}

METHOD = (
    "from what this service sees (the ladder's target forecast is not consumed): expected = "
    "committed (approved + paid) + owed (offered + confirmed) + computed (not yet offered) + "
    "pipeline (each open application of the round times what its filing would pay times its "
    "chance: submitted 0.5, district check passed 0.7, recommended 0.9; assumed, no published "
    "rates); the band runs from committed + owed (low) to expected with every entitlement "
    "still missing a report figure at its cap and every open application filed (high). "
    "Declined, expired and cancelled entitlements count nowhere; a paid one counts at the "
    "amount paid.")


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
    pipeline: int = 0
    prospects: int = 0

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

    def add_prospect(self, p: Prospect) -> None:
        weighed = round(p.amount * p.chance)
        self.pipeline += weighed
        self.prospects += 1
        if p.ceiling is None:
            self.uncapped += 1
        self.high_extra += max(0, (p.ceiling if p.ceiling is not None else p.amount) - weighed)

    def view(self) -> dict[str, int]:
        committed = self.paid + self.approved
        expected = committed + self.owed + self.computed + self.pipeline
        return {"committed": committed, "paid": self.paid, "approved": self.approved,
                "owed": self.owed, "computed": self.computed, "expected": expected,
                "expected_low": committed + self.owed,
                "expected_high": expected + self.high_extra, "entitlements": self.count,
                "pending_figures": self.pending_figures, "uncapped": self.uncapped,
                "pipeline": self.pipeline, "prospects": self.prospects}


@dataclass
class Budget:
    """The year's totals and its three breakdowns."""

    year: int
    total: Sums = field(default_factory=Sums)
    by_policy: dict[str, Sums] = field(default_factory=dict)
    by_district: dict[str, Sums] = field(default_factory=dict)
    by_month: dict[str, Sums] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def budget(year: int, rows: Iterable[dict[str, Any]],
           prospects: Iterable[Prospect] = ()) -> Budget:
    """Sum a year's entitlements (rows: state, amount, paid_amount, complete, ceiling,
    policy_id, policy_name, district, trigger_on) and the round's open applications."""
    out = Budget(year=year)
    for p in prospects:
        if p.year != year:
            continue
        out.total.add_prospect(p)
        out.names[p.policy_id] = p.policy_name
        out.by_policy.setdefault(p.policy_id, Sums()).add_prospect(p)
        out.by_district.setdefault(p.district or "unknown", Sums()).add_prospect(p)
        out.by_month.setdefault(p.listed_on.strftime("%Y-%m"), Sums()).add_prospect(p)
    for row in rows:
        if row["state"] not in COUNTED:
            continue
        out.total.add(row)
        out.names[row["policy_id"]] = row["policy_name"]
        out.by_policy.setdefault(row["policy_id"], Sums()).add(row)
        out.by_district.setdefault(row["district"] or "unknown", Sums()).add(row)
        out.by_month.setdefault(row["trigger_on"].strftime("%Y-%m"), Sums()).add(row)
    return out
