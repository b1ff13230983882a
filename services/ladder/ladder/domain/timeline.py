"""The fold: (rulebook, a firm's dated facts) -> the firm's timeline of decisions (pure).

docs/rulebook.md "Time": the standing on day D is what the state machine gives when every fact
valid on or before D, and every filing expiry on or before D, is applied in date order.
A decision taken on D belongs to round year year(D) and reads the report of FY year(D)-1
or, failing that, FY year(D)-2 (`report_max_age_years`), as filed by D.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from ladder.domain.compiled import CompiledRulebook, compile_rulebook
from ladder.domain.dated import DatedFacts, Override
from ladder.domain.decision import TIER_RANK, Decision
from ladder.domain.facts import FirmFacts
from ladder.domain.rulebook import Rulebook
from ladder.domain.rules import Verdict, evaluate, verdict
from ladder.domain.standing import FILED_TIERS, Standing, Transition, apply_decision, set_override


@dataclass(frozen=True, slots=True)
class Step:
    """One decision of the timeline: what changed on `on`, and the standing after it."""

    on: date
    change: str  # promoted | demoted | revoked | at_risk | recovered | renewed | override...
    from_tier: str
    standing: Standing
    reason: str
    fiscal_year: int | None = None  # the report the decision read (None: none was recent)
    counts_toward: str | None = None  # the target key the firm entered from below
    by: str | None = None  # the officer, for overrides
    decision: Decision | None = None  # the evaluation behind it (trace)

    @property
    def round_year(self) -> int:
        """A decision taken on D belongs to round year year(D)."""
        return self.on.year

    @property
    def to_tier(self) -> str:
        return self.standing.tier

    def signature(self) -> tuple[object, ...]:
        """What makes two decisions the same decision (the trace may differ)."""
        s = self.standing
        return (self.on, self.change, self.from_tier, s.tier, s.unicorn_grade, s.at_risk,
                s.filed_on, s.expires_on, s.override)


@dataclass(frozen=True)
class Timeline:
    """Every decision from the first fact to `until`, and where that leaves the firm."""

    until: date
    steps: tuple[Step, ...]
    standing: Standing
    next_expiry: date | None  # the next filing expiry after `until`, if any
    rulebook: Rulebook = field(repr=False, compare=False)
    facts: DatedFacts = field(repr=False, compare=False)

    @cached_property
    def _verdict(self) -> tuple[Decision, int | None]:
        # evaluated on first use: a what-if over a city reads only the standing of most firms
        return decide(self.rulebook, self.facts, self.until)

    @property
    def last(self) -> Decision:
        """The evaluation on `until` (what the rules say that day)."""
        return self._verdict[0]

    @property
    def evaluated(self) -> bool:
        """False when no recent report was valid on `until`."""
        return self._verdict[1] is not None

    def standing_on(self, day: date) -> Standing:
        """The standing at the end of `day` (day <= until)."""
        found = Standing()
        for step in self.steps:
            if step.on > day:
                break
            found = step.standing
        return found


def report_year(facts_on_day: FirmFacts, day: date, max_age: int) -> int | None:
    """The fiscal year a decision on `day` reads: year(day)-1, else back to -max_age."""
    return next((fy for fy in range(day.year - 1, day.year - 1 - max_age, -1)
                 if fy in facts_on_day.reports), None)


def decide(rulebook: Rulebook, facts: DatedFacts, day: date) -> tuple[Decision, int | None]:
    """The rules' verdict on `day` from the facts valid that day, and the report year read."""
    on_day = facts.on(day)
    fy = report_year(on_day, day, rulebook.report_max_age_years)
    return _evaluate(rulebook, on_day, fy, day), fy


def _evaluate(rulebook: Rulebook, on_day: FirmFacts, fy: int | None, day: date) -> Decision:
    decision = evaluate(compile_rulebook(rulebook), on_day,
                        fy if fy is not None else day.year - 1, as_of=day, age_year=day.year - 1)
    decision.round_year = day.year
    return decision


def _verdict(c: CompiledRulebook, on_day: FirmFacts, fy: int | None, day: date,
             like: tuple[CompiledRulebook, Verdict] | None = None) -> Verdict:
    """`_evaluate`'s tiers without the trace."""
    return verdict(c, on_day, fy if fy is not None else day.year - 1,
                   day, age_year=day.year - 1, like=like)


def _unchanged_whatever_the_rules(standing: Standing, on_day: FirmFacts, fy: int | None,
                                  day: date) -> bool:
    """True when `apply_decision` answers "unchanged" on `day` without reading the verdict:
    not on the dishonesty list, and an override holds or no recent report leaves nothing to
    evaluate (and no filing expires). The fold then skips the evaluation (its cost) and
    records the same timeline."""
    if on_day.dishonest_list:
        return False
    if standing.override:
        return True
    return fy is None and not (standing.tier in FILED_TIERS and standing.is_expired(day))


