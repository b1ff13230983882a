"""Rulebook loading, validation and what-if overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ladder.domain.rulebook import (
    DEFAULT_RULEBOOK_FILE,
    default_rulebook,
    load_rulebook,
    rulebook_with_overrides,
)
from ladder.domain.rules import evaluate
from tests.unit.ladder.builders import FY, facts, reports

pytestmark = pytest.mark.unit


def test_default_rulebook_encodes_the_spec() -> None:
    rb = default_rulebook()
    assert rb.id == "LN-2021"
    assert 2022 in rb.round_years and rb.applies_to(2022)
    assert rb.filing_validity_years == 3
    assert rb.fx_usd_cny[2021] == Decimal("6.45") and rb.fx_usd_cny[2022] == Decimal("6.73")
    g = rb.tiers.gazelle
    assert g.revenue_cagr_min.value == Decimal("0.20")
    assert g.st_intensity_min.value == Decimal("0.025")
    assert g.revenue_base_above.value == 10_000_000
    assert rb.tiers.unicorn.unicorn.min_valuation_usd.value == 1_000_000_000
    assert rb.tiers.unicorn.potential.provisional and rb.tiers.unicorn.seed.provisional
    assert not rb.tiers.unicorn.unicorn.provisional
    assert rb.tiers.leader.provisional
    assert "source not fully verified" in rb.tiers.eaglet.independent.source


def test_fx_falls_back_to_nearest_earlier_year() -> None:
    rb = default_rulebook()
    assert rb.fx_for(2030) == rb.fx_usd_cny[max(rb.fx_usd_cny)]
    assert rb.fx_for(1990) == rb.fx_usd_cny[min(rb.fx_usd_cny)]


def test_load_from_text_and_path_agree() -> None:
    text = DEFAULT_RULEBOOK_FILE.read_text(encoding="utf-8")
    assert load_rulebook(text) == load_rulebook(DEFAULT_RULEBOOK_FILE) == default_rulebook()


def field_path(err: ValidationError) -> str:
    return ".".join(str(p) for p in err.errors()[0]["loc"])


@pytest.mark.parametrize(("overrides", "path"), [
    ({"tiers": {"gazelle": {"revenue_base_above": {"value": -1}}}},
     "tiers.gazelle.revenue_base_above.value"),
    ({"tiers": {"gazelle": {"st_intensity_min": {"value": "1.5"}}}},
     "tiers.gazelle.st_intensity_min.value"),
    ({"tiers": {"eaglet": {"max_age_years": {"value": 0}}}}, "tiers.eaglet.max_age_years.value"),
    ({"round_years": [1850]}, "round_years"),
    ({"filing_validity_years": 0}, "filing_validity_years"),
    ({"fx_usd_cny": {2021: "-1"}}, "fx_usd_cny"),
    ({"tiers": {"leader": {"min_revenu": {"value": 1}}}}, "tiers.leader.min_revenu"),
    ({"tiers": {"leader": {"min_revenue": {"source": ""}}}}, "tiers.leader.min_revenue.source"),
])
def test_bad_draft_names_the_field(overrides: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as exc:
        rulebook_with_overrides(default_rulebook(), overrides)
    assert field_path(exc.value).startswith(path)


def test_round_year_needs_fx_for_its_fiscal_year() -> None:
    with pytest.raises(ValidationError, match="fx_usd_cny lacks fiscal years"):
        rulebook_with_overrides(default_rulebook(), {"round_years": [2040]})


def test_score_bands_must_descend() -> None:
    bands = [{"min": "0.10", "points": 4}, {"min": "0.30", "points": 20}]
    with pytest.raises(ValidationError) as exc:
        rulebook_with_overrides(default_rulebook(),
                                {"certifications": {"tech_sme": {"staff_share": {"bands": bands}}}})
    assert field_path(exc.value) == "certifications.tech_sme.staff_share.bands"


def test_overrides_deep_merge_and_keep_the_rest() -> None:
    base = default_rulebook()
    draft = rulebook_with_overrides(base, {
        "id": "LN-2021-whatif",
        "tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}},
        "fx_usd_cny": {"2021": "7.00"},  # JSON-style string year key
    })
    assert draft.tiers.gazelle.revenue_cagr_min.value == Decimal("0.15")
    assert draft.tiers.gazelle.revenue_cagr_min.source == base.tiers.gazelle.revenue_cagr_min.source
    assert draft.tiers.gazelle.employee_cagr_min == base.tiers.gazelle.employee_cagr_min
    assert draft.fx_usd_cny[2021] == Decimal("7.00")
    assert base.tiers.gazelle.revenue_cagr_min.value == Decimal("0.20")  # base untouched


def test_what_if_draft_changes_the_verdict() -> None:
    revenue = {FY - 3: 12_500_000, FY - 2: 14_000_000, FY - 1: 17_000_000, FY: 20_400_000}
    f = facts(reports=reports(revenue=revenue))
    assert evaluate(default_rulebook(), f, FY).tier == "none"
    draft = rulebook_with_overrides(default_rulebook(), {
        "id": "WHATIF", "tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}})
    d = evaluate(draft, f, FY)
    assert d.rulebook_id == "WHATIF"
    assert d.tier == "gazelle"


def test_rulebook_is_frozen() -> None:
    with pytest.raises(ValidationError):
        default_rulebook().id = "X"  # type: ignore[misc]


def test_shipped_yaml_has_the_documented_top_level_keys() -> None:
    data = yaml.safe_load(DEFAULT_RULEBOOK_FILE.read_text(encoding="utf-8"))
    assert list(data) == ["id", "title", "round_years", "fx_source", "fx_usd_cny",
                          "filing_validity_years", "report_max_age_years", "tiers",
                          "certifications"]
