"""Read models of standings: one firm's (today or another day), lists, counts, history."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.candidates import near_miss_tier
from ladder.domain.explain import failing_of, next_tier
from ladder.domain.readiness import readiness as check_readiness
from ladder.domain.rulebook import Rulebook
from ladder.domain.timeline import fold
from ladder.repository import Repository
from ladder.schemas import FilingHeld, HistoryPage, ReadinessOut, Standing, StandingsPage, Summary
from shared.errors import NotFound, Rejected
from shared.paging import page_of, parts_of, position_of

ORDER = ("none", "eaglet", "gazelle", "unicorn", "leader")


def _not_seen(firm_id: uuid.UUID) -> NotFound:
    return NotFound(f"the ladder has not seen firm {firm_id} (yet)")


async def standing(pool: asyncpg.Pool, rulebook: Rulebook, firm_id: uuid.UUID, *,
                   as_of: date, today: date) -> Standing:
    """A firm's standing on `as_of` with the full trace and what the next tier needs."""
    repo = Repository(pool)
    row = await repo.standing(firm_id)
    if row is None:
        raise _not_seen(firm_id)
    filing = await repo.current_filing(firm_id, as_of)
    held = None if filing is None else {k: filing[k] for k in (
        "filing_id", "tier", "unicorn_grade", "list_name", "listed_on", "expires_on")}
    if as_of != today:
        return (await _standing_on(repo, rulebook, row, as_of)).model_copy(
            update={"filing": None if held is None else FilingHeld.model_validate(held)})
    trace = row["trace"] or {}
    return Standing.model_validate({
        "filing": held,
        "firm_id": firm_id, "name": row["name"], "district": row["district"],
        "industry": row["industry"], "as_of": as_of, "tier": row["tier"],
        "unicorn_grade": row["unicorn_grade"],
        "at_risk": row["at_risk"], "filed_on": row["filed_on"], "expires_on": row["expires_on"],
        "evaluated_tier": row["evaluated_tier"], "fiscal_year": row["fiscal_year"],
        "round_year": row["round_year"], "decided_on": row["decided_on"],
        "decision_id": row["decision_id"], "rulebook": row["rulebook_id"],
        "provisional": trace.get("provisional", False),
        "override": None if row["override_tier"] is None else {
            "tier": row["override_tier"], "reason": row["override_reason"],
            "by": row["override_by"], "at": row["override_at"]},
        "criteria": trace.get("tiers", {}),
        "next_tier": _next_tier(row["evaluated_tier"], row["next_tier"]),
        "near_miss_tier": row["near_miss_tier"], "sequence": row["last_sequence"],
        "updated_at": row["updated_at"],
    })


async def _standing_on(repo: Repository, rulebook: Rulebook, row: asyncpg.Record,
                       as_of: date) -> Standing:
    """The standing on another day: the same fold, stopped at `as_of`."""
    found = await repo.dated_state(row["firm_id"], lock=False)
    assert found is not None
    founded = found[0].firm.founded_on
    if as_of < founded:  # before its founding a firm does not exist: no standing
        raise Rejected("as_of", "before_founding", f"the firm was founded on {founded}: it had "
                       f"no standing on {as_of}")
    timeline = fold(rulebook, found[0], as_of)
    s, last = timeline.standing, timeline.last
    evaluated = last.tier if timeline.evaluated else "none"
    nxt = next_tier(last)
    trace = last.to_dict()
    steps = timeline.steps
    return Standing.model_validate({
        "firm_id": row["firm_id"], "name": row["name"], "district": row["district"],
        "industry": row["industry"], "as_of": as_of, "tier": s.tier,
        "unicorn_grade": s.unicorn_grade, "at_risk": s.at_risk, "filed_on": s.filed_on,
        "expires_on": s.expires_on, "evaluated_tier": evaluated,
        "fiscal_year": last.fiscal_year if timeline.evaluated else None,
        "round_year": steps[-1].round_year if steps else as_of.year,
        "decided_on": steps[-1].on if steps else None, "decision_id": None,
        "rulebook": rulebook.id, "provisional": trace.get("provisional", False),
        "override": {"tier": s.tier, "reason": s.override_reason, "by": steps[-1].by,
                     "at": None} if s.override and steps else None,
        "criteria": trace["tiers"], "next_tier": _next_tier(evaluated, failing_of(nxt, gaps=True)),
        "near_miss_tier": near_miss_tier(nxt) if timeline.evaluated and s.tier == last.tier
        else None,
        "sequence": row["last_sequence"], "updated_at": row["updated_at"],
    })


