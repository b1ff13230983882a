"""Recompute a firm's timeline, store the difference, publish new decisions and corrections.

The stored timeline is the fold of the firm's facts up to today: the common prefix stays,
every stored decision after it is superseded, and each new one is published (as a
correction naming the decision it replaces, when there is one). Replays, reordered events
and restarts fold the same facts and so store the same timeline and publish nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.candidates import Candidate, judged, near_miss_tier
from ladder.domain.cohorts import first_entries
from ladder.domain.dated import DatedFacts
from ladder.domain.decision import TIER_RANK, Decision
from ladder.domain.entries import certificate_entries
from ladder.domain.explain import failing_of, next_tier
from ladder.domain.rulebook import Rulebook
from ladder.domain.standing import Standing
from ladder.domain.tier_moves import Moves, contribution, difference
from ladder.domain.timeline import Step, Timeline, fold
from ladder.handlers.targets import publish_progress
from ladder.repository import Entry, UnitOfWork
from shared.events import (
    Draft,
    EventEnvelope,
    FirmRef,
    NearMissDetected,
    NearMissDetectedData,
    StandingChange,
    StandingChangeData,
    TierAtRisk,
    TierDemoted,
    TierOverridden,
    TierOverriddenData,
    TierPromoted,
    TierRecovered,
    TierRenewed,
    TierRevoked,
)

# the event that publishes each kind of standing change (overrides: TierOverridden)
EVENT_FOR: dict[str, type[EventEnvelope[StandingChangeData]]] = {
    "promoted": TierPromoted, "demoted": TierDemoted, "revoked": TierRevoked,
    "at_risk": TierAtRisk, "recovered": TierRecovered, "renewed": TierRenewed}
Row = asyncpg.Record | Mapping[str, Any]  # a fake repository gives plain mappings


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a recomputation stored."""

    firm_id: uuid.UUID
    changes: tuple[str, ...]  # the new decisions' changes, in order
    corrections: int  # stored decisions superseded or withdrawn
    tier: str
    decision_id: uuid.UUID | None


def firm_ref(row: Row) -> FirmRef:
    """The firm as events name it."""
    return FirmRef(id=row["firm_id"], name=row["name"], district=row["district"],
                   industry=row["industry"])


def _signature(row: Row) -> tuple[object, ...]:
    return (row["on_date"], row["change"], row["from_tier"], row["to_tier"],
            row["unicorn_grade"], row["at_risk"], row["filed_on"], row["expires_on"],
            row["override"])


def _direction(before: str, after: str) -> str:
    up, down = TIER_RANK[after] > TIER_RANK[before], TIER_RANK[after] < TIER_RANK[before]
    return "up" if up else "down" if down else "same"


@dataclass(frozen=True, slots=True)
class Trigger:
    """The registry event a recomputation answers, and the correlation id its events carry."""

    event_id: uuid.UUID | None = None
    correlation_id: str | None = None


async def recompute(
    uow: UnitOfWork, firm_id: uuid.UUID, *, rulebook: Rulebook, today: date,
    trigger_event_id: uuid.UUID | None = None, correlation_id: str | None = None,
) -> Outcome:
    """Fold the firm's facts up to `today` and store what changed in its timeline (inside the
    caller's unit of work)."""
    done = await recompute_many(uow, {firm_id: Trigger(trigger_event_id, correlation_id)},
                                rulebook=rulebook, today=today)
    return done[firm_id]


