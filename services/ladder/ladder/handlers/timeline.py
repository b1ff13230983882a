"""Recompute a firm's timeline, store the difference, publish new decisions and corrections.

The stored timeline is the fold of the firm's facts up to today: the common prefix stays,
every stored decision after it is superseded, and each new one is published (as a
correction naming the decision it replaces, when there is one). Replays, reordered events
and restarts fold the same facts and so store the same timeline and publish nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any, Protocol, Self

import asyncpg

from ladder.domain.candidates import near_miss_tier
from ladder.domain.decision import TIER_RANK, Decision
from ladder.domain.entries import certificate_entries
from ladder.domain.explain import failing_of, next_tier
from ladder.domain.rulebook import Rulebook
from ladder.domain.standing import Standing
from ladder.domain.timeline import Step, Timeline, fold
from ladder.handlers.targets import publish_progress
from ladder.repository import Entry, Repository
from shared.outbox import Outbox
from shared.topics import STANDING_EVENTS

EVENT_FOR = {"promoted": "TierPromoted", "demoted": "TierDemoted", "revoked": "TierRevoked",
             "at_risk": "TierAtRisk", "recovered": "TierRecovered", "renewed": "TierRenewed",
             "override": "TierOverridden", "override_cleared": "TierOverridden"}
Row = asyncpg.Record | Mapping[str, Any]  # a fake repository gives plain mappings


class Work(Protocol):
    """What the ladder's handlers use of a unit of work (the real one or a fake): entered,
    it is one transaction; `repo` and `outbox` act in it."""

    repo: Repository
    outbox: Outbox

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a recomputation stored."""

    firm_id: uuid.UUID
    changes: tuple[str, ...]  # the new decisions' changes, in order
    corrections: int  # stored decisions superseded or withdrawn
    tier: str
    decision_id: uuid.UUID | None


def firm_ref(row: Row) -> dict[str, Any]:
    """The firm as events name it."""
    return {"id": row["firm_id"], "name": row["name"], "district": row["district"],
            "industry": row["industry"]}


def _signature(row: Row) -> tuple[object, ...]:
    return (row["on_date"], row["change"], row["from_tier"], row["to_tier"],
            row["unicorn_grade"], row["at_risk"], row["filed_on"], row["expires_on"],
            row["override"])


def _direction(before: str, after: str) -> str:
    up, down = TIER_RANK[after] > TIER_RANK[before], TIER_RANK[after] < TIER_RANK[before]
    return "up" if up else "down" if down else "same"


async def recompute(
    uow: Work, firm_id: uuid.UUID, *, rulebook: Rulebook, today: date,
    trigger_event_id: uuid.UUID | None = None, correlation_id: str | None = None,
) -> Outcome:
    """Fold the firm's facts up to `today` and store what changed in its timeline (inside the
    caller's unit of work)."""
    found = await uow.repo.dated_state(firm_id)
    assert found is not None, f"no firm {firm_id} in the projection"
    facts, row = found
    timeline = fold(rulebook, facts, today)
    stored = await uow.repo.timeline(firm_id)
    k = 0
    while (k < len(stored) and k < len(timeline.steps)
           and _signature(stored[k]) == timeline.steps[k].signature()):
        k += 1
    old, new = stored[k:], timeline.steps[k:]
    ids = [r["id"] for r in stored[:k]] + [uuid.uuid4() for _ in new]
    await uow.repo.supersede([(r["id"], ids[k + j] if j < len(new) else None)
                              for j, r in enumerate(old)])
    publish = _Publisher(uow, row, rulebook, trigger_event_id, correlation_id)
    for j, step in enumerate(new):
        replaced = old[j]["id"] if j < len(old) else None
        await publish.step(step, ids[k + j], k + j, replaced)
    for gone in old[len(new):]:
        await publish.withdrawn(gone, timeline.standing_on(gone["on_date"]))
    await _recount(uow, row, facts.firm.certificates, timeline, ids, today, correlation_id)
    await _save_standing(uow, row, timeline, ids[-1] if ids else None, rulebook, correlation_id)
    return Outcome(firm_id, tuple(s.change for s in new), len(old), timeline.standing.tier,
                   ids[-1] if ids else None)


def _failing(decision: Decision, target: str) -> list[dict[str, Any]]:
    return failing_of(next_tier(decision, target))


