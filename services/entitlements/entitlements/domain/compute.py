"""Entitlements as a pure function of (policy set, firm facts), each with its trace.

One entitlement per (firm, policy, trigger): its id is derived from that triple, so however
often facts are replayed the same entitlement comes out. Either/or options are all shown,
the better first; a policy's cap applies to every option.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from entitlements.domain.facts import FirmFacts
from entitlements.domain.policies import (
    FIGURE_LABELS,
    Banded,
    CertificateTrigger,
    FilingTrigger,
    Fixed,
    Option,
    Policy,
    PolicySet,
    Share,
)

_NAMESPACE = uuid.UUID("3f0e7d52-8a41-4c1b-9d6e-5b2a7c9e1f30")


class Out(BaseModel):
    """Computed values: immutable, JSON-able."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Trigger(Out):
    """The fact a policy pays on."""

    key: str
    kind: str
    on: date
    detail: str


class OptionAmount(Out):
    """What one option pays, and how it came to that."""

    option_id: str
    name: str
    amount: int
    rule: str
    figure: str | None = None
    figure_year: int | None = None
    figure_value: int | None = None
    band: str | None = None  # the band in English, for logs and old clients
    band_key: str | None = None  # the same in the catalogue's words (`band.*`) ...
    band_params: dict[str, Any] = {}  # ... and its parameters as codes and yuan
    capped_at: int | None = None
    missing: str | None = None
    ceiling: int | None = None
    note: str | None = None


class Computed(Out):
    """One entitlement as the facts and the policy set decide it."""

    entitlement_id: uuid.UUID
    firm_id: uuid.UUID
    firm_name: str
    district: str | None
    policy_id: str
    policy_name: str
    policy_set: str
    policy_version: int
    budget_line: str
    provisional: bool
    trigger: Trigger
    year: int
    options: list[OptionAmount]

    @property
    def amount(self) -> int:
        """What the best option pays."""
        return self.options[0].amount

    @property
    def ceiling(self) -> int | None:
        """The most it may come to once missing figures arrive (None: no cap says)."""
        if self.complete:
            return self.amount
        tops = [o.amount if o.missing is None else o.ceiling for o in self.options]
        return None if None in tops else max(t for t in tops if t is not None)

    @property
    def complete(self) -> bool:
        """Every figure the amounts read was there."""
        return all(o.missing is None for o in self.options)


def entitlement_id(firm_id: uuid.UUID | str, policy_id: str, trigger_key: str) -> uuid.UUID:
    """The one id of (firm, policy, trigger)."""
    return uuid.uuid5(_NAMESPACE, f"{firm_id}|{policy_id}|{trigger_key}")


def triggers(policy: Policy, facts: FirmFacts) -> list[Trigger]:
    """The facts that trigger a policy, revoked ones left out, in date order."""
    rule = policy.trigger
    found: list[Trigger] = []
    if isinstance(rule, FilingTrigger):
        filings = [(fid, f) for fid, f in facts.filings.items()
                   if f.tier in rule.tiers and f.listed_on is not None]
        for fid, f in filings:
            assert f.listed_on is not None and f.tier is not None
            earlier = [g for gid, g in filings if g.tier == f.tier and g.listed_on is not None
                       and (g.listed_on, gid) < (f.listed_on, fid)]
            if f.revoked_on is None and not (rule.first_only and earlier):
                found.append(Trigger(key=f"filing:{fid}", kind="filing_recorded",
                                     on=f.listed_on, detail=f"{f.tier}: {f.list_name or ''}"))
    elif isinstance(rule, CertificateTrigger):
        certs = sorted(((c.issued_on, cid, c) for cid, c in facts.certificates.items()
                        if c.kind == rule.certificate and c.issued_on is not None),
                       key=lambda t: (t[0], t[1]))
        for i, (issued_on, cid, c) in enumerate(certs):
            occasion = "first" if i == 0 else "again"
            if c.revoked_on is None and rule.occasion in (occasion, "any"):
                found.append(Trigger(key=f"certificate:{cid}", kind="certificate_granted",
                                     on=issued_on, detail=f"{rule.certificate} ({occasion})"))
    return sorted(found, key=lambda t: (t.on, t.key))


