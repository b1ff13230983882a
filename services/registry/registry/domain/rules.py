"""The registry's rules that need the stored firm, not only the request: pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.errors import Conflict, Rejected

FLAGS = ("abnormal_list", "dishonest_list", "listed")  # compliance flags, each its own event


def check_fiscal_year(founded_on: date, fiscal_year: int, today: date) -> None:
    """A report's year lies between the firm's founding year and the current year."""
    if fiscal_year < founded_on.year:
        raise Rejected("fiscal_year", "after_founding",
                       f"fiscal year {fiscal_year} is before the firm was founded "
                       f"({founded_on.isoformat()})")
    if fiscal_year > today.year:
        raise Rejected("fiscal_year", "not_future",
                       f"fiscal year {fiscal_year} is after the current year {today.year}")


def filed_on(fiscal_year: int, given: date | None, stored: date | None, today: date) -> date:
    """The report's valid date: given, else the stored one (a restatement corrects that
    filing), else today; never before 1 January of FY+1."""
    value = given or stored or today
    if value < date(fiscal_year + 1, 1, 1):
        raise Rejected("filed_on", "after_fiscal_year",
                       f"filed_on {value} is before the end of fiscal year {fiscal_year}: "
                       f"a report for FY{fiscal_year} is filed on {fiscal_year + 1}-01-01 or later")
    return value


def check_patch(firm: Mapping[str, Any], changes: Mapping[str, Any], effective_on: date,
                earliest_report_year: int | None) -> None:
    """A profile change keeps founding before every report and the change after founding."""
    if "founded_on" in changes and earliest_report_year is not None \
            and changes["founded_on"].year > earliest_report_year:
        raise Rejected("founded_on", "before_reports",
                       f"the firm has a report for fiscal year {earliest_report_year}; "
                       "it cannot be founded after that year")
    founded = changes.get("founded_on", firm["founded_on"])
    if effective_on < founded:
        raise Rejected("effective_on", "after_founding",
                       f"effective_on {effective_on} is before the firm was founded ({founded})")



def registration(existing: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> bool:
    """Whether registering `fields` adds a firm: False for an identical replay; a 409 when
    another firm holds the USCC."""
    if existing is None:
        return True
    if all(existing[k] == v for k, v in fields.items()):
        return False
    raise Conflict(f"a firm with USCC {fields['uscc']} is already registered",
                   existing_firm_id=str(existing["id"]), existing_name=existing["name"])


def report_version(founded_on: date, fiscal_year: int, figures: Mapping[str, Any],
                   given_filed_on: date | None, stored: Mapping[str, Any] | None,
                   today: date) -> dict[str, Any] | None:
    """The version of a year's report to store (figures and valid date); None when it is the
    stored one."""
    check_fiscal_year(founded_on, fiscal_year, today)
    stored_on = stored["filed_on"] if stored is not None else None
    data = {**figures, "filed_on": filed_on(fiscal_year, given_filed_on, stored_on, today)}
    if stored is not None and all(stored[k] == v for k, v in data.items()):
        return None
    return data