async def recompute_many(uow: UnitOfWork, firms: dict[uuid.UUID, Trigger], *, rulebook: Rulebook,
                         today: date) -> dict[uuid.UUID, Outcome]:
    """Recompute many firms' timelines at once: one read of their facts and of their stored
    timelines, the fold in memory per firm, then one write per table."""
    ids = list(firms)
    states = await uow.repo.dated_states(ids)
    missing = [f for f in ids if f not in states]
    assert not missing, f"no firm {missing} in the projection"
    stored = await uow.repo.timelines(ids)
    plans = {f: _plan(rulebook, *states[f], stored[f], today, firms[f]) for f in ids}
    await uow.repo.supersede([p for plan in plans.values() for p in plan.superseded])
    await uow.repo.insert_decisions([d for plan in plans.values() for d in plan.decisions])
    await uow.outbox.add_all([e for plan in plans.values() for e in plan.events])
    before = await uow.repo.replace_entries({f: plan.entries for f, plan in plans.items()})
    await _recount(uow, plans, before, today)
    await uow.repo.move_tier_counts(_moves(plans, stored))
    await uow.repo.save_standings({f: plan.standing for f, plan in plans.items()})
    await uow.repo.save_candidates({f: plan.candidates for f, plan in plans.items()}, today)
    await uow.outbox.add_all([e for plan in plans.values() for e in plan.after])
    outcomes = {}
    for f, plan in plans.items():
        assert plan.outcome is not None
        outcomes[f] = plan.outcome
    return outcomes


