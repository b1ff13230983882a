"""Reading a round's applications in bulk (the province platform's export): one row per
application with the dates of its steps. Pure: rows in, applications and steps out.

Columns: `uscc, round_year, tier, applied_on` and, as far as the application went,
`district_checked_on, district_passed, district_reason, recommended_on, not_filed_on,
not_filed_reason, withdrawn_on, note`. The `filed` step comes with the list (kind=filings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from registry.domain.csv_import import RowError
from registry.domain.filing_import import TIER_WORDS
from registry.domain.models import ApplicationIn, StepIn

APPLICATION_COLUMNS = ("uscc", "round_year", "tier", "applied_on", "district_checked_on",
                       "district_passed", "district_reason", "recommended_on", "not_filed_on",
                       "not_filed_reason", "withdrawn_on", "note")
TRUE, FALSE = ("true", "1", "yes", "是", "通过"), ("false", "0", "no", "否", "未通过")


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """A valid row: whose application, and the steps it went through, in order."""

    uscc: str
    body: ApplicationIn
    steps: tuple[StepIn, ...]


def check_columns(header: list[str]) -> None:
    """Refuse columns we do not know, and a file without the four that make an application."""
    from shared.errors import Rejected

    unknown = [c for c in header if c and c not in APPLICATION_COLUMNS]
    if unknown:
        raise Rejected("file", "csv_columns", f"unknown columns: {', '.join(unknown)}; "
                       f"allowed: {', '.join(APPLICATION_COLUMNS)}")
    missing = [c for c in APPLICATION_COLUMNS[:4] if c not in header]
    if missing:
        raise Rejected("file", "csv_columns", f"missing columns: {', '.join(missing)}")


def validate_application(number: int, raw: dict[str, str]
                         ) -> tuple[ApplicationRow | None, list[RowError]]:
    """(parsed, errors) for row `number`; blanks mean the application did not get that far."""
    v = {k: x for k, x in raw.items() if x != ""}
    uscc = v.get("uscc", "").upper()
    if not uscc:
        return None, [RowError(number, "uscc", "required")]
    try:
        body = ApplicationIn.model_validate({
            "round_year": v.get("round_year"), "tier": TIER_WORDS.get(v.get("tier", ""),
                                                                      v.get("tier")),
            "applied_on": v.get("applied_on"), "note": v.get("note")})
        steps = []
        if "district_checked_on" in v:
            passed = v.get("district_passed", "").lower()
            if passed not in TRUE + FALSE:
                return None, [RowError(number, "district_passed", "give true or false")]
            steps.append(StepIn(step="district_checked", on=_day(v["district_checked_on"]),
                                passed=passed in TRUE, reason=v.get("district_reason")))
        if "recommended_on" in v:
            steps.append(StepIn(step="recommended", on=_day(v["recommended_on"])))
        if "not_filed_on" in v:
            steps.append(StepIn(step="not_filed", on=_day(v["not_filed_on"]),
                                reason=v.get("not_filed_reason")))
        if "withdrawn_on" in v:
            steps.append(StepIn(step="withdrawn", on=_day(v["withdrawn_on"])))
    except ValidationError as exc:
        return None, [RowError(number, ".".join(map(str, e["loc"])) or "row", e["msg"])
                      for e in exc.errors()]
    except ValueError as exc:
        return None, [RowError(number, "row", str(exc))]
    return ApplicationRow(uscc, body, tuple(steps)), []


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date such as 2024-12-10") from None
