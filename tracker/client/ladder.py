"""The ladder's API: standings, history, readiness, rulebooks, targets, what-if runs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from ladder.schemas import (
    Candidate,
    CandidatePage,
    Discrepancies,
    HistoryItem,
    HistoryPage,
    OverrideIn,
    OverrideOut,
    ReadinessOut,
    Round,
    RoundIn,
    RoundOut,
    RulebookOut,
    RulebookPage,
    RulebookSummary,
    SimulationIn,
    SimulationJob,
    SimulationOut,
    Standing,
    StandingItem,
    StandingsPage,
    Summary,
    TargetsOut,
    TargetsSet,
    Worklist,
)
from shared.codes import District, Industry, Tier
from tracker.client.base import Operation, ServiceClient
from tracker.client.paging import Pages

CandidateTier = Literal["eaglet", "gazelle", "unicorn", "leader"]
FIRM = "/v1/firms/{firm_id}"
STANDING = Operation("GET", FIRM + "/standing", Standing)
STANDINGS = Operation("GET", "/v1/standings", StandingsPage)
SUMMARY = Operation("GET", "/v1/summary", Summary)
HISTORY = Operation("GET", FIRM + "/history", HistoryPage)
OVERRIDE = Operation("POST", FIRM + "/override", OverrideOut)
READINESS = Operation("GET", FIRM + "/readiness", ReadinessOut)
RULEBOOKS = Operation("GET", "/v1/rulebooks", RulebookPage)
RULEBOOK = Operation("GET", "/v1/rulebooks/{rulebook_id}", RulebookOut)
PROPOSE_RULEBOOK = Operation("POST", "/v1/rulebooks", RulebookSummary)
TARGETS = Operation("GET", "/v1/targets/{year}", TargetsOut)
SET_TARGETS = Operation("PUT", "/v1/targets/{year}", TargetsSet)
CANDIDATES = Operation("GET", "/v1/candidates", CandidatePage)
SIMULATE = Operation("POST", "/v1/simulations", SimulationOut)
START_SIMULATION = Operation("POST", "/v1/simulation-jobs", SimulationJob)
SIMULATION_JOB = Operation("GET", "/v1/simulation-jobs/{job_id}", SimulationJob)
ROUND = Operation("GET", "/v1/rounds/{year}", RoundOut)
SET_ROUND = Operation("PUT", "/v1/rounds/{year}", Round)
WORKLIST = Operation("GET", "/v1/rounds/{year}/worklist", Worklist)
DISCREPANCIES = Operation("GET", "/v1/rounds/{year}/discrepancies", Discrepancies)


class Ladder(ServiceClient):
    """The ladder: where each firm stands, how it got there, and the year's targets."""

    async def standing(self, firm_id: uuid.UUID | str, *, as_of: date | None = None) -> Standing:
        """GET a firm's tier, criteria and next step (as of a day, default today)."""
        return await self._call(STANDING, {"firm_id": firm_id}, params={"as_of": as_of})

    def standings(self, *, tier: Tier | None = None, district: District | None = None,
                  industry: Industry | None = None, at_risk: bool | None = None,
                  as_of: date | None = None, limit: int | None = None) -> Pages[StandingItem]:
        """GET /v1/standings: every firm's standing, filtered, page by page."""
        return self._pages(STANDINGS, tier=tier, district=district, industry=industry,
                     at_risk=at_risk, as_of=as_of, limit=limit)

    async def summary(self, *, as_of: date | None = None) -> Summary:
        """GET /v1/summary: how many firms stand on each tier."""
        return await self._call(SUMMARY, params={"as_of": as_of})

    def history(self, firm_id: uuid.UUID | str, *, as_of: date | None = None,
                limit: int | None = None, include_superseded: bool = False,
                ) -> Pages[HistoryItem]:
        """GET a firm's decisions up to a day, newest first, page by page (with
        `include_superseded`, also those superseded or withdrawn since, marked)."""
        return self._pages(HISTORY, {"firm_id": firm_id}, as_of=as_of, limit=limit,
                           include_superseded=include_superseded or None)

    async def override(self, firm_id: uuid.UUID | str, override: OverrideIn) -> OverrideOut:
        """POST a tier set by hand (or `tier: None` to hand the firm back to the rules)."""
        return await self._call(OVERRIDE, {"firm_id": firm_id}, body=override)

    async def readiness(self, firm_id: uuid.UUID | str, *, as_of: date | None = None,
                        innovation_score: float | None = None) -> ReadinessOut:
        """GET how ready a firm is for the high-tech and tech-SME certificates."""
        return await self._call(READINESS, {"firm_id": firm_id},
                                params={"as_of": as_of, "innovation_score": innovation_score})

    async def rulebooks(self) -> RulebookPage:
        """GET /v1/rulebooks: the active rulebook and the drafts."""
        return await self._call(RULEBOOKS)

    async def rulebook(self, rulebook_id: str) -> RulebookOut:
        """GET one rulebook with every rule."""
        return await self._call(RULEBOOK, {"rulebook_id": rulebook_id})

    async def propose_rulebook(self, document: dict[str, Any]) -> RulebookSummary:
        """POST /v1/rulebooks: store a draft rulebook."""
        return await self._call(PROPOSE_RULEBOOK, json=document)

    async def targets(self, year: int, *, as_of: date | None = None) -> TargetsOut:
        """GET a year's targets with progress, pace and forecast."""
        return await self._call(TARGETS, {"year": year}, params={"as_of": as_of})

    async def set_targets(self, year: int, targets: dict[str, int]) -> TargetsSet:
        """PUT a year's targets (admin), tier or certificate kind -> count."""
        return await self._call(SET_TARGETS, {"year": year}, json=targets)

    async def set_round(self, year: int, round_: RoundIn) -> Round:
        """PUT a year's round (admin): the tiers open and the dates."""
        return await self._call(SET_ROUND, {"year": year}, body=round_)

    async def round(self, year: int, *, district: District | None = None) -> RoundOut:
        """GET a year's round: deadlines and the funnel per tier by district."""
        return await self._call(ROUND, {"year": year}, params={"district": district})

    async def worklist(self, year: int, *, district: District | None = None,
                       tier: CandidateTier | None = None, limit: int | None = None,
                       offset: int | None = None) -> Worklist:
        """GET the round's worklist: a page of not applied, stalled, not filed (`*_total`
        counts every page)."""
        return await self._call(WORKLIST, {"year": year},
                                params={"district": district, "tier": tier, "limit": limit,
                                        "offset": offset})

    async def discrepancies(self, year: int, *, district: District | None = None
                            ) -> Discrepancies:
        """GET the official filings reconciled with the rules."""
        return await self._call(DISCREPANCIES, {"year": year}, params={"district": district})

    def candidates(self, tier: CandidateTier, *, district: District | None = None,
                   industry: Industry | None = None, sort: Literal["closest", "gap"] | None = None,
                   offset: int | None = None, limit: int | None = None) -> Pages[Candidate]:
        """GET the near misses for a tier, closest first (or by gap), page by page."""
        return self._pages(CANDIDATES, tier=tier, district=district, industry=industry,
                     sort=sort, offset=offset, limit=limit)

    async def simulate(self, run: SimulationIn) -> SimulationOut:
        """POST /v1/simulations: what a draft or changed thresholds would move (waits)."""
        return await self._call(SIMULATE, body=run)

    async def start_simulation(self, run: SimulationIn) -> SimulationJob:
        """POST /v1/simulation-jobs: the same what-if as a job, answered at once."""
        return await self._call(START_SIMULATION, body=run)

    async def simulation_job(self, job_id: str) -> SimulationJob:
        """GET /v1/simulation-jobs/{job_id}: the job's progress, then its result."""
        return await self._call(SIMULATION_JOB, {"job_id": job_id})
