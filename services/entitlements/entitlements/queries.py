"""The read models the GET routes answer."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from entitlements.domain.budget import COUNTED, METHOD, Sums, budget
from entitlements.domain.compute import compute
from entitlements.domain.facts import load
from entitlements.domain.pipeline import Prospect, prospects
from entitlements.domain.policies import PolicySet
from entitlements.domain.states import LABELS
from entitlements.domain.tierchange import METHOD as TIER_METHOD
from entitlements.domain.tierchange import SpendChange, filing_rates, spend_changes
from entitlements.domain.whatif import compare
from entitlements.handlers.reconcile import active_policies
from entitlements.repository import Repository, Row
from entitlements.schemas import (
    BudgetLine,
    BudgetOut,
    EntitlementDetail,
    EntitlementOut,
    EntitlementPage,
    PolicyEffect,
    PolicySetOut,
    PolicySets,
    PolicySetSummary,
    SimulationOut,
    StepOut,
    TierSpend,
)
from shared import catalogue
from shared.codes import FiledTier
from shared.errors import NotFound
from shared.paging import joined, page_of, parts_of

EXPORT_COLUMNS = ("id", "firm_id", "firm_name", "district", "policy_id", "policy_name",
                  "trigger_on", "year", "state", "amount", "chosen_option", "paid_amount",
                  "paid_on", "budget_line", "provisional", "review")


def entitlement_out(row: Row) -> EntitlementOut:
    """The API's view of a row."""
    fields: dict[str, Any] = {k: row[k] for k in EntitlementOut.model_fields
                              if k not in ("state_label",)}
    return EntitlementOut(**fields, state_label=LABELS[row["state"]])


async def policy_sets(repo: Repository) -> PolicySets:
    """Every set held."""
    return PolicySets(items=[PolicySetSummary(**dict(r)) for r in await repo.policy_sets()])


async def active_set(repo: Repository) -> PolicySetOut:
    """The active set, with its policies and sources."""
    for summary in await repo.policy_sets():
        if summary["status"] == "active":
            row = await repo.policy_set(summary["id"], summary["version"])
            assert row is not None
            return PolicySetOut(**dict(summary), policies=row["body"]["policies"])
    raise NotFound("no policy set is active yet")


async def entitlements(repo: Repository, *, year: int | None, state: str | None,
                       district: str | None, policy_id: str | None, firm_id: uuid.UUID | None,
                       cursor: str | None, limit: int) -> EntitlementPage:
    """A page of entitlements, newest trigger first."""
    after = parts_of(cursor, date.fromisoformat, uuid.UUID)
    rows = await repo.listed(year=year, state=state, district=district, policy_id=policy_id,
                             firm_id=firm_id, after=(after[0], after[1]) if after else None,
                             limit=limit + 1)
    page = page_of([entitlement_out(r) for r in rows], limit,
                   lambda e: joined(e.trigger_on, e.id))
    return EntitlementPage(items=page.items, next_cursor=page.next_cursor)


async def entitlement(repo: Repository, entitlement_id: uuid.UUID) -> EntitlementDetail:
    """One entitlement with its steps."""
    row = await repo.entitlement(entitlement_id)
    if row is None:
        raise NotFound(f"no entitlement {entitlement_id}")
    steps = [StepOut(on=s["on_date"], **{k: s[k] for k in StepOut.model_fields if k != "on"})
             for s in await repo.steps(entitlement_id)]
    return EntitlementDetail(**entitlement_out(row).model_dump(), steps=steps)


async def _prospects(repo: Repository, policies: PolicySet) -> list[Prospect]:
    return [p for r in await repo.facts_with_applications()
            for p in prospects(policies, load(str(r["firm_id"]), r["facts"]))]


async def year_budget(repo: Repository, year: int) -> BudgetOut:
    """The year's budget."""
    pipeline = await _prospects(repo, await active_policies(repo))
    b = budget(year, [dict(r) for r in await repo.of_year(year)], pipeline)

    def line(key: str, sums: Sums, name: str | None = None) -> BudgetLine:
        return BudgetLine(key=key, name=name, **sums.view())

    return BudgetOut(
        year=year, method=METHOD, total=line("total", b.total),
        by_policy=[line(k, s, b.names[k]) for k, s in sorted(b.by_policy.items())],
        by_district=[line(k, s) for k, s in sorted(b.by_district.items())],
        by_month=[line(k, s) for k, s in sorted(b.by_month.items())])


def _cell(column: str, value: Any, lang: str) -> Any:
    """One cell: in Chinese, codes named and amounts as they are (yuan); in English, raw."""
    if value is None:
        return ""
    if lang != "zh":
        return value
    if isinstance(value, bool):
        return catalogue.code(lang, "bool", value)
    if column == "district":
        return catalogue.words(lang).get(f"district.{value}", value)
    if column == "state":
        return catalogue.code(lang, "entitlement_state", value)
    return value


