"""Candidates for a target tier: firms one step below, ranked by how close they are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ladder.domain.decision import TIER_ORDER, TIER_RANK, Decision
from ladder.domain.explain import Missing, NextStep, next_tier

# Below the target unicorn tier also sit the seed and potential grades: only the
# "unicorn" grade counts toward the first-unicorn target, so they are candidates too,
# and every unicorn candidate is judged against that grade.
_CANDIDATE_GRADES = ("seed", "potential")
# A near miss fails one criterion of the next tier, by at most a quarter of its threshold:
# one criterion failing by 99% (a ¥4M firm on the ¥500M scale path) is no near miss.
NEAR_MISS_MAX_FAILING = 1
NEAR_MISS_MAX_RELATIVE_GAP = 0.25


@dataclass(slots=True)
class Candidate:
    """A firm one step below the target, with what it still lacks."""

    firm_id: str
    current_tier: str
    unicorn_grade: str | None
    target: str
    failing_count: int
    relative_gap_sum: float
    missing: list[Missing] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """The missing criteria in English."""
        return [m.sentence for m in self.missing]


def _is_below(decision: Decision, target: str) -> bool:
    if target == "unicorn" and decision.tier == "unicorn":
        return decision.unicorn_grade in _CANDIDATE_GRADES
    return TIER_RANK[decision.tier] == TIER_RANK[target] - 1


def candidates(decisions: Iterable[Decision], target: str) -> list[Candidate]:
    """Firms one step below target that fail it, closest first.

    Ranked by (number of failing criteria, sum of relative gaps, firm id); a gap that
    cannot be measured (a flag, a missing report) counts as 1.0.
    """
    if target not in TIER_ORDER or target == "none":
        raise ValueError(f"unknown target tier {target!r}")
    grade = "unicorn" if target == "unicorn" else None
    found = []
    for d in decisions:
        if not _is_below(d, target):
            continue
        step = next_tier(d, target, grade)
        if step.passed:
            continue
        found.append(Candidate(d.firm_id, d.tier, d.unicorn_grade, target, step.failing_count,
                               step.relative_gap_sum, step.missing))
    found.sort(key=lambda c: (c.failing_count, c.relative_gap_sum, c.firm_id))
    return found


CANDIDATE_TIERS = ("eaglet", "gazelle", "unicorn", "leader")


def judged(decision: Decision) -> list[Candidate]:
    """The firm as a candidate for each tier it stands one step below (what the consumer
    keeps, so a page of candidates is a read, not a judgement of the whole city)."""
    return [c for tier in CANDIDATE_TIERS for c in candidates((decision,), tier)]


def near_miss_tier(step: NextStep) -> str | None:
    """The tier a firm nearly reaches, when its next step makes it a near miss."""
    if step.target is None or step.passed:
        return None
    if step.failing_count > NEAR_MISS_MAX_FAILING:
        return None
    return step.target if step.relative_gap_sum <= NEAR_MISS_MAX_RELATIVE_GAP else None
