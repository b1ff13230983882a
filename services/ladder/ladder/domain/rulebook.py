"""Versioned rulebook: every threshold as data, with its source and provisional flag."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, field_validator, model_validator

from ladder.domain.rule_types import (
    Cited,
    Condition,
    CountRule,
    Model,
    MoneyRule,
    RateRule,
    RatioRule,
    SalesBandRule,
    ScoreRule,
    ScoreTable,
    YearsRule,
)

DEFAULT_RULEBOOK_FILE = Path(__file__).resolve().parent.parent / "rulebooks" / "ln-2021.yaml"
_MIN_YEAR, _MAX_YEAR = 2000, 2100


class EagletRules(Cited):
    """Eaglet 雏鹰."""

    max_age_years: YearsRule
    independent: Condition
    not_abnormal: Condition
    not_dishonest: Condition
    min_ip_class1: CountRule
    min_ip_class2: CountRule
    software_certificates: Condition
    contest_prize_window_years: YearsRule
    high_tech_certificate: Condition
    st_award: Condition


class GazelleRules(Cited):
    """Gazelle 瞪羚."""

    max_age_years: YearsRule
    scale_young_max_age_years: YearsRule
    scale_young_min_revenue: MoneyRule
    scale_old_max_age_years: YearsRule
    scale_old_min_revenue: MoneyRule
    revenue_cagr_min: RateRule
    revenue_base_above: MoneyRule
    revenue_rising: Condition
    employee_cagr_min: RateRule
    employee_base_above: CountRule
    employees_rising: Condition
    venture_min_round: MoneyRule
    venture_window_years: YearsRule
    st_intensity_min: RatioRule
    st_intensity_years: YearsRule
    not_dishonest: Condition


class UnicornGrade(Cited):
    """Unicorn grade proper (counts toward the first-unicorn target)."""

    max_age_years: YearsRule
    min_valuation_usd: MoneyRule


class PotentialGrade(Cited):
    """Potential unicorn: thresholds depend on an age band."""

    max_age_years: YearsRule
    young_max_age_years: YearsRule
    young_min_valuation_usd: MoneyRule
    young_min_funding_usd: MoneyRule
    min_valuation_usd: MoneyRule
    min_funding_usd: MoneyRule


class SeedGrade(Cited):
    """Seed unicorn, thresholds in CNY."""

    max_age_years: YearsRule
    min_valuation_cny: MoneyRule
    min_funding_cny: MoneyRule


class UnicornRules(Cited):
    """Unicorn 独角兽 with its three grades."""

    vc_pe_backed: Condition
    not_listed: Condition
    not_dishonest: Condition
    unicorn: UnicornGrade
    potential: PotentialGrade
    seed: SeedGrade


class LeaderRules(Cited):
    """Leader 领军 (provisional house default)."""

    min_revenue: MoneyRule
    rd_intensity_min: RatioRule
    rd_intensity_years: YearsRule
    high_tech_certificate: Condition
    not_dishonest: Condition


class Tiers(Model):
    """The four ladder tiers."""

    eaglet: EagletRules
    gazelle: GazelleRules
    unicorn: UnicornRules
    leader: LeaderRules


class HighTechRules(Cited):
    """High-tech enterprise 高新技术企业 readiness."""

    min_age_years: YearsRule
    core_ip_class1: CountRule
    core_ip_class2: CountRule
    st_staff_share_min: RatioRule
    rd_years: YearsRule
    rd_intensity: SalesBandRule
    high_tech_revenue_share_min: RatioRule
    innovation_score_above: ScoreRule
    validity_years: YearsRule


class TechSmeRules(Cited):
    """Tech SME 科技型中小企业 readiness."""

    max_employees: CountRule
    max_sales: MoneyRule
    max_total_assets: MoneyRule
    min_score: ScoreRule
    staff_share: ScoreTable
    rd_sales: ScoreTable
    rd_cost: ScoreTable
    ip_class1: ScoreTable
    ip_class2: ScoreTable
    fast_track_high_tech: Condition


class Certifications(Model):
    """The two national certifications."""

    high_tech_enterprise: HighTechRules
    tech_sme: TechSmeRules


class Rulebook(Model):
    """One rulebook version."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1)
    round_years: list[int] = Field(min_length=1)
    fx_usd_cny: dict[int, Decimal]
    fx_source: str = Field(min_length=1)
    filing_validity_years: int = Field(ge=1, le=10)
    # provisional (docs/rulebook.md "Time"): a decision on D reads the report of FY year(D)-1 or,
    # failing that, FY year(D)-2; older reports leave the firm unevaluated
    report_max_age_years: int = Field(default=2, ge=1, le=5)
    tiers: Tiers
    certifications: Certifications

    @field_validator("round_years")
    @classmethod
    def _sane_round_years(cls, years: list[int]) -> list[int]:
        for y in years:
            if not _MIN_YEAR <= y <= _MAX_YEAR:
                raise ValueError(f"round year {y} outside {_MIN_YEAR}..{_MAX_YEAR}")
        if len(set(years)) != len(years):
            raise ValueError("round years must be unique")
        return sorted(years)

    @field_validator("fx_usd_cny")
    @classmethod
    def _sane_fx(cls, fx: dict[int, Decimal]) -> dict[int, Decimal]:
        for y, rate in fx.items():
            if not _MIN_YEAR <= y <= _MAX_YEAR:
                raise ValueError(f"fx year {y} outside {_MIN_YEAR}..{_MAX_YEAR}")
            if not Decimal(0) < rate < Decimal(100):
                raise ValueError(f"fx rate for {y} must be in (0, 100): {rate}")
        if not fx:
            raise ValueError("at least one fx rate is required")
        return fx

    @model_validator(mode="after")
    def _fx_covers_rounds(self) -> Rulebook:
        # Each round evaluates fiscal year Y-1, whose USD thresholds need that year's rate.
        missing = [y - 1 for y in self.round_years if y - 1 not in self.fx_usd_cny]
        if missing:
            raise ValueError(f"fx_usd_cny lacks fiscal years {missing} of the round years")
        return self

    def applies_to(self, round_year: int) -> bool:
        """True when this rulebook is the one for round_year."""
        return round_year in self.round_years

    def fx_for(self, year: int) -> Decimal:
        """CNY per USD for year; the nearest earlier year (else earliest) when absent."""
        if year in self.fx_usd_cny:
            return self.fx_usd_cny[year]
        earlier = [y for y in self.fx_usd_cny if y < year]
        return self.fx_usd_cny[max(earlier) if earlier else min(self.fx_usd_cny)]