def _next_tier(evaluated: str | None, missing: Any) -> dict[str, Any] | None:
    current = evaluated or "none"
    if current == "leader":
        return None
    return {"tier": ORDER[ORDER.index(current) + 1], "missing": missing or []}


def firm_after(cursor: str | None) -> uuid.UUID | None:
    """The firm id a standings cursor stands for (422 naming `cursor` for a forged one)."""
    position = parts_of(cursor, uuid.UUID)
    return None if position is None else position[0]


async def standings(pool: asyncpg.Pool, *, day: date, today: date, cursor: str | None,
                    limit: int, **filters: Any) -> StandingsPage:
    """A page of standings on `day` (today's from the standings, others from the timeline)."""
    repo = Repository(pool)
    args: dict[str, Any] = {**filters, "after": firm_after(cursor), "limit": limit + 1}
    rows = (await repo.list_standings(**args) if day == today
            else await repo.list_standings_as_of(day, **args))
    page = page_of([dict(r) for r in rows], limit, lambda r: str(r["firm_id"]))
    return StandingsPage.model_validate({**page.model_dump(), "as_of": day})


async def summary(pool: asyncpg.Pool, *, day: date, today: date) -> Summary:
    """How many firms stand on each tier on `day`, by district."""
    repo = Repository(pool)
    # the counts the consumer keeps hold today and each year's end; another day is read
    # from the timeline
    if day == today:
        rows = await repo.kept_tier_counts(None)
    elif (day.month, day.day) == (12, 31):
        rows = await repo.kept_tier_counts(day.year)
    else:
        rows = await repo.tier_counts_as_of(day)
    totals: dict[str, int] = {}
    for r in rows:
        key = f"unicorn:{r['unicorn_grade']}" if r["tier"] == "unicorn" else r["tier"]
        totals[key] = totals.get(key, 0) + r["firms"]
    return Summary.model_validate({"as_of": day, "totals": totals,
                                   "by_district": [dict(r) for r in rows]})


async def history(pool: asyncpg.Pool, firm_id: uuid.UUID, *, limit: int, as_of: date | None,
                  cursor: str | None, include_superseded: bool = False) -> HistoryPage:
    """The firm's timeline up to `as_of`, newest first (corrections name what they replace),
    a page at a time. With `include_superseded`, each page also holds the decisions taken
    out of the timeline at its positions (after the current one of the same position),
    marked with what superseded them and when: what the bureau was shown at the time."""
    repo = Repository(pool)
    if await repo.firm(firm_id) is None:
        raise _not_seen(firm_id)
    before = position_of(cursor, int)
    rows = await repo.decisions(firm_id, limit + 1, as_of, before=before)
    page = page_of([dict(r) for r in rows], limit, lambda r: int(r["position"]))
    if include_superseded:
        # a page spans positions [its last item's, `before`); the last page reaches 0
        low = int(page.items[-1]["position"]) if page.next_cursor and page.items else None
        old = [dict(r) for r in await repo.superseded_decisions(firm_id, as_of, low=low,
                                                                high=before)]
        page.items = sorted([*page.items, *old],
                            key=lambda r: (-int(r["position"]), r.get("current", True) is False))
    return HistoryPage.model_validate(page.model_dump())


async def readiness(pool: asyncpg.Pool, rulebook: Rulebook, firm_id: uuid.UUID, as_of: date,
                    innovation_score: float | None) -> ReadinessOut:
    """Would the firm pass the high-tech-enterprise and tech-SME tests on `as_of`."""
    found = await Repository(pool).dated_state(firm_id, lock=False)
    if found is None:
        raise _not_seen(firm_id)
    facts = found[0].on(as_of)
    if innovation_score is not None:
        facts = replace(facts, innovation_score=innovation_score)
    return ReadinessOut.model_validate(
        {"rulebook": rulebook.id, **check_readiness(rulebook, facts, as_of).to_dict()})