def option_amount(option: Option, policy: Policy, facts: FirmFacts, year: int) -> OptionAmount:
    """What one option pays for a trigger in `year`, capped by the option and the policy."""
    rule = option.rule
    base = {"option_id": option.id, "name": option.name, "note": option.note}
    if isinstance(rule, Fixed):
        return _capped(OptionAmount(**base, amount=rule.amount, rule="fixed"), None, policy.cap)
    fy = year + rule.year_offset
    report = facts.report(fy)
    value = report.figures.get(rule.figure) if report else None
    where = {**base, "rule": rule.kind, "figure": rule.figure, "figure_year": fy,
             "figure_value": value}
    if value is None:
        caps = [c for c in (rule.cap, policy.cap) if c is not None]
        return OptionAmount(**where, amount=0, ceiling=min(caps) if caps else None,
                            missing=f"FY{fy} {FIGURE_LABELS[rule.figure]} not reported")
    if isinstance(rule, Share):
        return _capped(OptionAmount(**where, amount=_share(rule.rate, value),
                                    band=f"{rule.rate:%} of {rule.figure}",
                                    band_key="band.share",
                                    band_params={"figure": rule.figure,
                                                 "rate": float(rule.rate)}),
                       rule.cap, policy.cap)
    assert isinstance(rule, Banded)
    for band in rule.bands:
        if (band.over is None or value > band.over) and (band.up_to is None
                                                          or value <= band.up_to):
            amount = band.amount if band.amount is not None else _share(band.rate or Decimal(0),
                                                                         value)
            label = (f"({'-' if band.over is None else band.over}, "
                     f"{'+' if band.up_to is None else band.up_to}]")
            return _capped(OptionAmount(**where, amount=amount, band=label,
                                        **band_words(rule.figure, band.over, band.up_to)),
                           rule.cap, policy.cap)
    return OptionAmount(**where, amount=0, band="no band", band_key="band.none",
                        band_params={"figure": rule.figure})


def band_words(figure: str, over: int | None, up_to: int | None) -> dict[str, Any]:
    """The catalogue key and parameters of a band of `figure`: over and/or up to an amount."""
    key = ("band.range" if over is not None and up_to is not None else
           "band.over" if over is not None else "band.up_to" if up_to is not None else
           "band.any")
    params: dict[str, Any] = {"figure": figure}
    params.update({k: v for k, v in (("over", over), ("up_to", up_to)) if v is not None})
    return {"band_key": key, "band_params": params}


def compute(policies: PolicySet, facts: FirmFacts) -> list[Computed]:
    """Every entitlement the firm's facts give under the policy set, each with its trace."""
    out: list[Computed] = []
    district = facts.profile.district if facts.profile else None
    for policy in policies.policies:
        if policy.scope.level == "district" and policy.scope.district != district:
            continue
        for trig in triggers(policy, facts):
            if not policy.valid_from <= trig.on <= policy.valid_to:
                continue
            options = [option_amount(o, policy, facts, trig.on.year) for o in policy.options]
            order = {o.id: i for i, o in enumerate(policy.options)}
            options.sort(key=lambda o: (-o.amount, order[o.option_id]))
            out.append(Computed(
                entitlement_id=entitlement_id(facts.firm_id, policy.id, trig.key),
                firm_id=uuid.UUID(facts.firm_id),
                firm_name=facts.profile.name if facts.profile else "",
                district=district, policy_id=policy.id, policy_name=policy.name,
                policy_set=policies.id, policy_version=policies.version,
                budget_line=policy.budget_line,
                provisional=policy.provisional or policies.provisional, trigger=trig,
                year=trig.on.year, options=options))
    return out


def _share(rate: Decimal, value: int) -> int:
    return int((rate * value).to_integral_value(rounding=ROUND_FLOOR))


def _capped(amount: OptionAmount, *caps: int | None) -> OptionAmount:
    limits = [c for c in caps if c is not None]
    if limits and amount.amount > min(limits):
        return amount.model_copy(update={"amount": min(limits), "capped_at": min(limits)})
    return amount