@dataclass
class _Plan:
    """What one firm's recomputation writes, worked out before anything is written."""

    row: Row
    superseded: list[tuple[uuid.UUID, uuid.UUID | None]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    events: list[Draft[Any]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    standing: dict[str, Any] = field(default_factory=dict)
    after: list[Draft[Any]] = field(default_factory=list)  # published after the counts
    candidates: list[Candidate] = field(default_factory=list)  # judged on `today`
    moves: Moves = field(default_factory=dict)  # the firm's tier counts, from the new timeline
    correlation_id: str | None = None
    outcome: Outcome | None = None


def _plan(rulebook: Rulebook, facts: DatedFacts, row: Row, stored: Sequence[Row], today: date,
          trigger: Trigger) -> _Plan:
    """The fold of the firm's facts up to `today` against its stored timeline: the common
    prefix stays, the rest is superseded by the new decisions (pure)."""
    timeline = fold(rulebook, facts, today)
    k = 0
    while (k < len(stored) and k < len(timeline.steps)
           and _signature(stored[k]) == timeline.steps[k].signature()):
        k += 1
    old, new = stored[k:], timeline.steps[k:]
    ids = [r["id"] for r in stored[:k]] + [uuid.uuid4() for _ in new]
    born = facts.firm.founded_on <= today  # a firm founded later is no candidate yet
    plan = _Plan(row, correlation_id=trigger.correlation_id,
                 candidates=judged(timeline.last) if born else [])
    plan.superseded = [(r["id"], ids[k + j] if j < len(new) else None)
                       for j, r in enumerate(old)]
    publish = _Publisher(plan, rulebook, trigger.event_id)
    for j, step in enumerate(new):
        publish.step(step, ids[k + j], k + j, old[j]["id"] if j < len(old) else None)
    for gone in old[len(new):]:
        publish.withdrawn(gone, timeline.standing_on(gone["on_date"]))
    plan.entries = [(s.on.year, s.counts_toward, s.on, ids[i], s.change == "override")
                    for i, s in enumerate(timeline.steps) if s.counts_toward]
    plan.entries += [(day.year, key, day, None, False)
                     for key, day in certificate_entries(facts.firm.certificates) if day <= today]
    _standing_of(plan, timeline, ids[-1] if ids else None, rulebook)
    plan.moves = contribution(row["district"], row["industry"],
                              [(s.on, s.standing.tier, s.standing.unicorn_grade, s.standing.at_risk)
                               for s in timeline.steps])
    plan.outcome = Outcome(row["firm_id"], tuple(s.change for s in new), len(old),
                           timeline.standing.tier, ids[-1] if ids else None)
    return plan


def _failing(decision: Decision, target: str) -> list[dict[str, Any]]:
    return failing_of(next_tier(decision, target))


class _Publisher:
    """Writes decisions and their events for one firm's recomputation."""

    def __init__(self, plan: _Plan, rulebook: Rulebook, trigger: uuid.UUID | None) -> None:
        self.plan, self.row, self.rulebook, self.trigger = plan, plan.row, rulebook, trigger

    def _emit(self, change: str, **data: Any) -> None:
        """The change's event: TierOverridden for an override (set or cleared), else the
        change's own; the firm, rulebook and trigger from the recomputation."""
        common = {"firm": firm_ref(self.row), "rulebook_id": self.rulebook.id,
                  "trigger_event_id": self.trigger,
                  "registry_sequence": self.row["last_sequence"], "change": change}
        subject, cid = str(self.row["firm_id"]), self.plan.correlation_id
        if change in ("override", "override_cleared"):
            self.plan.events.append(Draft(TierOverridden, subject,
                                          TierOverriddenData(**common, **data), cid))
        else:
            self.plan.events.append(Draft(EVENT_FOR[change], subject,
                                          StandingChangeData(**common, **data), cid))

    def step(self, step: Step, decision_id: uuid.UUID, position: int,
                   supersedes: uuid.UUID | None) -> None:
        s, d = step.standing, step.decision
        trace = d.to_dict() if d is not None else None
        self.plan.decisions.append({
            "id": decision_id, "firm_id": self.row["firm_id"], "change": step.change,
            "from_tier": step.from_tier, "to_tier": s.tier, "unicorn_grade": s.unicorn_grade,
            "at_risk": s.at_risk, "fiscal_year": step.fiscal_year, "round_year": step.round_year,
            "rulebook_id": self.rulebook.id, "reason": step.reason,
            "actor": step.by or "ladder", "trigger_event_id": self.trigger, "on_date": step.on,
            "position": position, "filed_on": s.filed_on, "expires_on": s.expires_on,
            "override": s.override, "counts_toward": step.counts_toward,
            "supersedes": supersedes, "inputs": trace["inputs"] if trace else None,
            "trace": {k: v for k, v in trace.items() if k != "inputs"} if trace else None,
        })
        failing = (_failing(d, step.from_tier)
                   if d is not None and step.change in ("at_risk", "demoted")
                   and step.from_tier != "none" else [])
        override: dict[str, Any] = {}
        if step.change in ("override", "override_cleared"):
            override = {"direction": _direction(step.from_tier, s.tier), "by": step.by or "",
                        "cleared": step.change == "override_cleared"}
        self._emit(step.change, from_tier=step.from_tier, to_tier=s.tier,
                   unicorn_grade=s.unicorn_grade, at_risk=s.at_risk, filed_on=s.filed_on,
                   expires_on=s.expires_on, round_year=step.round_year,
                   decision_id=decision_id, reason=step.reason, failing=failing,
                   decided_on=step.on, supersedes=supersedes, **override)

    def withdrawn(self, gone: Row, now: Standing) -> None:
        """A stored decision a late fact removed with no decision in its place: published as
        the move from what it said to the standing that day, when those differ."""
        was, tier = gone["to_tier"], now.tier
        if (tier, now.at_risk) == (was, gone["at_risk"]):
            return  # nothing a consumer sees changes; the stored timeline marks it superseded
        change: StandingChange = (
            "promoted" if TIER_RANK[tier] > TIER_RANK[was] else "demoted"
            if TIER_RANK[tier] < TIER_RANK[was] else "at_risk" if now.at_risk else "recovered")
        self._emit(
            change, from_tier=was, to_tier=tier, unicorn_grade=now.unicorn_grade,
            at_risk=now.at_risk, filed_on=now.filed_on, expires_on=now.expires_on,
            round_year=gone["on_date"].year, decision_id=uuid.uuid4(),
            reason=f"correction: the {gone['change']} decision of {gone['on_date']} no "
                   f"longer holds after a late fact; the standing that day is {tier}",
            decided_on=gone["on_date"], supersedes=gone["id"])


def _moves(plans: dict[uuid.UUID, _Plan], stored: Mapping[uuid.UUID, Sequence[Row]]) -> Moves:
    """How the firms' recomputation moves the kept tier counts: each firm's new contribution
    less the one its stored timeline made, under the district and industry it was counted in
    (none before its first recomputation)."""
    out: Moves = {}
    for firm_id, plan in plans.items():
        row, old = plan.row, {}
        if row.get("counted_district") is not None:
            old = contribution(row["counted_district"], row["counted_industry"],
                               [(r["on_date"], r["to_tier"], r["unicorn_grade"], r["at_risk"])
                                for r in stored[firm_id]])
        for key, (firms, at_risk) in difference(old, plan.moves).items():
            was = out.get(key, (0, 0))
            out[key] = (was[0] + firms, was[1] + at_risk)
    return out


async def _recount(uow: UnitOfWork, plans: dict[uuid.UUID, _Plan],
                   before: dict[uuid.UUID, set[tuple[int, str, date, bool]]], today: date) -> None:
    """Publish the target counts the firms' new entries moved, once per target: `previous`
    is the count before this recomputation (the firms' old entries back in, new ones out)."""
    change: dict[tuple[int, str], int] = {}
    firm_of: dict[tuple[int, str], Row] = {}
    for firm_id, plan in plans.items():
        after = {(y, k, d, o) for y, k, d, _, o in plan.entries}
        mine_before = {(y, k) for y, k, _, _ in before[firm_id]}
        mine_after = {(y, k) for y, k, _, _ in after}
        for year_key in {(y, k) for y, k, _, _ in before[firm_id] ^ after}:
            change[year_key] = (change.get(year_key, 0) + (year_key in mine_after)
                                - (year_key in mine_before))
            firm_of[year_key] = plan.row
    achieved: dict[int, dict[str, int]] = {}
    for year, key in sorted(change):
        if year not in achieved:
            achieved[year] = await uow.repo.achieved(year)
        now = achieved[year].get(key, 0)
        plan = plans[firm_of[(year, key)]["firm_id"]]
        await publish_progress(uow, year=year, key=key, firm=firm_ref(firm_of[(year, key)]),
                               today=today, correlation_id=plan.correlation_id,
                               previous=now - change[(year, key)])


def _standing_of(plan: _Plan, timeline: Timeline, decision_id: uuid.UUID | None,
                 rulebook: Rulebook) -> None:
    row = plan.row
    new, last = timeline.standing, timeline.last
    step = next_tier(last)
    missing = failing_of(step)
    stored = failing_of(step, gaps=True)  # the page words the gaps; the event keeps its shape
    # a near miss needs facts to judge by: a firm with no recent report is just incomplete
    near_miss = near_miss_tier(step) if timeline.evaluated and new.tier == last.tier else None
    steps = timeline.steps
    values: dict[str, Any] = {
        "tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": new.at_risk,
        "filed_on": new.filed_on, "expires_on": new.expires_on,
        "fiscal_year": last.fiscal_year if timeline.evaluated else None,
        "round_year": steps[-1].round_year if steps else timeline.until.year,
        "rulebook_id": rulebook.id, "evaluated_tier": last.tier if timeline.evaluated else "none",
        "trace": last.to_dict(), "next_tier": stored, "near_miss_tier": near_miss,
        "decision_id": decision_id, "decided_on": steps[-1].on if steps else None,
        "override_tier": new.tier if new.override else None,
        "override_reason": new.override_reason,
        "counted_district": row["district"], "counted_industry": row["industry"],
    }
    values["first_eaglet_on"], values["first_gazelle_on"] = first_entries(steps)
    if not new.override:
        values.update(override_by=None, override_at=None)
    plan.standing = values
    if near_miss and near_miss != row["near_miss_tier"]:
        plan.after.append(Draft(NearMissDetected, str(row["firm_id"]), NearMissDetectedData(
            firm=firm_ref(row), tier=near_miss, failing=missing), plan.correlation_id))
