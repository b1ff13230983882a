"""What is missing for the next tier up: one English sentence per criterion, and its gap as a
catalogue key with parameters for the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ladder.domain.decision import TIER_ORDER, TIER_RANK, Criterion, Decision
from shared.catalogue.render import note_of, span_params

# A failing criterion whose gap cannot be measured counts as a full threshold away.
UNQUANTIFIED_GAP = 1.0
_SYMBOLS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "=="}
_FLAGS = {
    "independent": "company kind is {value}: must be an independent company",
    "not_abnormal": "on the abnormal-operation list: must be taken off it",
    "not_dishonest": "on the serious-dishonesty list: disqualifies until taken off it",
    "high_tech_certificate": "no valid high-tech-enterprise certificate: must obtain one",
    "vc_pe_backed": "no round from a professional VC/PE institution yet",
    "not_listed": "listed: listed firms are outside the unicorn tier",
}
_QUANTITY = {
    "revenue_cagr": "revenue",
    "employee_cagr": "employees",
    "st_intensity": "S&T activity investment",
    "rd_intensity": "R&D expense",
}


@dataclass(slots=True)
class Missing:
    """A failing criterion on the closest path to the target, with a sentence."""

    key: str
    label: str
    value: object
    threshold: object
    comparator: str
    gap: int | float | None
    relative_gap: float | None
    unit: str
    provisional: bool
    required: int | None  # the money/headcount level that would pass, when computable
    sentence: str
    gap_kind: str = "compare"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class NextStep:
    """What a firm lacks for `target` (and `grade`, for the unicorn grade)."""

    firm_id: str
    current_tier: str
    target: str | None
    grade: str | None
    passed: bool
    missing: list[Missing] = field(default_factory=list)

    @property
    def failing_count(self) -> int:
        """Number of failing criteria on the closest path."""
        return len(self.missing)

    @property
    def relative_gap_sum(self) -> float:
        """Sum of relative gaps (unquantifiable ones count as 1.0)."""
        return sum(_rel(m.relative_gap) for m in self.missing)


def _rel(value: float | None) -> float:
    return UNQUANTIFIED_GAP if value is None else value


def _distance(leaves: list[Criterion]) -> tuple[int, float]:
    return len(leaves), sum(_rel(x.relative_gap) for x in leaves)


def failing_leaves(c: Criterion) -> list[Criterion]:
    """Failing leaves of c; for an any-of, only those of its closest child."""
    if c.passed:
        return []
    if not c.children:
        return [c]
    if c.comparator == "any":
        options = [failing_leaves(child) for child in c.children]
        return min(options, key=_distance)
    return [leaf for child in c.children for leaf in failing_leaves(child)]


def next_tier(decision: Decision, target: str | None = None,
              grade: str | None = None) -> NextStep:
    """What is missing for target (default: the tier above decision.tier)."""
    if target is None:
        rank = TIER_RANK[decision.tier]
        if rank == len(TIER_ORDER) - 1:
            return NextStep(decision.firm_id, decision.tier, None, None, True, [])
        target = TIER_ORDER[rank + 1]
    result = decision.tiers[target]
    criteria = list(result.criteria)
    passed = result.passed
    if target == "unicorn" and grade is not None:
        # Judge against one grade only (e.g. the "unicorn" grade for the first-unicorn target).
        try:
            chosen = result.criterion(f"grade_{grade}")
        except KeyError:
            raise ValueError(f"unknown unicorn grade {grade!r}") from None
        criteria = [c for c in criteria if c.key != "grade"] + [chosen]
        passed = all(c.passed for c in criteria)
    fy = decision.fiscal_year
    missing = [
        Missing(leaf.key, leaf.label, leaf.value, leaf.threshold, leaf.comparator, leaf.gap,
                leaf.relative_gap, leaf.unit, leaf.provisional,
                leaf.lever[1] if leaf.lever else _required(leaf), sentence(leaf, fy),
                *_gap_pair(leaf, fy))
        for c in criteria
        for leaf in failing_leaves(c)
    ]
    return NextStep(decision.firm_id, decision.tier, target, grade, passed, missing)


def _gap_pair(c: Criterion, fy: int) -> tuple[str, dict[str, Any]]:
    found = gap_of(c, fy)
    return found["kind"], found["params"]


def _required(c: Criterion) -> int | None:
    if c.unit in ("yuan", "usd", "count") and isinstance(c.threshold, int):
        return c.threshold + 1 if c.comparator == "gt" else c.threshold
    return None


def fmt(value: object, unit: str) -> str:
    """Human form of a value in its unit."""
    if value is None:
        return "unknown"
    if unit in ("yuan", "usd") and isinstance(value, (int, float)):
        return ("¥" if unit == "yuan" else "$") + _short(value)
    if unit in ("ratio", "rate") and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%"
    if unit == "years":
        return f"{value} years"
    return str(value)


def _short(x: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= size:
            return f"{x / size:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{x:,.0f}"


def _years(text: str, fy: int) -> str:
    return re.sub(r"FY(?!\d)(-(\d))?", lambda m: f"FY{fy - int(m.group(2) or 0)}", text)


def sentence(c: Criterion, fy: int) -> str:
    """One English sentence saying what would make c pass."""
    label = _years(c.label, fy)
    if c.value is None:
        return f"{label}: {_years(c.note or 'unknown', fy)}"
    if c.lever is not None:
        now, need = c.lever
        what = _QUANTITY.get(c.key, c.key)
        unit = "count" if c.key == "employee_cagr" else "yuan"
        span = f"in FY{fy}" if c.unit == "rate" else f"over {_years(c.note or 'FY', fy)}"
        return (f"{label} {fmt(c.value, c.unit)} vs >= {fmt(c.threshold, c.unit)}: "
                f"+{fmt(need - now, unit)} {what} {span} would pass")
    symbol = _SYMBOLS.get(c.comparator, c.comparator)
    head = f"{label} {fmt(c.value, c.unit)} vs {symbol} {fmt(c.threshold, c.unit)}"
    if c.unit == "years":
        return f"{head}: too old by {c.gap} years; cannot be changed"
    if c.unit == "flag":
        template = _FLAGS.get(c.key, "{label} is {value}; must be {threshold}")
        return template.format(label=label, value=c.value, threshold=c.threshold)
    if c.unit == "kinds":
        lacking = [k for k in c.threshold if k not in c.value]
        return f"{label}: lacking {', '.join(lacking)}"
    if c.gap is not None and c.unit in ("yuan", "usd", "count"):
        return f"{head}: +{fmt(c.gap, c.unit)} would pass"
    return head


def gap_of(c: Criterion, fy: int) -> dict[str, Any]:
    """The gap of a failing criterion as a catalogue key and parameters (the pages and the
    exports word it in the reader's language; `sentence` is the English wording)."""
    params: dict[str, Any] = {"key": c.key, "label": c.label, "fy": fy, "unit": c.unit,
                              "comparator": c.comparator, "value": _jsonable(c.value),
                              "threshold": _jsonable(c.threshold), "gap": _jsonable(c.gap)}
    if c.key == "founded":
        return {"kind": "not_founded", "params": {**params, "founded": c.threshold}}
    if c.value is None:
        key, note = note_of(c.note, fy)
        return {"kind": "unknown", "params": {**params, "note_key": key, "note_params": note}}
    if c.lever is not None:
        now, need = c.lever
        return {"kind": "lever", "params": {**params, "need": need - now,
                                            **span_params(c.note, fy)}}
    if c.unit == "years":
        return {"kind": "too_old", "params": params}
    if c.unit == "flag":
        return {"kind": "flag", "params": params}
    if c.unit == "kinds":
        lacking = [k for k in c.threshold if k not in c.value]
        return {"kind": "lacking", "params": {**params, "lacking": lacking}}
    if c.gap is not None and c.unit in ("yuan", "usd", "count"):
        return {"kind": "amount", "params": params}
    return {"kind": "compare", "params": params}


GAP_KINDS = ("unknown", "lever", "too_old", "flag", "lacking", "amount", "compare",
             "not_founded")


def failing_of(step: NextStep, *, gaps: bool = False) -> list[dict[str, Any]]:
    """A next step's failing criteria as plain data (events, the stored standing, the API);
    `gaps` adds each gap's catalogue kind and parameters (the stored standing and the API:
    the published events keep their contract)."""
    return [{"key": m.key, "label": m.label, "value": _jsonable(m.value),
             "threshold": _jsonable(m.threshold), "gap": _jsonable(m.gap), "hint": m.sentence,
             **({"gap_kind": m.gap_kind, "params": m.params} if gaps else {})}
            for m in step.missing]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
