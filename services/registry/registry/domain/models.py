"""What clients may send to the registry, with every rule checked at the door."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.codes import (
    CertificateKind,
    CompanyKind,
    Currency,
    District,
    FiledTier,
    Industry,
    InvestorKind,
    UnicornGrade,
)
from shared.events import ApplicationStep
from shared.uscc import uscc_problem

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Yuan = Annotated[int, Field(ge=0, le=10**15, description="yuan, integer")]
Count = Annotated[int, Field(ge=0, le=10_000_000)]


class Strict(BaseModel):
    """Request models refuse unknown fields, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def broken(rule: str, message: str) -> PydanticCustomError:
    """A validation error whose `type` is the rule's name, so a 422 names it."""
    return PydanticCustomError(rule, message)


def _not_future(value: date | None, what: str) -> date | None:
    if value is not None and value > date.today():
        raise broken("not_future", f"{what} cannot be in the future")
    return value


class FirmIn(Strict):
    """A firm to register."""

    uscc: str = Field(description="统一社会信用代码, 18 characters", examples=["91350100M000100Y43"])
    name: Name = Field(examples=["大连星海智造科技有限公司"])
    district: District
    industry: Industry
    founded_on: date = Field(examples=["2018-03-01"])
    company_kind: CompanyKind = "independent"
    listed: bool = False
    abnormal_list: bool = False
    dishonest_list: bool = False

    @field_validator("uscc", mode="before")
    @classmethod
    def _uscc(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip().upper()
            if problem := uscc_problem(v):
                raise broken("uscc", problem)
        return v

    @field_validator("founded_on")
    @classmethod
    def _founded(cls, v: date) -> date:
        return _not_future(v, "founded_on")  # type: ignore[return-value]


class FirmPatch(Strict):
    """Profile fields and compliance flags to change; omitted fields stay."""

    name: Name | None = None
    district: District | None = None
    industry: Industry | None = None
    founded_on: date | None = None
    company_kind: CompanyKind | None = None
    listed: bool | None = None
    abnormal_list: bool | None = None
    dishonest_list: bool | None = None
    effective_on: date | None = Field(
        default=None, description="Valid date of the change (default: today; not in the future)",
        examples=["2022-05-10"])

    @field_validator("founded_on")
    @classmethod
    def _founded(cls, v: date | None) -> date | None:
        return _not_future(v, "founded_on")

    @field_validator("effective_on")
    @classmethod
    def _effective(cls, v: date | None) -> date | None:
        return _not_future(v, "effective_on")

    @model_validator(mode="after")
    def _something(self) -> FirmPatch:
        if not self.model_fields_set - {"effective_on"}:
            raise broken("nothing_to_change", "nothing to change: send at least one field")
        for name in self.model_fields_set - {"effective_on"}:
            if getattr(self, name) is None:
                raise broken("not_null", f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields to change (without their valid date)."""
        return self.model_dump(exclude_unset=True, exclude={"effective_on"})


class AnnualReportIn(Strict):
    """One fiscal year's report (docs/rulebook.md "Evaluation inputs")."""

    revenue: Yuan
    sales_revenue: Yuan
    total_assets: Yuan
    employees: Count
    st_staff: Count
    rd_expense: Yuan
    st_activity_investment: Yuan
    high_tech_revenue: Yuan
    ip_class1: Count
    ip_class2: Count
    total_cost: Yuan | None = None
    filed_on: date | None = Field(
        default=None, description="The day the firm submitted it: on or after 1 January of "
        "FY+1, not in the future. Default: today for a new report; a restatement keeps the "
        "stored date (it corrects that filing) unless another is given.",
        examples=["2022-04-15"])

    @field_validator("filed_on")
    @classmethod
    def _filed(cls, v: date | None) -> date | None:
        return _not_future(v, "filed_on")

    @field_validator("st_staff")
    @classmethod
    def _staff(cls, v: int, info: ValidationInfo) -> int:
        employees = info.data.get("employees")
        if employees is not None and v > employees:
            raise broken("st_staff_le_employees",
                         f"st_staff ({v}) cannot exceed employees ({employees})")
        return v

    @field_validator("high_tech_revenue")
    @classmethod
    def _high_tech(cls, v: int, info: ValidationInfo) -> int:
        revenue = info.data.get("revenue")
        if revenue is not None and v > revenue:
            raise broken("high_tech_le_revenue",
                         f"high_tech_revenue ({v}) cannot exceed revenue ({revenue})")
        return v

    def figures(self) -> dict[str, Any]:
        """The reported figures (without the filing date)."""
        return self.model_dump(exclude={"filed_on"})


class FundingRoundIn(Strict):
    """A closed funding round."""

    closed_on: date
    amount: Annotated[int, Field(gt=0, le=10**15)]
    currency: Currency = "CNY"
    post_money_valuation: Annotated[int, Field(gt=0, le=10**16)]
    investor_kind: InvestorKind

    @field_validator("closed_on")
    @classmethod
    def _closed(cls, v: date) -> date:
        return _not_future(v, "closed_on")  # type: ignore[return-value]

    @model_validator(mode="after")
    def _valuation(self) -> FundingRoundIn:
        if self.post_money_valuation < self.amount:
            raise broken("valuation_ge_amount",
                         "post_money_valuation cannot be below the amount raised")
        return self


class CertificateIn(Strict):
    """A certificate or award granted to the firm."""

    kind: CertificateKind
    issued_on: date
    expires_on: date | None = None
    number: Annotated[str, StringConstraints(max_length=100)] | None = None

    @field_validator("issued_on")
    @classmethod
    def _issued(cls, v: date) -> date:
        return _not_future(v, "issued_on")  # type: ignore[return-value]

    @model_validator(mode="after")
    def _dates(self) -> CertificateIn:
        if self.expires_on is not None and self.expires_on <= self.issued_on:
            raise broken("expires_after_issue", "expires_on must be after issued_on")
        return self


class CertificateRevokeIn(Strict):
    """Why and when a certificate stopped counting."""

    revoked_on: date | None = Field(default=None, description="Valid date; defaults to today")
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("revoked_on")
    @classmethod
    def _revoked(cls, v: date | None) -> date | None:
        return _not_future(v, "revoked_on")


ListName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]


class FilingIn(Strict):
    """An official filing (备案): the firm's entry on the province's (or, for leaders, the
    city's) published list."""

    tier: FiledTier = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(default=None, description="unicorn tier only")
    listed_on: date = Field(description="The list's date; the filing counts from it",
                            examples=["2022-12-20"])
    expires_on: date | None = Field(default=None, description="Default: listed_on + 3 years")
    list_name: ListName = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    application_id: uuid.UUID | None = Field(
        default=None, description="The application it answers; default: the firm's open "
        "application for that round and tier, which gets its `filed` step")

    @field_validator("listed_on")
    @classmethod
    def _listed(cls, v: date) -> date:
        return _not_future(v, "listed_on")  # type: ignore[return-value]


class FilingPatch(Strict):
    """A correction of a filing as recorded; omitted fields stay."""

    tier: FiledTier | None = None
    unicorn_grade: UnicornGrade | None = None
    listed_on: date | None = None
    expires_on: date | None = None
    list_name: ListName | None = None

    @model_validator(mode="after")
    def _something(self) -> FilingPatch:
        if not self.model_fields_set:
            raise broken("nothing_to_change", "nothing to change: send at least one field")
        return self


class FilingRevokeIn(Strict):
    """Why and when a filing stopped counting."""

    revoked_on: date | None = Field(default=None, description="Valid date; defaults to today")
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("revoked_on")
    @classmethod
    def _revoked(cls, v: date | None) -> date | None:
        return _not_future(v, "revoked_on")


class ApplicationIn(Strict):
    """A firm's application (申报) in a year's round, for one tier."""

    round_year: int = Field(ge=2000, le=2100, examples=[2022])
    tier: FiledTier = Field(examples=["gazelle"])
    applied_on: date = Field(examples=["2022-11-28"])
    note: Note | None = None


class StepIn(Strict):
    """One dated step of an application: the district's check, the city's recommendation, the
    province's (or for leaders the city's) decision, or a withdrawal."""

    step: ApplicationStep = Field(examples=["district_checked"])
    on: date = Field(description="The step's date", examples=["2022-12-12"])
    passed: bool | None = Field(default=None, description="district_checked only")
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Why the check failed / the firm was not filed")
    filing_id: uuid.UUID | None = Field(default=None, description="filed: the filing it made")
    note: Note | None = None