def load_rulebook(path_or_text: str | Path) -> Rulebook:
    """Parse and validate a rulebook from a YAML file path or YAML text."""
    if isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and path_or_text.endswith((".yaml", ".yml"))
    ):
        text = Path(path_or_text).read_text(encoding="utf-8")
    else:
        text = path_or_text
    return Rulebook.model_validate(yaml.safe_load(text))


@functools.lru_cache(maxsize=1)
def default_rulebook() -> Rulebook:
    """The shipped LN-2021 rulebook (cached; the model is frozen)."""
    return load_rulebook(DEFAULT_RULEBOOK_FILE)


def _deep_merge(base: dict[Any, Any], overrides: dict[Any, Any]) -> dict[Any, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(key, str) and key.isdigit() and int(key) in merged:
            key = int(key)  # JSON overrides spell year keys as strings
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            # Lists (score tables, round years) are replaced whole: merging bands by
            # position would silently mix two tables.
            merged[key] = value
    return merged


def rulebook_with_overrides(base: Rulebook, overrides: dict[str, Any]) -> Rulebook:
    """A what-if draft: base deep-merged with overrides, then validated; it never carries the
    base's id (a draft named like the baseline would read as the baseline)."""
    merged = _deep_merge(base.model_dump(), overrides)
    if merged.get("id") == base.id:
        merged["id"] = f"{base.id}-what-if"[:40]
    return Rulebook.model_validate(merged)