async def export_csv(repo: Repository, *, year: int | None, state: str | None,
                     lang: str = "en") -> str:
    """Every entitlement matching, as CSV (UTF-8 with a BOM, so Excel reads the Chinese);
    `lang=zh`: Chinese headers and codes named in Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    zh = catalogue.words("zh")
    writer.writerow([zh.get(f"col.entitlement.{c}", c) if lang == "zh" else c
                     for c in EXPORT_COLUMNS])
    after: tuple[date, uuid.UUID] | None = None
    while True:
        rows = await repo.listed(year=year, state=state, district=None, policy_id=None,
                                 firm_id=None, after=after, limit=1000)
        for r in rows:
            firm = r["firm"]
            values = {**dict(r), "firm_id": firm["id"], "firm_name": firm["name"]}
            writer.writerow([_cell(c, values[c], lang) for c in EXPORT_COLUMNS])
        if len(rows) < 1000:
            return out.getvalue()
        after = (rows[-1]["trigger_on"], rows[-1]["id"])


WHATIF_METHOD = (
    "every firm's entitlements (and the round's open applications) computed under the draft "
    "from the facts held, for the year; approved and paid entitlements stand as they are, "
    "declined and expired ones stay out; the budget's method then applies to both sides. A "
    "draft rulebook's effect on who qualifies is the ladder's what-if; its change per tier, "
    "given as `qualified_changes`, is priced here (see below when given).")


async def what_if(repo: Repository, draft: PolicySet | None, year: int,
                  qualified_changes: Mapping[FiledTier, int] | None = None) -> SimulationOut:
    """The year's budget as held and under a draft policy set and/or a draft rulebook's change
    in qualifying firms per tier."""
    held = [dict(r) for r in await repo.of_year(year)]
    active = await active_policies(repo)
    if draft is not None:
        computed = [c for r in await repo.all_facts()
                    for c in compute(draft, load(str(r["firm_id"]), r["facts"]))]
        pipelines = (await _prospects(repo, active), await _prospects(repo, draft))
        current, drafted = compare(year, held, computed, pipelines)
    else:
        current = drafted = budget(year, held, await _prospects(repo, active))
    now, then = current.total.view(), drafted.total.view()
    names = {**current.names, **drafted.names}
    changes: list[SpendChange] = []
    if qualified_changes:
        facts = [load(str(r["firm_id"]), r["facts"])
                 for r in await repo.facts_with_applications()]
        amounts: dict[str, list[int]] = {}
        for row in held:
            if row["state"] in COUNTED:
                amounts.setdefault(row["policy_id"], []).append(row["amount"])
        changes = spend_changes(draft or active, qualified_changes, year,
                                rates=filing_rates(facts, year), amounts=amounts)
    by_tiers: dict[str, int] = {}
    for ch in changes:
        by_tiers[ch.policy_id] = by_tiers.get(ch.policy_id, 0) + ch.delta
        names.setdefault(ch.policy_id, ch.policy_name)
    from_tiers = sum(by_tiers.values())
    then = {**then, "pipeline": then["pipeline"] + from_tiers,
            "expected": then["expected"] + from_tiers,
            "expected_high": then["expected_high"] + from_tiers}
    keys = sorted(set(current.by_policy) | set(drafted.by_policy) | set(by_tiers))
    effects = []
    for key in keys:
        before = current.by_policy.get(key, Sums()).view()["expected"]
        after = drafted.by_policy.get(key, Sums()).view()["expected"] + by_tiers.get(key, 0)
        effects.append(PolicyEffect(key=key, name=names.get(key), current_expected=before,
                                    draft_expected=after, delta=after - before))
    label = " + ".join(
        ([f"{draft.id} v{draft.version}"] if draft is not None else [])
        + (["qualified_changes"] if qualified_changes else []))
    return SimulationOut(
        year=year, method=WHATIF_METHOD + (" " + TIER_METHOD if qualified_changes else ""),
        current=BudgetLine(key="current", **now), draft=BudgetLine(key="draft", name=label, **then),
        delta_expected=then["expected"] - now["expected"], by_policy=effects,
        tier_changes=[_tier_spend(ch) for ch in changes], delta_from_tiers=from_tiers)


def _tier_spend(ch: SpendChange) -> TierSpend:
    return TierSpend(
        tier=ch.tier, policy_id=ch.policy_id, policy_name=ch.policy_name, firms=ch.firms,
        filing_rate=ch.filing_rate.rate, filing_rate_basis=ch.filing_rate.basis,
        filed=ch.filing_rate.filed, decided=ch.filing_rate.decided,
        per_firm=ch.per_firm.amount, per_firm_basis=ch.per_firm.basis, delta=ch.delta)
