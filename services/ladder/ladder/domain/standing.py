"""Standing state machine: promotion, at-risk, revocation, renewal, demotion, override."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from ladder.domain.decision import GRADE_RANK, TIER_RANK
from ladder.domain.facts import add_years

# Only eaglet and gazelle are filings with a validity period (docs/rulebook.md "Validity").
# Unicorn and leader have no published validity: they are re-checked at every
# evaluation and follow the decision at once, up or down.
FILED_TIERS = frozenset({"eaglet", "gazelle"})
KINDS = ("promoted", "demoted", "at_risk", "renewed", "revoked", "unchanged", "recovered")


@dataclass(frozen=True, slots=True)
class Kept:
    """A valid eaglet/gazelle filing held underneath a unicorn or leader standing."""

    tier: str
    filed_on: date | None
    expires_on: date | None
    renewed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """A firm's ladder standing; expires_on is the first day the filing no longer holds."""

    tier: str = "none"
    unicorn_grade: str | None = None
    at_risk: bool = False
    filed_on: date | None = None
    expires_on: date | None = None
    renewed_on: date | None = None
    override: bool = False
    override_reason: str | None = None
    kept: Kept | None = None

    def is_expired(self, on: date) -> bool:
        """True when a filed tier's validity has run out on `on`."""
        return self.expires_on is not None and on >= self.expires_on