class _Publisher:
    """Writes decisions and their events for one firm's recomputation."""

    def __init__(self, uow: Work, row: Row, rulebook: Rulebook, trigger: uuid.UUID | None,
                 correlation_id: str | None) -> None:
        self.uow, self.row, self.rulebook = uow, row, rulebook
        self.trigger, self.correlation_id = trigger, correlation_id

    async def _emit(self, event_type: str, data: dict[str, Any]) -> None:
        await self.uow.outbox.append(
            topic=STANDING_EVENTS, event_type=event_type, subject=str(self.row["firm_id"]),
            correlation_id=self.correlation_id, data={
                "firm": firm_ref(self.row), "rulebook_id": self.rulebook.id,
                "trigger_event_id": self.trigger, "registry_sequence": self.row["last_sequence"],
                **data})

    async def step(self, step: Step, decision_id: uuid.UUID, position: int,
                   supersedes: uuid.UUID | None) -> None:
        s, d = step.standing, step.decision
        trace = d.to_dict() if d is not None else None
        await self.uow.repo.insert_decision({
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
        data: dict[str, Any] = {
            "change": step.change, "from_tier": step.from_tier, "to_tier": s.tier,
            "unicorn_grade": s.unicorn_grade, "at_risk": s.at_risk, "filed_on": s.filed_on,
            "expires_on": s.expires_on, "round_year": step.round_year,
            "decision_id": decision_id, "reason": step.reason, "failing": failing,
            "decided_on": step.on, "supersedes": supersedes}
        if step.change in ("override", "override_cleared"):
            data.update(direction=_direction(step.from_tier, s.tier), by=step.by or "",
                        cleared=step.change == "override_cleared")
        await self._emit(EVENT_FOR[step.change], data)

    async def withdrawn(self, gone: Row, now: Standing) -> None:
        """A stored decision a late fact removed with no decision in its place: published as
        the move from what it said to the standing that day, when those differ."""
        was, tier = gone["to_tier"], now.tier
        if (tier, now.at_risk) == (was, gone["at_risk"]):
            return  # nothing a consumer sees changes; the stored timeline marks it superseded
        change = ("promoted" if TIER_RANK[tier] > TIER_RANK[was] else "demoted"
                  if TIER_RANK[tier] < TIER_RANK[was] else "at_risk" if now.at_risk
                  else "recovered")
        await self._emit(EVENT_FOR[change], {
            "change": change, "from_tier": was, "to_tier": tier,
            "unicorn_grade": now.unicorn_grade, "at_risk": now.at_risk,
            "filed_on": now.filed_on, "expires_on": now.expires_on,
            "round_year": gone["on_date"].year, "decision_id": uuid.uuid4(),
            "reason": f"correction: the {gone['change']} decision of {gone['on_date']} no "
                      f"longer holds after a late fact; the standing that day is {tier}",
            "decided_on": gone["on_date"], "supersedes": gone["id"]})


async def _recount(uow: Work, row: Row, certificates: Any, timeline: Timeline,
                   ids: list[uuid.UUID], today: date, correlation_id: str | None) -> None:
    """Rewrite the firm's target entries from its timeline; publish the counts that moved."""
    rows: list[Entry] = [
        (s.on.year, s.counts_toward, s.on, ids[i], s.change == "override")
        for i, s in enumerate(timeline.steps) if s.counts_toward]
    rows += [(day.year, key, day, None, False) for key, day in certificate_entries(certificates)
             if day <= today]
    before = await uow.repo.replace_entries(row["firm_id"], rows)
    after = {(y, k, d, o) for y, k, d, _, o in rows}
    mine_before = {(y, k) for y, k, _, _ in before}
    mine_after = {(y, k) for y, k, _, _ in after}
    for year, key in sorted({(y, k) for y, k, _, _ in before ^ after}):
        now = (await uow.repo.achieved(year)).get(key, 0)
        previous = now - ((year, key) in mine_after) + ((year, key) in mine_before)
        await publish_progress(uow, year=year, key=key, firm=firm_ref(row), today=today,
                               correlation_id=correlation_id, previous=previous)


async def _save_standing(uow: Work, row: Row, timeline: Timeline,
                         decision_id: uuid.UUID | None, rulebook: Rulebook,
                         correlation_id: str | None) -> None:
    new, last = timeline.standing, timeline.last
    step = next_tier(last)
    missing = failing_of(step)
    # a near miss needs facts to judge by: a firm with no recent report is just incomplete
    near_miss = near_miss_tier(step) if timeline.evaluated and new.tier == last.tier else None
    steps = timeline.steps
    values: dict[str, Any] = {
        "tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": new.at_risk,
        "filed_on": new.filed_on, "expires_on": new.expires_on,
        "fiscal_year": last.fiscal_year if timeline.evaluated else None,
        "round_year": steps[-1].round_year if steps else timeline.until.year,
        "rulebook_id": rulebook.id, "evaluated_tier": last.tier if timeline.evaluated else "none",
        "trace": last.to_dict(), "next_tier": missing, "near_miss_tier": near_miss,
        "decision_id": decision_id, "decided_on": steps[-1].on if steps else None,
        "override_tier": new.tier if new.override else None,
        "override_reason": new.override_reason,
    }
    if not new.override:
        values.update(override_by=None, override_at=None)
    await uow.repo.save_standing(row["firm_id"], values)
    if near_miss and near_miss != row["near_miss_tier"]:
        await uow.outbox.append(topic=STANDING_EVENTS, event_type="NearMissDetected",
                                subject=str(row["firm_id"]), correlation_id=correlation_id,
                                data={"firm": firm_ref(row), "tier": near_miss,
                                      "failing": missing})
