"""Decision trace: every criterion's value, threshold, verdict and gap."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from ladder.domain.facts import FirmFacts

TIER_ORDER = ("none", "eaglet", "gazelle", "unicorn", "leader")
TIER_RANK = {t: i for i, t in enumerate(TIER_ORDER)}
GRADE_ORDER = (None, "seed", "potential", "unicorn")
GRADE_RANK = {g: i for i, g in enumerate(GRADE_ORDER)}


# Not frozen: a frozen slots dataclass pays object.__setattr__ per field (~5x slower to
# build) and a decision builds ~50 criteria. Treat instances as read-only.
@dataclass(slots=True)
class Criterion:
    """One rule's verdict; composites ("any"/"all") hold their children."""

    key: str
    label: str
    value: Any
    threshold: Any
    comparator: str  # "ge" | "gt" | "le" | "lt" | "eq" | "any" | "all"
    passed: bool
    gap: int | float | None  # distance to passing in the criterion's unit; 0 when passed
    relative_gap: float | None  # gap / threshold where that makes sense
    provisional: bool
    source: str
    note: str | None
    unit: str  # "yuan" | "usd" | "ratio" | "rate" | "years" | "count" | "flag" | "kinds"
    children: tuple[Criterion, ...] = ()
    # (current, required) of the money/headcount quantity that moves a rate or
    # intensity criterion, so "what would pass" can be said in yuan, not in %.
    lever: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {
            "key": self.key,
            "label": self.label,
            "value": _plain(self.value),
            "threshold": _plain(self.threshold),
            "comparator": self.comparator,
            "passed": self.passed,
            "gap": self.gap,
            "relative_gap": self.relative_gap,
            "unit": self.unit,
            "provisional": self.provisional,
            "source": self.source,
            "note": self.note,
            "lever": list(self.lever) if self.lever is not None else None,
            "children": [c.to_dict() for c in self.children],
        }


@dataclass(slots=True)
class TierResult:
    """The verdict for one tier, with its top-level criteria."""

    tier: str
    passed: bool
    provisional: bool
    criteria: tuple[Criterion, ...]
    grade: str | None = None  # unicorn tier only: highest passing grade

    def criterion(self, key: str) -> Criterion:
        """Find a criterion by key anywhere in this tier's tree (KeyError if absent)."""
        stack = list(self.criteria)
        while stack:
            c = stack.pop()
            if c.key == key:
                return c
            stack.extend(c.children)
        raise KeyError(f"{self.tier} has no criterion {key!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {
            "tier": self.tier,
            "passed": self.passed,
            "provisional": self.provisional,
            "grade": self.grade,
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(slots=True)
class Decision:
    """Result of evaluating one firm-year against one rulebook."""

    rulebook_id: str
    firm_id: str
    fiscal_year: int
    round_year: int
    as_of: date
    tier: str  # highest passing tier, or "none"
    unicorn_grade: str | None
    tiers: dict[str, TierResult]
    facts: FirmFacts  # the inputs read; serialised by to_dict()

    @property
    def dishonest(self) -> bool:
        """True when the firm is on the serious-dishonesty list."""
        return self.facts.dishonest_list

    @property
    def listed(self) -> bool:
        """True when the firm is listed (an IPO ends the unicorn tier)."""
        return self.facts.listed

    @property
    def provisional(self) -> bool:
        """True when the winning tier rests on provisional rules."""
        result = self.tiers.get(self.tier)
        return bool(result and result.provisional)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form for storing the trace."""
        return {
            "rulebook_id": self.rulebook_id,
            "firm_id": self.firm_id,
            "fiscal_year": self.fiscal_year,
            "round_year": self.round_year,
            "as_of": self.as_of.isoformat(),
            "tier": self.tier,
            "unicorn_grade": self.unicorn_grade,
            "provisional": self.provisional,
            "tiers": {name: t.to_dict() for name, t in self.tiers.items()},
            "inputs": inputs_dict(self.facts, self.fiscal_year),
        }


def inputs_dict(facts: FirmFacts, fiscal_year: int) -> dict[str, Any]:
    """The facts a decision read, as plain data (reports FY-3..FY only)."""
    years = [y for y in range(fiscal_year - 3, fiscal_year + 1) if y in facts.reports]
    return {
        "firm_id": facts.firm_id,
        "founded_on": facts.founded_on.isoformat(),
        "company_kind": facts.company_kind,
        "listed": facts.listed,
        "abnormal_list": facts.abnormal_list,
        "dishonest_list": facts.dishonest_list,
        "district": facts.district,
        "industry": facts.industry,
        "innovation_score": facts.innovation_score,
        "reports": {str(y): asdict(facts.reports[y]) for y in years},
        "funding_rounds": [_plain(asdict(r)) for r in facts.funding_rounds],
        "certificates": [_plain(asdict(c)) for c in facts.certificates],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value