class Judgement(Protocol):
    """What the state machine reads of a day's evaluation: a `Decision` (with its trace) or a
    `rules.Verdict` (without)."""

    @property
    def tier(self) -> str: ...
    @property
    def unicorn_grade(self) -> str | None: ...
    @property
    def dishonest(self) -> bool: ...
    @property
    def listed(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Transition:
    """What one decision (or the daily sweep) did to a standing, and why."""

    kind: str
    new_standing: Standing
    reason: str
    previous: Standing
    decision: Judgement | None = None

    @property
    def changed(self) -> bool:
        """True when the standing differs from the previous one."""
        return self.new_standing != self.previous


def _enter(tier: str, grade: str | None, on: date, validity_years: int,
           kept: Kept | None = None) -> Standing:
    if tier == "none":
        return Standing()
    expires = add_years(on, validity_years) if tier in FILED_TIERS else None
    return Standing(tier, grade if tier == "unicorn" else None, False, on, expires,
                    kept=None if tier in FILED_TIERS else kept)


def _label(tier: str, grade: str | None) -> str:
    return f"unicorn ({grade})" if tier == "unicorn" and grade else tier


def _kept_of(previous: Standing, on: date) -> Kept | None:
    """The valid filing a move up to unicorn/leader keeps (docs/rulebook.md "Validity")."""
    if previous.tier in FILED_TIERS and not previous.is_expired(on):
        return Kept(previous.tier, previous.filed_on, previous.expires_on, previous.renewed_on)
    kept = previous.kept
    return kept if kept is not None and not (kept.expires_on and on >= kept.expires_on) else None


def _fall_back(previous: Standing, decision: Judgement, on: date,
               validity_years: int) -> tuple[Standing, str] | None:
    """Leaving unicorn/leader onto the valid filing kept underneath, if there is one."""
    kept = _kept_of(replace(previous, tier="none"), on)
    tier = decision.tier
    if kept is None or TIER_RANK[tier] > TIER_RANK[kept.tier]:
        return None
    at_risk = TIER_RANK[tier] < TIER_RANK[kept.tier]
    new = Standing(kept.tier, None, at_risk, kept.filed_on, kept.expires_on, kept.renewed_on)
    was = _label(previous.tier, previous.unicorn_grade)
    why = (f"no longer qualifies for {was}; falls back to its {kept.tier} filing, valid until "
           f"{kept.expires_on}" + (f", at risk (qualifies for {tier})" if at_risk else ""))
    return new, why


def apply_decision(previous: Standing, decision: Judgement, on: date,
                   validity_years: int = 3, *, evaluated: bool = True) -> Transition:
    """Apply a decision taken on `on` to a standing; `evaluated` is False when the firm had
    no recent annual report (it can then be neither promoted nor renewed)."""
    def done(kind: str, new: Standing, reason: str) -> Transition:
        return Transition(kind, new, reason, previous, decision)

    if decision.dishonest:
        if previous.tier == "none" and not previous.override:
            return done("unchanged", previous, "on the dishonesty list; no standing to revoke")
        under = " (also under a manual override)" if previous.override else ""
        return done("revoked", Standing(),
                    f"on the serious-dishonesty list: revoked at once{under}")
    if previous.override:
        return done("unchanged", previous, "manual override holds until cleared")
    if not evaluated:
        if previous.tier in FILED_TIERS and previous.is_expired(on):
            return done("demoted", Standing(), "filing expired and no recent annual report "
                        f"(FY{on.year - 1} or earlier within the allowed age): it drops")
        return done("unchanged", previous, "no recent annual report: not evaluated")
    tier, grade = decision.tier, decision.unicorn_grade
    now = _label(tier, grade)
    was = _label(previous.tier, previous.unicorn_grade)
    rank, prev_rank = TIER_RANK[tier], TIER_RANK[previous.tier]
    same_unicorn = tier == previous.tier == "unicorn"
    grade_up = same_unicorn and GRADE_RANK[grade] > GRADE_RANK[previous.unicorn_grade]
    if rank > prev_rank or grade_up:
        kept = _kept_of(previous, on)
        return done("promoted", _enter(tier, grade, on, validity_years, kept),
                    f"qualifies for {now}")
    if same_unicorn and grade != previous.unicorn_grade:
        return done("demoted", replace(previous, unicorn_grade=grade),
                    f"grade fell from {was} to {now}")
    if rank == prev_rank:
        if previous.tier in FILED_TIERS and previous.is_expired(on):
            # A renewal extends the same filing; it starts at the old expiry date.
            renewed = replace(previous, at_risk=False, renewed_on=previous.expires_on,
                              expires_on=add_years(previous.expires_on or on, validity_years))
            return done("renewed", renewed, f"still qualifies for {now} at expiry")
        if previous.at_risk:
            return done("recovered", replace(previous, at_risk=False),
                        f"qualifies again for {now}")
        return done("unchanged", previous, f"still qualifies for {now}")
    # The decision is below the current standing.
    if previous.tier in FILED_TIERS and not previous.is_expired(on):
        if previous.at_risk:
            return done("unchanged", previous, f"still at risk: qualifies only for {now}")
        return done("at_risk", replace(previous, at_risk=True),
                    f"no longer qualifies for {was} (qualifies for {now}); filing valid until "
                    f"{previous.expires_on}")
    if previous.tier in ("unicorn", "leader"):
        if tier in ("unicorn", "leader"):
            return done("demoted", _enter(tier, grade, on, validity_years, _kept_of(previous, on)),
                        f"no longer qualifies for {was}; drops to {now}")
        fallen = _fall_back(previous, decision, on, validity_years)
        if fallen is not None:
            return done("demoted", *fallen)
    if previous.tier == "unicorn" and decision.listed:
        why = f"listed (IPO): leaves the unicorn tier; qualifies for {now}"
    elif previous.tier in FILED_TIERS:
        why = f"filing expired and no longer qualifies for {was}; drops to {now}"
    else:
        why = f"no longer qualifies for {was}; drops to {now}"
    return done("demoted", _enter(tier, grade, on, validity_years), why)


def set_override(standing: Standing, tier: str, reason: str, on: date,
                 unicorn_grade: str | None = None, validity_years: int = 3) -> Standing:
    """An officer's manual standing; holds until clear_override."""
    if tier not in TIER_RANK:
        raise ValueError(f"unknown tier {tier!r}")
    # Confirming the current tier keeps its filing dates; another tier starts afresh.
    same = tier == standing.tier and unicorn_grade == standing.unicorn_grade
    base = standing if same else _enter(tier, unicorn_grade, on, validity_years)
    return replace(base, override=True, override_reason=reason)


def clear_override(standing: Standing) -> Standing:
    """Lift a manual override; the next decision applies normally."""
    return replace(standing, override=False, override_reason=None)
