"""The ladder's read models: what the GET routes answer, read over the pool."""

from ladder.queries.round import discrepancies, round_out, worklist
from ladder.queries.rulebooks import rulebook, rulebooks, stored, summary
from ladder.queries.standing import history, readiness, standing, standings
from ladder.queries.standing import summary as tier_summary
from ladder.queries.targets import (
    candidates,
    candidates_day,
    judge_city,
    live_decisions,
    targets,
)
from ladder.queries.whatif import draft_for, draft_of, simulate, simulation_job, what_if

__all__ = ["candidates", "candidates_day", "judge_city", "draft_for", "draft_of", "simulation_job", "history", "live_decisions", "readiness", "rulebook",
           "rulebooks", "simulate", "standing", "standings", "stored", "summary",
           "targets", "tier_summary", "what_if", "discrepancies", "round_out", "worklist"]
