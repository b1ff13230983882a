"""Rows of the funding-rounds and certificates imports: whose fact (uscc or firm_id), the
fact read by the single request's model, each error naming its field."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from registry.domain.csv_import import FactRow, read_lines, validate
from registry.domain.models import CertificateIn, FundingRoundIn
from shared.errors import Rejected

pytestmark = pytest.mark.unit

ROUND = {"uscc": "91210200MA0QC2PX3M", "closed_on": "2023-06-30", "amount": "30000000",
         "currency": "", "post_money_valuation": "300000000", "investor_kind": "vc_pe"}
CERT = {"uscc": "91210200MA0QC2PX3M", "kind": "tech_sme", "issued_on": "2022-05-01",
        "expires_on": "", "number": ""}


def fields(kind: str, row: dict[str, str]) -> list[str]:
    parsed, errors = validate(3, kind, row)  # type: ignore[arg-type]
    assert parsed is None and all(e.row == 3 for e in errors)
    return [e.field for e in errors]


def test_a_valid_round_reads_as_the_single_request_would() -> None:
    parsed, errors = validate(1, "funding_rounds", ROUND)
    assert errors == [] and isinstance(parsed, FactRow)
    assert parsed.uscc == ROUND["uscc"] and parsed.firm_id is None
    assert parsed.body == FundingRoundIn(closed_on=date(2023, 6, 30), amount=30_000_000,
                                         post_money_valuation=300_000_000,
                                         investor_kind="vc_pe")
    assert parsed.body.currency == "CNY"  # blank = not given: the default


def test_a_certificate_by_firm_id() -> None:
    firm_id = uuid.uuid4()
    row = {**CERT, "uscc": "", "firm_id": str(firm_id), "number": "GR1"}
    parsed, errors = validate(1, "certificates", row)
    assert errors == [] and isinstance(parsed, FactRow) and parsed.firm_id == firm_id
    assert parsed.body == CertificateIn(kind="tech_sme", issued_on=date(2022, 5, 1),
                                        number="GR1")


@pytest.mark.parametrize(("kind", "change", "field"), [
    ("funding_rounds", {"uscc": ""}, "firm_id"),
    ("funding_rounds", {"uscc": "", "firm_id": "nope"}, "firm_id"),
    ("funding_rounds", {"amount": "0"}, "amount"),
    ("funding_rounds", {"amount": "lots"}, "amount"),
    ("funding_rounds", {"currency": "EUR"}, "currency"),
    ("funding_rounds", {"investor_kind": "angel"}, "investor_kind"),
    ("funding_rounds", {"closed_on": "30.06.2023"}, "closed_on"),
    ("funding_rounds", {"closed_on": str(date.today() + timedelta(days=1))}, "closed_on"),
    ("funding_rounds", {"post_money_valuation": "100"}, "post_money_valuation"),
    ("funding_rounds", {"investor_kind": ""}, "investor_kind"),
    ("certificates", {"kind": "gold_star"}, "kind"),
    ("certificates", {"issued_on": ""}, "issued_on"),
    ("certificates", {"issued_on": str(date.today() + timedelta(days=1))}, "issued_on"),
    ("certificates", {"expires_on": "2022-05-01"}, "expires_on"),
    ("certificates", {"number": "x" * 101}, "number"),
])
def test_a_bad_row_names_its_field(kind: str, change: dict[str, str], field: str) -> None:
    base = ROUND if kind == "funding_rounds" else CERT
    assert fields(kind, {**base, **change}) == [field]


def test_the_columns_are_the_fact_and_whose() -> None:
    rows, lines = read_lines("# rules\nuscc,kind,issued_on\nX,tech_sme,2022-01-01\n",
                             "certificates")
    assert rows == [{"uscc": "X", "kind": "tech_sme", "issued_on": "2022-01-01"}]
    assert lines == [3]
    with pytest.raises(Rejected) as refused:
        read_lines("uscc,kind,issued_on,fiscal_year\n", "certificates")
    assert refused.value.extra["field"] == "file"
    with pytest.raises(Rejected):
        read_lines("uscc,closed_on,kind\n", "funding_rounds")
