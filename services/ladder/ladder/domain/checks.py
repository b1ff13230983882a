"""Criterion builders shared by the tier rules (hot path: plain ints, no pydantic)."""

from __future__ import annotations

from collections.abc import Mapping

from ladder.domain.compiled import Spec
from ladder.domain.decision import Criterion
from ladder.domain.facts import AnnualReport

# An exact non-negative amount as (numerator, denominator): FX conversions stay exact
# without paying for fractions.Fraction in the hot path.
Rational = tuple[int, int]
MISSING_FY = "missing report FY"
MISSING_FY1 = "missing report FY-1"
MISSING_FY3 = "missing report FY-3"


def crit(s: Spec, value: object, passed: bool, gap: float | None, rel: float | None,
         note: str | None = None, lever: tuple[int, int] | None = None) -> Criterion:
    """A leaf criterion carrying the spec's static fields."""
    return Criterion(s.key, s.label, value, s.threshold, s.comparator, passed, gap, rel,
                     s.provisional, s.source, note, s.unit, (), lever)


def missing(s: Spec, note: str) -> Criterion:
    """A criterion that fails because an input is absent (gap not quantifiable)."""
    return Criterion(s.key, s.label, None, s.threshold, s.comparator, False, None, None,
                     s.provisional, s.source, note, s.unit, (), None)


def flag(s: Spec, value: object, passed: bool) -> Criterion:
    """A yes/no criterion; its gap is not quantifiable."""
    return Criterion(s.key, s.label, value, s.threshold, s.comparator, passed,
                     0 if passed else None, 0.0 if passed else None, s.provisional, s.source,
                     None, s.unit, (), None)


def ge(s: Spec, value: int | None, note: str | None = None) -> Criterion:
    """value >= threshold (inclusive: 以上 / 不低于 / 不超过 on the other side)."""
    if value is None:
        return missing(s, note or MISSING_FY)
    thr = s.threshold
    if value >= thr:
        return Criterion(s.key, s.label, value, thr, "ge", True, 0, 0.0, s.provisional, s.source,
                         note, s.unit, (), None)
    gap = thr - value
    return Criterion(s.key, s.label, value, thr, "ge", False, gap, gap / thr if thr else None,
                     s.provisional, s.source, note, s.unit, (), None)


def gt(s: Spec, value: int | None, note: str | None = None) -> Criterion:
    """value > threshold (strict: 超过); integer gap = smallest passing value - value."""
    if value is None:
        return missing(s, note or MISSING_FY3)
    thr = s.threshold
    if value > thr:
        return crit(s, value, True, 0, 0.0, note)
    gap = thr + 1 - value
    return crit(s, value, False, gap, gap / thr if thr else None, note)


def le(s: Spec, value: int) -> Criterion:
    """value <= threshold (ages: 不超过N年)."""
    thr = s.threshold
    if value <= thr:
        return Criterion(s.key, s.label, value, thr, "le", True, 0, 0.0, s.provisional, s.source,
                         None, s.unit, (), None)
    gap = value - thr
    return Criterion(s.key, s.label, value, thr, "le", False, gap, gap / thr, s.provisional,
                     s.source, None, s.unit, (), None)


def rising(s: Spec, now: int | None, before: int | None) -> Criterion:
    """now > before, e.g. revenue[FY] > revenue[FY-1]; the threshold is last year's value."""
    if now is None or before is None:
        return missing(s, MISSING_FY if now is None else MISSING_FY1)
    if now > before:
        passed, gap = True, 0
    else:
        passed, gap = False, before + 1 - now
    return Criterion(s.key, s.label, now, before, "gt", passed, gap,
                     (gap / before if before else None) if gap else 0.0, s.provisional,
                     s.source, None, s.unit, (), None)


def cagr(s: Spec, now: int | None, base: int | None) -> Criterion:
    """3-year CAGR >= rate, decided exactly: now * den >= base * num with num/den = (1+g)**3."""
    if now is None:
        return missing(s, MISSING_FY)
    if base is None:
        return missing(s, MISSING_FY3)
    if base <= 0:
        return missing(s, "base year FY-3 is 0")
    # Display value only; the verdict below uses integer arithmetic.
    value = round((now / base) ** (1 / 3) - 1, 10) if now >= 0 else None
    if now * s.den >= base * s.num:
        return crit(s, value, True, 0, 0.0)
    required = -(-base * s.num // s.den)
    gap = max(s.threshold - value, 0.0) if value is not None else None
    rel = gap / s.threshold if gap is not None and s.threshold else None
    return crit(s, value, False, gap, rel, None, (now, required))


def intensity_sums(reports: Mapping[int, AnnualReport], fy: int, years: int,
                   field: str) -> tuple[int, int, int]:
    """sum(field), sum(revenue) over the reports of the `years` up to `fy`, and the first
    year found."""
    num = den = 0
    first = fy
    for y in range(fy - years + 1, fy + 1):
        r = reports.get(y)
        if r is not None:
            first = min(first, y)
            num += getattr(r, field)
            den += r.revenue
    return num, den, first


def intensity_passes(s: Spec, reports: Mapping[int, AnnualReport], fy: int, years: int,
                     field: str) -> bool:
    """`intensity(...).passed`, without the criterion."""
    if fy not in reports:
        return False
    num, den, _ = intensity_sums(reports, fy, years, field)
    return den > 0 and num * s.den >= den * s.num


def intensity(s: Spec, reports: Mapping[int, AnnualReport], fy: int, years: int,
              field: str) -> Criterion:
    """sum(field) / sum(revenue) over the last up-to-`years` reports >= threshold (exact)."""
    if fy not in reports:
        return missing(s, MISSING_FY)
    num, den, first = intensity_sums(reports, fy, years, field)
    note = f"FY{first}-FY{fy}" if first != fy else f"FY{fy} only"
    if den <= 0:
        return missing(s, f"no revenue in {note}")
    value = num / den
    if num * s.den >= den * s.num:
        return crit(s, value, True, 0, 0.0, note)
    gap = s.threshold - value
    required = -(-den * s.num // s.den)
    return crit(s, value, False, gap, gap / s.threshold, note, (num, required))


def money(s: Spec, value: Rational | None, note: str | None = None) -> Criterion:
    """Converted money (num, den) >= threshold, compared exactly; shown floored to whole units."""
    if value is None:
        return missing(s, note or "no funding rounds")
    num, den = value
    thr = s.threshold
    shown = num // den  # floor keeps the >= verdict honest for whole-unit thresholds
    if num >= thr * den:
        return crit(s, shown, True, 0, 0.0, note)
    gap = -((num - thr * den) // den)  # ceil(thr - num/den)
    return crit(s, shown, False, gap, gap / thr if thr else None, note)


def group(s: Spec, children: tuple[Criterion, ...]) -> Criterion:
    """Composite criterion: "all" needs every child, "any" needs one."""
    passing = 0
    for c in children:
        if c.passed:
            passing += 1
    passed = passing == len(children) if s.comparator == "all" else passing > 0
    return Criterion(s.key, s.label, passing, s.threshold, s.comparator, passed,
                     0 if passed else None, 0.0 if passed else None, s.provisional, s.source,
                     None, s.unit, children, None)
