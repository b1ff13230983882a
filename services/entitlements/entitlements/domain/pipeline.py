"""The round's pipeline in money: applications not yet decided, each weighed by how far it
got, times what its filing would pay. It feeds the budget's expected spend; it is never an
entitlement (only a filing is).

The chances by step are assumptions (no published conversion rates were found): submitted
0.5, district check passed 0.7, recommended by the city 0.9. An application that failed its
district check, was not filed, was withdrawn or was filed (its filing pays instead) weighs 0.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from entitlements.domain.compute import option_amount
from entitlements.domain.facts import FirmFacts
from entitlements.domain.policies import FilingTrigger, PolicySet

CHANCE = {"submitted": 0.5, "district_checked": 0.7, "recommended": 0.9}
LISTING = (12, 20)  # lists come out in December (Dalian's 2021 list: 2021-12-20)


class Prospect(BaseModel):
    """What one open application would be owed if filed, and its chance."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    policy_id: str
    policy_name: str
    district: str | None
    year: int
    listed_on: date
    amount: int
    ceiling: int | None
    chance: float


def prospects(policies: PolicySet, facts: FirmFacts) -> list[Prospect]:
    """The firm's open applications as money under the filing policies."""
    out: list[Prospect] = []
    district = facts.profile.district if facts.profile else None
    for app_id, app in sorted(facts.applications.items()):
        chance = CHANCE.get(app.step, 0.0) if app.passed is not False else 0.0
        if chance == 0.0:
            continue
        listed_on = date(app.round_year, *LISTING)
        for policy in policies.policies:
            rule = policy.trigger
            if not isinstance(rule, FilingTrigger) or app.tier not in rule.tiers:
                continue
            if policy.scope.level == "district" and policy.scope.district != district:
                continue
            if not policy.valid_from <= listed_on <= policy.valid_to:
                continue
            filed = [f for f in facts.filings.values() if f.tier == app.tier
                     and f.listed_on is not None
                     and (rule.first_only or f.listed_on.year == app.round_year)]
            if filed:  # already filed in the tier: the filing's entitlement counts instead
                continue
            options = [option_amount(o, policy, facts, app.round_year) for o in policy.options]
            best = max(options, key=lambda o: o.amount)
            tops = [o.amount if o.missing is None else o.ceiling for o in options]
            out.append(Prospect(
                application_id=app_id, policy_id=policy.id, policy_name=policy.name,
                district=district, year=app.round_year, listed_on=listed_on,
                amount=best.amount, chance=chance,
                ceiling=None if None in tops else max(t for t in tops if t is not None)))
    return out
