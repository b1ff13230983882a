"""The ladder's repository in memory, written against the same methods as the real one (the
handlers cannot tell them apart), and the unit of work that carries it."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from typing import Any

from ladder.repository.facts import PROFILE
from ladder.repository.rows import dated
from tests.fakes import FakeOutbox, FakeUnitOfWork

STANDING_DEFAULTS: dict[str, Any] = {
    "tier": "none", "unicorn_grade": None, "at_risk": False, "filed_on": None,
    "expires_on": None, "fiscal_year": None, "round_year": None, "rulebook_id": None,
    "decision_id": None, "evaluated_tier": None, "override_tier": None, "override_reason": None,
    "override_by": None, "override_at": None, "near_miss_tier": None, "expiry_notice_for": None,
    "trace": None, "next_tier": None, "decided_on": None,
}
TIMELINE = ("id", "position", "on_date", "change", "from_tier", "to_tier", "unicorn_grade",
            "at_risk", "filed_on", "expires_on", "override")


class RoundTables:
    """The round's reads over `FakeRepository`'s round tables (mixed in below)."""

    round_rows: dict[int, dict[str, Any]]
    round_apps: list[dict[str, Any]]
    qualifying: list[dict[str, Any]]
    published: list[dict[str, Any]]
    sent: set[tuple[Any, ...]]

    async def round(self, year: int) -> dict[str, Any] | None:
        return self.round_rows.get(year)

    async def reminder_sent(self, year: int, deadline: str, days: int) -> bool:
        first = ("reminder", year, deadline, days) not in self.sent
        self.sent.add(("reminder", year, deadline, days))
        return first

    async def not_applied(self, year: int, tiers: list[str], on: date, *, district: str | None,
                          tier: str | None, limit: int) -> list[dict[str, Any]]:
        applied = {a["firm_id"] for a in self.round_apps
                   if a["round_year"] == year and a["state"] != "withdrawn"}
        return [q for q in self.qualifying if q["tier"] in tiers
                and q["firm_id"] not in applied][:limit]

    async def round_applications(self, year: int, *, district: str | None = None,
                                 tier: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.round_apps if a["round_year"] == year
                and (tier is None or a["tier"] == tier)]

    async def lists(self, year: int) -> list[dict[str, Any]]:
        return [p for p in self.published if p["listed_on"].year == year]

    async def lists_to_announce(self, since: date, quiet_s: float) -> list[dict[str, Any]]:
        return [p for p in self.published if p["listed_on"] >= since
                and ("list", p["tier"], p["list_name"]) not in self.sent]

    async def announce_list(self, tier: str, list_name: str) -> bool:
        first = ("list", tier, list_name) not in self.sent
        self.sent.add(("list", tier, list_name))
        return first

    async def list_firms(self, tier: str, list_name: str) -> list[dict[str, Any]]:
        return [f for p in self.published if (p["tier"], p["list_name"]) == (tier, list_name)
                for f in p["firms"]]



class FakeRepository(RoundTables):
    """Tables as dicts; each method keeps the guard its SQL has (sequences, ON CONFLICT)."""

    def __init__(self) -> None:
        self.firms: dict[uuid.UUID, dict[str, Any]] = {}
        self.standings: dict[uuid.UUID, dict[str, Any]] = {}
        self.reports: dict[tuple[uuid.UUID, int, date], dict[str, Any]] = {}
        self.rounds: dict[uuid.UUID, dict[str, Any]] = {}
        self.certificates: dict[uuid.UUID, dict[str, Any]] = {}
        self.revocations: dict[uuid.UUID, dict[str, Any]] = {}
        self.changes: dict[tuple[uuid.UUID, int], dict[str, Any]] = {}
        self.retractions: set[tuple[uuid.UUID, int, str]] = set()
        self.overrides: list[dict[str, Any]] = []
        self.decisions: dict[uuid.UUID, dict[str, Any]] = {}
        self.entries: dict[tuple[int, str, uuid.UUID], dict[str, Any]] = {}
        self.targets_by_year: dict[int, dict[str, int]] = {}
        self.target_states: dict[tuple[int, str], dict[str, Any]] = {}
        self.stored_rulebooks: dict[str, dict[str, Any]] = {}
        self.candidate_ranks: dict[uuid.UUID, list[Any]] = {}
        self.tier_moves: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.audit_log: list[dict[str, Any]] = []
        self._override_ids = 0
        # the round: rounds' dates, applications and lists as the round's reads give them
        self.round_rows: dict[int, dict[str, Any]] = {}
        self.round_apps: list[dict[str, Any]] = []
        self.qualifying: list[dict[str, Any]] = []
        self.published: list[dict[str, Any]] = []
        self.sent: set[tuple[Any, ...]] = set()

    # ------------------------------------------------------------ projection

    async def known_firms(self, firm_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        return {f for f in firm_ids if f in self.firms}

    async def write_facts(self, w: Any) -> None:
        """The batch, table by table in the real repository's order, row by row."""
        for firm, sequence in w.firms:
            await self.upsert_firm(firm, sequence)
        for firm_id, flag, value in w.flags:
            await self.set_flag(firm_id, flag, value)
        for change in w.changes:
            await self.add_change(*change)
        self.retractions.update(w.retractions)
        for report in w.reports:
            await self.upsert_report(*report)
        for data in w.rounds:
            await self.insert_round(data)
        for data in w.certificates:
            await self.insert_certificate(data)
        for revocation in w.revocations:
            await self.revoke_certificate(*revocation)
        for firm_id, sequence in w.last_sequences.items():
            await self.set_last_sequence(firm_id, sequence)

    async def upsert_firm(self, firm: dict[str, Any], sequence: int) -> None:
        stored = self.firms.get(firm["id"])
        if stored is None:
            self.firms[firm["id"]] = {"id": firm["id"], "profile_sequence": sequence,
                                      "last_sequence": 0, **{c: firm[c] for c in PROFILE}}
        elif stored["profile_sequence"] < sequence:
            stored.update({c: firm[c] for c in PROFILE}, profile_sequence=sequence)
        self.standings.setdefault(firm["id"], {"firm_id": firm["id"], **STANDING_DEFAULTS,
                                               "updated_at": datetime.now(UTC)})

    async def set_flag(self, firm_id: uuid.UUID, flag: str, value: bool) -> None:
        self.firms[firm_id][flag] = value

    async def set_last_sequence(self, firm_id: uuid.UUID, sequence: int) -> None:
        firm = self.firms[firm_id]
        firm["last_sequence"] = max(firm["last_sequence"], sequence)

    async def add_change(self, firm_id: uuid.UUID, sequence: int, effective_on: date,
                         changes: dict[str, Any]) -> None:
        self.changes.setdefault((firm_id, sequence), {
            "firm_id": firm_id, "sequence": sequence, "effective_on": effective_on,
            "changes": copy.deepcopy(changes)})

    async def upsert_report(self, firm_id: uuid.UUID, report: dict[str, Any], filed_on: date,
                            sequence: int) -> None:
        key = (firm_id, report["fiscal_year"], filed_on)
        stored = self.reports.get(key)
        if stored is None or stored["sequence"] < sequence:
            self.reports[key] = {"fiscal_year": report["fiscal_year"], "filed_on": filed_on,
                                 "data": copy.deepcopy(report), "sequence": sequence}

    async def insert_round(self, data: dict[str, Any]) -> None:
        self.rounds.setdefault(data["round_id"], dict(data))

    async def insert_certificate(self, data: dict[str, Any]) -> None:
        self.certificates.setdefault(data["certificate_id"], {**data, "revoked_on": None})

    async def revoke_certificate(self, firm_id: uuid.UUID, certificate_id: uuid.UUID,
                                 revoked_on: date) -> None:
        self.revocations.setdefault(certificate_id, {"firm_id": firm_id,
                                                     "revoked_on": revoked_on})
        if certificate_id in self.certificates:
            self.certificates[certificate_id]["revoked_on"] = revoked_on

    async def add_override(self, firm_id: uuid.UUID, *, set_on: date, tier: str | None,
                           unicorn_grade: str | None, reason: str, by: str) -> None:
        self._override_ids += 1
        self.overrides.append({"id": self._override_ids, "firm_id": firm_id, "set_on": set_on,
                               "tier": tier, "unicorn_grade": unicorn_grade, "reason": reason,
                               "set_by": by})

    async def firm(self, firm_id: uuid.UUID) -> dict[str, Any] | None:
        return self.firms.get(firm_id)

    async def dated_states(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        found = {f: await self.dated_state(f) for f in firm_ids}
        return {f: state for f, state in found.items() if state is not None}

    async def dated_state(self, firm_id: uuid.UUID, *, lock: bool = True) -> Any:
        firm = self.firms.get(firm_id)
        if firm is None:
            return None
        certs = [{**c, "revoked_on": self.revocations.get(cid, {}).get("revoked_on")}
                 for cid, c in self.certificates.items() if c["firm_id"] == firm_id]
        facts = dated(
            firm, [r for (f, _, _), r in self.reports.items() if f == firm_id],
            [r for r in self.rounds.values() if r["firm_id"] == firm_id], certs,
            sorted(({**c, "changes": {k: v for k, v in c["changes"].items()
                                      if (firm_id, c["sequence"], k) not in self.retractions}}
                    for (f, _), c in self.changes.items() if f == firm_id),
                   key=lambda c: c["sequence"]),
            [o for o in self.overrides if o["firm_id"] == firm_id])
        return facts, {**firm, **self.standings[firm_id]}

    # ------------------------------------------------------------ standings and timeline

    async def standing(self, firm_id: uuid.UUID, *, lock: bool = False) -> Any:
        if firm_id not in self.standings:
            return None
        firm = self.firms[firm_id]
        return {**self.standings[firm_id], "last_sequence": firm["last_sequence"],
                "name": firm["name"], "district": firm["district"],
                "industry": firm["industry"]}

    async def save_standing(self, firm_id: uuid.UUID, values: dict[str, Any]) -> None:
        self.standings[firm_id].update(copy.deepcopy(values), updated_at=datetime.now(UTC))

    async def save_candidates(self, judged: dict[uuid.UUID, list[Any]], on: Any) -> None:
        for firm_id, found in judged.items():
            self.candidate_ranks[firm_id] = [(c.target, c.failing_count, on) for c in found]

    async def move_tier_counts(self, moves: dict[tuple[Any, ...], tuple[int, int]]) -> None:
        for key, (firms, at_risk) in moves.items():
            was = self.tier_moves.get(key, (0, 0))
            self.tier_moves[key] = (was[0] + firms, was[1] + at_risk)

    async def save_standings(self, values: dict[uuid.UUID, dict[str, Any]]) -> None:
        for firm_id, v in values.items():
            await self.save_standing(firm_id, v)

    async def insert_decisions(self, decisions: list[dict[str, Any]]) -> None:
        for values in decisions:
            assert values["id"] not in self.decisions
            self.decisions[values["id"]] = {**copy.deepcopy(values), "current": True,
                                            "superseded_by": None}

    async def timelines(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
        return {f: await self.timeline(f) for f in firm_ids}

    async def timeline(self, firm_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = [d for d in self.decisions.values() if d["firm_id"] == firm_id and d["current"]]
        return [{k: d[k] for k in TIMELINE} for d in sorted(rows, key=lambda d: d["position"])]

    async def supersede(self, pairs: list[tuple[uuid.UUID, uuid.UUID | None]]) -> None:
        for old, new in pairs:
            self.decisions[old].update(current=False, superseded_by=new)

    async def expiring(self, on_or_before: date) -> list[uuid.UUID]:
        return [f for f, s in self.standings.items() if s["expires_on"] is not None
                and s["expires_on"] <= on_or_before and s["override_tier"] is None]

    async def expiry_notices_due(self, horizon: date) -> list[dict[str, Any]]:
        return [{"firm_id": f, "tier": s["tier"], "expires_on": s["expires_on"]}
                for f, s in self.standings.items() if s["expires_on"] is not None
                and s["expires_on"] <= horizon and s["expiry_notice_for"] != s["expires_on"]]

    # ------------------------------------------------------------ targets, rulebooks, audit

    async def replace_entries(self, rows: dict[uuid.UUID, list[Any]]) -> dict[uuid.UUID, Any]:
        old = {k: e for k, e in self.entries.items() if k[2] in rows}
        for key in old:
            del self.entries[key]
        for firm_id, entries in rows.items():
            for year, key, day, decision, by_override in entries:
                self.entries.setdefault((year, key, firm_id), {
                    "entered_on": day, "decision_id": decision, "by_override": by_override})
        out: dict[uuid.UUID, set[Any]] = {f: set() for f in rows}
        for (y, k, f), e in old.items():
            out[f].add((y, k, e["entered_on"], e["by_override"]))
        return out

    async def achieved(self, year: int, as_of: date | None = None) -> dict[str, int]:
        return {k: n for k, (n, _) in (await self.achieved_split(year, as_of)).items()}

    async def achieved_split(self, year: int,
                             as_of: date | None = None) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for (y, key, _), e in self.entries.items():
            if y == year and (as_of is None or e["entered_on"] <= as_of):
                n, o = out.get(key, (0, 0))
                out[key] = (n + 1, o + e["by_override"])
        return out

    async def targets(self, year: int) -> dict[str, int]:
        return dict(self.targets_by_year.get(year, {}))

    async def put_targets(self, year: int, values: dict[str, int], actor: str) -> None:
        self.targets_by_year[year] = dict(values)

    async def target_state(self, year: int, key: str) -> dict[str, Any] | None:
        state = self.target_states.get((year, key))
        return None if state is None else copy.deepcopy(state)

    async def save_target_state(self, year: int, key: str, pace: str,
                                milestones: list[str]) -> None:
        self.target_states[(year, key)] = {"pace": pace, "milestones": list(milestones)}

    async def active_rulebook(self) -> dict[str, Any] | None:
        active = [r for r in self.stored_rulebooks.values() if r["status"] == "active"]
        return active[-1]["document"] if active else None

    async def save_rulebook(self, rulebook_id: str, document: dict[str, Any], status: str,
                            actor: str) -> None:
        self.stored_rulebooks[rulebook_id] = {"document": document, "status": status,
                                              "uploaded_by": actor}

    async def audit(self, *, actor: str, action: str, subject: str | None, before: Any,
                    after: Any, correlation_id: str | None) -> None:
        self.audit_log.append({"actor": actor, "action": action, "subject": subject,
                               "before": before, "after": after,
                               "correlation_id": correlation_id})


class FakeLadderUnitOfWork(FakeUnitOfWork):
    """The ladder's unit of work in memory: a failed block puts the tables and the outbox
    back as they were."""

    def __init__(self) -> None:
        super().__init__()
        self.repo = FakeRepository()
        self.outbox = FakeOutbox("ladder")

    def snapshot(self) -> Any:
        return copy.deepcopy((self.repo.__dict__, self.outbox.events, dict(self.outbox._last)))

    def restore(self, state: Any) -> None:
        tables, events, last = state
        self.repo.__dict__.update(tables)
        self.outbox.events = events
        self.outbox._last.clear()
        self.outbox._last.update(last)

    def published(self, event_type: str | None = None) -> list[Any]:
        """The events written, optionally of one type."""
        return [e for e in self.outbox.events if event_type in (None, e.event_type)]

