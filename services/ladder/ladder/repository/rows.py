"""Rows of the projection as the domain's dated facts (pure: the fake repository uses it too)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.dated import DatedFacts, Override, ProfileChange, ReportVersion
from ladder.domain.facts import AnnualReport, Certificate, FirmFacts, FundingRound

Row = Mapping[str, Any] | asyncpg.Record
# the profile before any change: the registration (effective from founding) sets it
NEUTRAL = {"company_kind": "independent", "listed": False, "abnormal_list": False,
           "dishonest_list": False}


def report(data: Mapping[str, Any]) -> AnnualReport:
    """An annual report from its stored JSON."""
    return AnnualReport(**{k: data.get(k) for k in AnnualReport.__slots__})  # type: ignore[arg-type]


def facts(firm: Row, reports: list[Any], rounds: list[Any],
          certs: list[Any]) -> FirmFacts:
    """A firm's facts from its row and its reports, rounds and certificates."""
    return FirmFacts(
        firm_id=str(firm["id"]), founded_on=firm["founded_on"],
        company_kind=firm["company_kind"], listed=firm["listed"],
        abnormal_list=firm["abnormal_list"], dishonest_list=firm["dishonest_list"],
        district=firm["district"], industry=firm["industry"],
        reports={r["fiscal_year"]: report(r["data"]) for r in reports},
        funding_rounds=tuple(FundingRound(r["closed_on"], r["amount"], r["currency"],
                                          r["post_money_valuation"], r["investor_kind"])
                             for r in sorted(rounds, key=lambda r: r["closed_on"])),
        certificates=tuple(Certificate(c["kind"], c["issued_on"], c["expires_on"],
                                       c["revoked_on"]) for c in certs),
    )


def dated(firm: Row, reports: list[Any], rounds: list[Any], certs: list[Any],
          changes: list[Any], overrides: list[Any]) -> DatedFacts:
    """Every dated fact of a firm; profile flags come from its dated changes."""
    base = facts({**dict(firm), **NEUTRAL}, [], rounds, certs)
    return DatedFacts(
        firm=base,
        reports=tuple(ReportVersion(r["filed_on"], report(r["data"]), r["sequence"])
                      for r in reports),
        changes=tuple(ProfileChange(c["effective_on"], c["changes"], c["sequence"])
                      for c in changes),
        overrides=tuple(Override(o["set_on"], o["tier"], o["reason"], o["set_by"],
                                 o["unicorn_grade"], o["id"]) for o in overrides),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def json_rows(raw: str, *dates: str) -> list[dict[str, Any]]:
    """Rows aggregated by `json_agg`, with their date columns parsed."""
    return [{**r, **{k: _day(r[k]) for k in dates}} for r in json.loads(raw)]
