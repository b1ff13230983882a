"""Read models of the round: its funnel per tier by district, the worklist, the
reconciliation. Each reads one round's applications, one year's entries and lists, and the
firms a list names: never every firm of the city."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.round import (
    DEADLINES,
    ROUND_TIERS,
    AppRow,
    discrepancy,
    evidence,
    left_off,
    pass_rate,
    stage_counts,
    stalled,
)
from ladder.repository import Repository
from ladder.schemas import Discrepancies, RoundOut, Worklist
from shared.codes import city_decides

STAGE_KEYS = ("applied", "district_checked", "district_passed", "district_failed",
              "recommended", "filed", "not_filed", "left_off", "withdrawn")


def app_row(r: asyncpg.Record | dict[str, Any]) -> AppRow:
    """An application row as the domain reads it."""
    return AppRow(tier=r["tier"], state=r["state"], last_on=r["last_on"],
                  district_passed=r["district_passed"],
                  recommended=r["recommended_on"] is not None)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _counts(groups: list[asyncpg.Record], listed: bool) -> dict[str, int]:
    """The funnel's stage counts of applications counted in groups (round_stage_groups):
    each group's stages as one application's, times how many it holds."""
    total = dict.fromkeys(STAGE_KEYS, 0)
    for g in groups:
        one = stage_counts([AppRow(tier=g["tier"], state=g["state"], last_on=date.min,
                                   district_passed=g["district_passed"],
                                   recommended=g["recommended"])], listed)
        for k, v in one.items():
            total[k] += v * g["n"]
    return total


async def round_out(pool: asyncpg.Pool, year: int, as_of: date, *,
                    district: str | None = None) -> RoundOut:
    """The year's round: its dates with days left, and per tier the funnel by district."""
    repo = Repository(pool)
    row = await repo.round(year)
    groups = await repo.round_stage_groups(year, district=district)
    qualified = await repo.qualified_by_district(year, district=district)
    lists = await repo.lists(year)
    by_year = await repo.earlier_by_year(year)
    open_tiers = list(row["tiers"]) if row else list(ROUND_TIERS)
    listed = {r["tier"] for r in lists}
    tiers = []
    for tier in ROUND_TIERS:
        mine = [g for g in groups if g["tier"] == tier]
        per_district: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for g in mine:
            per_district[g["district"]].append(g)
        q = {r["district"]: r["n"] for r in qualified if r["tier"] == tier}
        districts = []
        for d in sorted(set(per_district) | set(q)):
            counts = _counts(per_district.get(d, []), tier in listed)
            districts.append({"district": d, "qualified": q.get(d, 0), **counts})
        total = _counts(mine, tier in listed)
        earlier = [{"year": r["round_year"], "recommended": r["recommended"], "filed": r["filed"],
                    "pass_rate": pass_rate(r["filed"], r["recommended"])}
                   for r in by_year if r["tier"] == tier]
        tiers.append({
            "tier": tier, "open": tier in open_tiers, "city_decides": city_decides(tier),
            "total": {"qualified": sum(q.values()), **total}, "districts": districts,
            "lists": [{"list_name": r["list_name"], "listed_on": r["listed_on"],
                       "firms": r["firms"]} for r in lists if r["tier"] == tier],
            "pass_rate": pass_rate(total["filed"], total["recommended"])
            if tier in listed else None,
            "earlier": earlier,
            "earlier_pass_rate": pass_rate(sum(e["filed"] for e in earlier),
                                           sum(e["recommended"] for e in earlier)),
        })
    deadlines = [{"name": k, "on": row[k], "days_left": (row[k] - as_of).days}
                 for k in DEADLINES if row and row[k] is not None]
    return RoundOut.model_validate({
        "year": year, "as_of": as_of, "round": dict(row) if row else None,
        "deadlines": deadlines, "tiers": tiers})


def _line(a: asyncpg.Record, **extra: Any) -> dict[str, Any]:
    return {"firm_id": a["firm_id"], "name": a["name"], "district": a["district"],
            "industry": a["industry"], "application_id": a["application_id"], "tier": a["tier"],
            "state": a["state"], "applied_on": a["applied_on"], "last_on": a["last_on"], **extra}