def target_key(before: Standing, after: Standing) -> str | None:
    """The target a move counts toward: a tier entered from below (docs/rulebook.md "Targets")."""
    if after.tier == "unicorn":
        was_unicorn = before.tier == "unicorn" and before.unicorn_grade == "unicorn"
        return "unicorn" if after.unicorn_grade == "unicorn" and not was_unicorn and (
            TIER_RANK[before.tier] <= TIER_RANK["unicorn"]) else None
    if after.tier != "none" and TIER_RANK[after.tier] > TIER_RANK[before.tier]:
        return after.tier
    return None


def _override_step(standing: Standing, o: Override, validity: int) -> Step:
    if o.tier is None:
        cleared = replace(standing, override=False, override_reason=None)
        return Step(o.set_on, "override_cleared", standing.tier, cleared,
                    f"manual override lifted by {o.by}: {o.reason}", by=o.by)
    new = set_override(standing, o.tier, o.reason, o.set_on, o.unicorn_grade, validity)
    return Step(o.set_on, "override", standing.tier, new,
                f"manual override by {o.by}: {o.reason}", counts_toward=target_key(standing, new),
                by=o.by)


def _step(t: Transition, day: date, fy: int | None, decision: Decision | None) -> Step:
    counts = target_key(t.previous, t.new_standing) if t.kind == "promoted" else None
    return Step(day, t.kind, t.previous.tier, t.new_standing, t.reason, fy, counts,
                decision=decision)


def _expiry(standing: Standing) -> date | None:
    if standing.override or standing.tier not in FILED_TIERS:
        return None
    return standing.expires_on


def fold(rulebook: Rulebook, facts: DatedFacts, until: date, *,
         facts_by_day: dict[date, FirmFacts] | None = None,
         verdicts: dict[tuple[date, int | None], tuple[CompiledRulebook, Verdict]] | None = None,
         traces: bool = True) -> Timeline:
    """The firm's timeline up to `until`: one verdict per day with a fact or an expiry, and
    the evaluation with its trace (`rules.evaluate`) on the days the standing moves.

    `facts_by_day` memoises `facts.on(day)` for the days folded (it must belong to these
    `facts`): a what-if passes the same dict to the baseline's and the draft's fold, so the
    facts of each day are built once. On a day with an expiry and no fact, the facts are
    those of the last fact day, so they are not rebuilt. `verdicts` (same facts) keeps each
    day's verdict; a later fold under another rulebook takes from it the tiers both
    rulebooks judge alike (`rules.same_tiers`): a what-if's draft re-evaluates only the tiers
    it changes. `traces=False` leaves the steps without their decision (a what-if counts the
    moves and shows none of their traces); `Timeline.last` is evaluated all the same."""
    memo: dict[date, FirmFacts] = {} if facts_by_day is None else facts_by_day
    c = compile_rulebook(rulebook)
    validity = rulebook.filing_validity_years
    overrides: dict[date, list[Override]] = defaultdict(list)
    for o in sorted(facts.overrides, key=lambda o: (o.set_on, o.order)):
        overrides[o.set_on].append(o)
    days = sorted(d for d in facts.dates() if d <= until)
    standing, steps, i = Standing(), [], 0
    on_day: FirmFacts | None = None
    while True:
        expiry = _expiry(standing)
        fact_day = days[i] if i < len(days) else None
        candidates = [d for d in (fact_day, expiry) if d is not None and d <= until]
        if not candidates:
            break
        day = min(candidates)
        if fact_day == day:
            i += 1
        for o in overrides.get(day, ()):
            step = _override_step(standing, o, validity)
            steps.append(step)
            standing = step.standing
        if fact_day == day or on_day is None:
            known = memo.get(day)
            if known is None:
                known = memo[day] = facts.on(day)
            on_day = known
        # else: an expiry between two fact days, when the facts are the last fact day's
        fy = report_year(on_day, day, rulebook.report_max_age_years)
        if _unchanged_whatever_the_rules(standing, on_day, fy, day):
            continue
        # the verdict first; the trace only on a day that moves the standing
        v = _verdict(c, on_day, fy, day,
                     verdicts.get((day, fy)) if verdicts is not None else None)
        if verdicts is not None:
            verdicts.setdefault((day, fy), (c, v))
        t = apply_decision(standing, v, day, validity, evaluated=fy is not None)
        if t.kind != "unchanged":
            decision = _evaluate(rulebook, on_day, fy, day) if traces else None
            steps.append(_step(t, day, fy, decision))
            standing = t.new_standing
    return Timeline(until, tuple(steps), standing, _expiry(standing), rulebook, facts)
