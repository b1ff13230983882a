"""Facts the ladder reads: annual reports, funding rounds, certificates, firm facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

CERTIFICATE_KINDS = frozenset(
    {
        "high_tech_enterprise",
        "tech_sme",
        "software_enterprise",
        "software_product",
        "contest_prize_national",
        "contest_prize_provincial",
        "st_award",
    }
)
COMPANY_KINDS = frozenset({"independent", "branch", "production_base", "sales", "trading"})
CURRENCIES = frozenset({"CNY", "USD"})
INVESTOR_KINDS = frozenset({"vc_pe", "other"})
# The high-tech-enterprise certificate is valid 3 years (国科发火〔2016〕32号).
HIGH_TECH_VALIDITY_YEARS = 3


def add_years(d: date, years: int) -> date:
    """Return d shifted by whole years (Feb 29 falls back to Feb 28)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """One fiscal year's reported figures; money in integer yuan."""

    fiscal_year: int
    revenue: int
    sales_revenue: int
    total_assets: int
    employees: int
    st_staff: int
    rd_expense: int
    st_activity_investment: int
    high_tech_revenue: int
    ip_class1: int
    ip_class2: int
    total_cost: int | None = None


@dataclass(frozen=True, slots=True)
class FundingRound:
    """A closed financing round; amounts in the round's currency (integer units)."""

    closed_on: date
    amount: int
    currency: str  # "CNY" | "USD"
    post_money_valuation: int
    investor_kind: str  # "vc_pe" | "other"

    def __post_init__(self) -> None:
        if self.currency not in CURRENCIES:
            raise ValueError(f"currency must be one of {sorted(CURRENCIES)}: {self.currency!r}")
        if self.investor_kind not in INVESTOR_KINDS:
            raise ValueError(f"investor_kind must be one of {sorted(INVESTOR_KINDS)}")


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate, registration or award held by a firm."""

    kind: str
    issued_on: date
    expires_on: date | None = None
    revoked_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in CERTIFICATE_KINDS:
            raise ValueError(f"unknown certificate kind {self.kind!r}")

    def valid_until(self) -> date | None:
        """Last day of validity, or None when the certificate does not expire."""
        if self.expires_on is not None:
            return self.expires_on
        if self.kind == "high_tech_enterprise":
            # Three years from issue: the day before the third anniversary is the last day.
            third_anniversary = add_years(self.issued_on, HIGH_TECH_VALIDITY_YEARS)
            return date.fromordinal(third_anniversary.toordinal() - 1)
        if self.kind == "tech_sme":
            # A tech-SME registration holds for its calendar year only.
            return date(self.issued_on.year, 12, 31)
        return None

    def is_valid_on(self, d: date) -> bool:
        """True when issued by d, not revoked by d and not yet expired on d."""
        if d < self.issued_on:
            return False
        if self.revoked_on is not None and self.revoked_on <= d:
            return False
        until = self.valid_until()
        return until is None or d <= until


@dataclass(frozen=True, slots=True)
class FirmFacts:
    """Everything the rules read about one firm, as projected by the service."""

    firm_id: str
    founded_on: date
    company_kind: str  # "independent" | "branch" | "production_base" | "sales" | "trading"
    listed: bool
    abnormal_list: bool
    dishonest_list: bool
    district: str
    industry: str
    reports: Mapping[int, AnnualReport]
    funding_rounds: tuple[FundingRound, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    innovation_score: float | None = None

    def __post_init__(self) -> None:
        if self.company_kind not in COMPANY_KINDS:
            raise ValueError(f"company_kind must be one of {sorted(COMPANY_KINDS)}")
