"""The budget effect of a draft rulebook, priced from the ladder's what-if: a change in how many
firms qualify for a tier, times the share of qualifying firms that get filed, times what a
filing of that tier pays per firm. Pure: counts, rates and amounts come in, yuan go out.

No firm is named: the ladder says how many more or fewer firms a draft rulebook lets qualify;
this service knows what a filing pays. The province decides who is filed, so the filing rate
is an estimate: the earlier rounds' rate (filed / decided applications) where this service
has seen decided applications of the tier, else `DEFAULT_FILING_RATE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from entitlements.domain.facts import FirmFacts
from entitlements.domain.pipeline import CHANCE
from entitlements.domain.policies import FilingTrigger, Fixed, Policy, PolicySet
from shared.codes import FiledTier

RateBasis = Literal["earlier_rounds", "default"]
AmountBasis = Literal["fixed", "mean", "cap", "unpriced"]

# The pipeline's chance for a submitted application (an assumption, no published rates).
DEFAULT_FILING_RATE = CHANCE["submitted"]
DECIDED_AGAINST = frozenset({"not_filed", "withdrawn"})

METHOD = (
    "a draft rulebook's budget effect, from the ladder's what-if (`qualified_changes`: per "
    "tier, the change in firms qualifying): per city-wide filing policy of the tier, "
    "Δ firms × filing rate × expected amount per firm, rounded to the yuan. Filing rate: "
    "the earlier rounds' (applications of the tier in rounds before the year that were "
    "filed, over those decided: filed, not filed, withdrawn or failed their district check) "
    f"where this service has seen any, else {DEFAULT_FILING_RATE} (the pipeline's assumed "
    "chance of a submitted application). Expected amount per firm: the best option, within "
    "the policy's cap; a fixed option pays its amount; a share or banded option the mean of "
    "the year's computed amounts of the policy, else its cap (without a cap it is not "
    "priced). District policies are not priced (the ladder's change is city-wide). The "
    "change is added to the draft side's `pipeline` and `expected` and its band's high end.")


@dataclass(frozen=True)
class FilingRate:
    """The share of a tier's qualifying firms expected to be filed, and where it comes from."""

    rate: float
    basis: RateBasis
    filed: int = 0
    decided: int = 0


@dataclass(frozen=True)
class PerFirm:
    """What one more filing of a tier costs under a policy, and how it was reckoned."""

    amount: int | None
    basis: AmountBasis


@dataclass(frozen=True)
class SpendChange:
    """One policy's expected spend change from one tier's change in qualifying firms."""

    tier: FiledTier
    policy_id: str
    policy_name: str
    firms: int
    filing_rate: FilingRate
    per_firm: PerFirm
    delta: int


def filing_rates(facts: Iterable[FirmFacts], year: int) -> dict[str, FilingRate]:
    """Per tier, the earlier rounds' filing rate among decided applications."""
    filed: dict[str, int] = {}
    decided: dict[str, int] = {}
    for firm in facts:
        for app in firm.applications.values():
            if app.round_year >= year:
                continue
            if app.step == "filed":
                filed[app.tier] = filed.get(app.tier, 0) + 1
            elif app.step not in DECIDED_AGAINST and app.passed is not False:
                continue  # still open
            decided[app.tier] = decided.get(app.tier, 0) + 1
    return {tier: FilingRate(rate=filed.get(tier, 0) / n, basis="earlier_rounds",
                             filed=filed.get(tier, 0), decided=n)
            for tier, n in decided.items() if n > 0}


def per_firm(policy: Policy, computed_amounts: list[int]) -> PerFirm:
    """The best option's expected amount for one newly filed firm, within the policy's cap."""
    mean = round(sum(computed_amounts) / len(computed_amounts)) if computed_amounts else None
    best: tuple[int, AmountBasis] | None = None
    for option in policy.options:
        rule = option.rule
        if isinstance(rule, Fixed):
            guess: tuple[int, AmountBasis] | None = (rule.amount, "fixed")
        elif mean is not None:
            guess = (mean, "mean")
        else:
            caps = [c for c in (rule.cap, policy.cap) if c is not None]
            guess = (min(caps), "cap") if caps else None
        if guess is not None and (best is None or guess[0] > best[0]):
            best = guess
    if best is None:
        return PerFirm(amount=None, basis="unpriced")
    amount, basis = best
    if policy.cap is not None and amount > policy.cap:
        amount = policy.cap
    return PerFirm(amount=amount, basis=basis)


def priced_policies(policies: PolicySet, tier: str, year: int) -> list[Policy]:
    """The city-wide policies a new filing of `tier` in `year` triggers."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return [p for p in policies.policies
            if isinstance(p.trigger, FilingTrigger) and tier in p.trigger.tiers
            and p.scope.level == "city" and p.valid_from <= last and p.valid_to >= first]


def spend_changes(policies: PolicySet, changes: Mapping[FiledTier, int], year: int, *,
                  rates: Mapping[str, FilingRate],
                  amounts: Mapping[str, list[int]]) -> list[SpendChange]:
    """Each (tier, policy)'s expected spend change (tiers that do not change are left out);
    `amounts`: the year's computed amounts per policy id."""
    out: list[SpendChange] = []
    for tier, firms in sorted(changes.items()):
        if firms == 0:
            continue
        rate = rates.get(tier, FilingRate(rate=DEFAULT_FILING_RATE, basis="default"))
        for policy in priced_policies(policies, tier, year):
            each = per_firm(policy, amounts.get(policy.id, []))
            delta = 0 if each.amount is None else round(firms * rate.rate * each.amount)
            out.append(SpendChange(tier=tier, policy_id=policy.id, policy_name=policy.name,
                                   firms=firms, filing_rate=rate, per_firm=each, delta=delta))
    return out
