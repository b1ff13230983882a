"""Certificate validity rules and fact validation."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.domain.facts import Certificate, FundingRound, add_years
from tests.unit.ladder.builders import facts

pytestmark = pytest.mark.unit


def test_high_tech_certificate_valid_three_years_from_issue() -> None:
    c = Certificate("high_tech_enterprise", date(2020, 3, 15))
    assert not c.is_valid_on(date(2020, 3, 14))
    assert c.is_valid_on(date(2020, 3, 15))
    assert c.is_valid_on(date(2023, 3, 14))
    assert not c.is_valid_on(date(2023, 3, 15))


def test_explicit_expiry_and_revocation() -> None:
    c = Certificate("high_tech_enterprise", date(2020, 1, 1), expires_on=date(2020, 6, 30))
    assert c.is_valid_on(date(2020, 6, 30)) and not c.is_valid_on(date(2020, 7, 1))
    r = Certificate("software_product", date(2020, 1, 1), revoked_on=date(2021, 1, 1))
    assert r.is_valid_on(date(2020, 12, 31)) and not r.is_valid_on(date(2021, 1, 1))


def test_tech_sme_registration_holds_for_its_calendar_year() -> None:
    c = Certificate("tech_sme", date(2022, 5, 1))
    assert c.is_valid_on(date(2022, 12, 31))
    assert not c.is_valid_on(date(2023, 1, 1))


def test_awards_do_not_expire() -> None:
    assert Certificate("st_award", date(2001, 1, 1)).is_valid_on(date(2030, 1, 1))


def test_leap_day_anniversary() -> None:
    assert add_years(date(2020, 2, 29), 3) == date(2023, 2, 28)


def test_unknown_kinds_are_rejected() -> None:
    with pytest.raises(ValueError, match="certificate kind"):
        Certificate("iso9001", date(2020, 1, 1))
    with pytest.raises(ValueError, match="currency"):
        FundingRound(date(2020, 1, 1), 1, "EUR", 1, "vc_pe")
    with pytest.raises(ValueError, match="company_kind"):
        facts(company_kind="cooperative")
