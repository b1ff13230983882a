"""Profile fields and compliance flags as dated facts (docs/rulebook.md "Time"): pure, no I/O.

A fact is one field's value valid from a date. The value of a field on a day is that of its
latest fact valid by then (latest date, then latest recorded); a corrected fact no longer
counts. A change is a no-op only when the same value is already valid from the same date.
The founding date is the exception: a change of it corrects every date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

Row = dict[str, Any]  # one stored fact

FACT_FIELDS = ("name", "district", "industry", "founded_on", "company_kind", "listed",
               "abnormal_list", "dishonest_list")


def from_json(field: str, value: Any) -> Any:
    """A fact's stored (JSON) value as the profile holds it."""
    return date.fromisoformat(value) if field == "founded_on" and isinstance(value, str) \
        else value


def to_json(value: Any) -> Any:
    """A profile value as a fact stores it (JSON)."""
    return value.isoformat() if isinstance(value, date) else value


def standing_facts(facts: Iterable[Row]) -> list[Row]:
    """The facts that count (not corrected), in valid order: date, then recording order."""
    return sorted((f for f in facts if f["corrected_by"] is None),
                  key=lambda f: (f["valid_from"], f["n"]))


# a change of the founding date is a correction applying to every date (docs/rulebook.md
# "Time"): its latest recorded value holds whatever the day
EVERY_DATE = ("founded_on",)


def fact_on(facts: Iterable[Row], field: str, day: date) -> Row | None:
    """The fact giving `field` its value on `day` (None before any)."""
    if field in EVERY_DATE:
        return max((f for f in facts if f["field"] == field and f["corrected_by"] is None),
                   key=lambda f: f["n"], default=None)
    found = None
    for f in standing_facts(facts):
        if f["field"] == field and f["valid_from"] <= day:
            found = f
    return found


def profile_on(facts: Iterable[Row], day: date, fallback: Mapping[str, Any]) -> dict[str, Any]:
    """Every field's value on `day`; a field with no fact valid yet keeps `fallback`'s."""
    kept = list(facts)
    out = {}
    for name in FACT_FIELDS:
        fact = fact_on(kept, name, day)
        out[name] = from_json(name, fact["value"]) if fact is not None else fallback[name]
    return out


def unchanged_fact(facts: Iterable[Row], field: str, value: Any, day: date) -> Row | None:
    """The standing fact already giving `field` this value from `day` exactly, if any (then
    recording it again changes nothing)."""
    if field in EVERY_DATE:
        latest = fact_on(facts, field, day)
        return latest if latest is not None and from_json(field, latest["value"]) == value \
            else None
    same_day = [f for f in standing_facts(facts) if f["field"] == field and f["valid_from"] == day]
    if same_day and from_json(field, same_day[-1]["value"]) == value:
        return same_day[-1]
    return None