async def worklist(pool: asyncpg.Pool, year: int, today: date, *, district: str | None,
                   tier: str | None, limit: int, offset: int = 0) -> Worklist:
    """Qualifying firms that have not applied (highest tier first, with the evidence each
    criterion rests on), stalled applications, and recommended firms left unfiled: a page of
    each (`offset`, `limit`) with each list's total."""
    repo = Repository(pool)
    row = await repo.round(year)
    tiers = [t for t in (list(row["tiers"]) if row else list(ROUND_TIERS))
             if tier is None or t == tier]
    found = await repo.not_applied(year, tiers, today, district=district, tier=tier,
                                   limit=limit, offset=offset) if tiers else []
    if found:
        total = int(found[0]["total"])
    elif offset and tiers:  # past the end: count without a page
        first = await repo.not_applied(year, tiers, today, district=district, tier=tier,
                                       limit=1, offset=0)
        total = int(first[0]["total"]) if first else 0
    else:
        total = 0
    not_applied = [{
        "firm_id": r["firm_id"], "name": r["name"], "district": r["district"],
        "industry": r["industry"], "tier": r["tier"], "unicorn_grade": r["unicorn_grade"],
        "filed_tier": r["filed_tier"], "decision_id": r["decision_id"],
        "evidence": evidence(_json(r["trace"])),
    } for r in found]
    listed = {r["tier"] for r in await repo.lists(year)}
    dates = {k: row[k] for k in DEADLINES} if row else {}
    stalls, unfiled = [], []
    for a in await repo.worklist_applications(year, district=district, tier=tier):
        app = app_row(a)
        if a["state"] == "not_filed" or left_off(app, a["tier"] in listed):
            unfiled.append(a)
            continue
        stall = stalled(app, dates, a["tier"] in listed, today)
        if stall is not None:
            stalls.append((a, stall))
    stalled_page = [_line(a, waiting_for=st.at, reason=st.reason, stall_key=st.key,
                          stall_params=st.params) for a, st in stalls[offset:offset + limit]]
    unfiled_page = []
    for a in unfiled[offset:offset + limit]:
        why = a["reason"] or "left off the published list"
        unfiled_page.append(_line(a, reason=why, stall_key="stall.refused" if a["reason"]
                                  else "stall.left_off", stall_params={"reason": why}))
    return Worklist.model_validate({
        "year": year, "as_of": today, "offset": offset, "limit": limit,
        "not_applied": not_applied, "not_applied_total": total,
        "not_applied_more": offset + len(found) < total,
        "stalled": stalled_page, "stalled_total": len(stalls),
        "not_filed": unfiled_page, "not_filed_total": len(unfiled)})


async def discrepancies(pool: asyncpg.Pool, year: int, today: date, *,
                        district: str | None) -> Discrepancies:
    """The year's filings above what the rules gave on the list's day, and the year's refusals
    of firms the rules qualify (today), each with the rules' trace of the tier in question."""
    repo = Repository(pool)
    items: list[dict[str, Any]] = []
    for r in await repo.filed_above_rules(year, district=district):
        items.append({
            "kind": "filed_above_rules", "firm_id": r["firm_id"], "name": r["name"],
            "district": r["district"], "industry": r["industry"],
            "official_tier": r["filed_tier"], "rules_tier": r["rules_tier"] or "none",
            "filing_id": r["filing_id"], "decision_id": r["decision_id"],
            "explanation": f"filed {r['filed_tier']} on {r['listed_on']} ({r['list_name']}); "
                           f"that day the rules gave {r['rules_tier']}: the province saw what "
                           "our facts lack, or ours are late",
            "explanation_key": "disc.filed_above_rules",
            "explanation_params": {"filed": r["filed_tier"], "day": str(r["listed_on"]),
                                   "list": r["list_name"], "rules": r["rules_tier"] or "none"},
            "trace": _json(r["trace"])})
    listed = {r["tier"] for r in await repo.lists(year)}
    refused = [a for a in await repo.round_applications(year, district=district)
               if a["state"] == "not_filed" or left_off(app_row(a), a["tier"] in listed)]
    rules = await repo.standings_of([a["firm_id"] for a in refused])
    for a in refused:
        s = rules.get(a["firm_id"])
        rules_tier = (s["evaluated_tier"] if s else None) or "none"
        if discrepancy(None, rules_tier, a["tier"]) != "qualifying_refused":
            continue
        trace = _json(s["trace"]) if s and s["trace"] is not None else {}
        items.append({
            "kind": "qualifying_refused", "firm_id": a["firm_id"], "name": a["name"],
            "district": a["district"], "industry": a["industry"], "official_tier": None,
            "rules_tier": rules_tier, "round_year": year,
            "application_id": a["application_id"], "decision_id": s["decision_id"] if s else None,
            "explanation": f"the rules give {rules_tier}; the {year} round did not file it as "
                           f"{a['tier']} ({a['reason'] or 'left off the published list'})",
            "explanation_key": "disc.qualifying_refused",
            "explanation_params": {"rules": rules_tier, "year": year, "tier": a["tier"],
                                   "reason": a["reason"] or ""},
            "trace": (trace.get("tiers") or {}).get(a["tier"])})
    return Discrepancies.model_validate({"year": year, "as_of": today, "items": items})
