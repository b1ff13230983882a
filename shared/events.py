"""Event contracts: one envelope, a typed payload per event type, versioned.

Every event on every topic is an `EventEnvelope` subclass whose `event_type` is a
literal, so a topic's union parses by discriminator and each type exports its own
JSON Schema. Bump `SCHEMA_VERSIONS[...]` (and keep the old model) on any change
that is not purely additive.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.codes import (
    CertificateKind,
    CompanyKind,
    ComplianceFlag,
    Currency,
    District,
    FiledTier,
    Industry,
    InvestorKind,
    TargetKey,
    Tier,
    UnicornGrade,
)

FIRM_ID_EXAMPLE = "6f1c2a52-3b8e-4d0e-9a51-2f4c6b1d7e90"


class Frozen(BaseModel):
    """Base of every contract model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _now() -> datetime:
    return datetime.now(UTC)


class EventEnvelope(Frozen):
    """The envelope every event travels in."""

    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Unique id; consumers dedupe on it."
    )
    event_type: str = Field(description="Past-tense event name.", examples=["FirmRegistered"])
    schema_version: int = Field(default=1, description="Version of this event type's schema.")
    occurred_at: datetime = Field(default_factory=_now, description="When it happened (UTC).")
    producer: str = Field(description="Service that wrote it.", examples=["registry"])
    subject: str = Field(
        description="Firm id, or the round year for target events; the Kafka key.",
        examples=[FIRM_ID_EXAMPLE],
    )
    sequence: int = Field(
        ge=1, description="Per-subject, per-producer, strictly increasing.", examples=[3]
    )
    correlation_id: str | None = Field(
        default=None, description="Id of the request or event that caused this one."
    )
    data: Any


# ---------------------------------------------------------------- registry payloads


class FirmProfile(Frozen):
    """A firm's profile and compliance flags as the registry holds them."""

    id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    uscc: str = Field(description="统一社会信用代码", examples=["91210200MA0QC2PX3E"])
    name: str = Field(examples=["大连星海智造科技有限公司"])
    district: District
    industry: Industry
    founded_on: date
    company_kind: CompanyKind = "independent"
    listed: bool = False
    abnormal_list: bool = Field(default=False, description="经营异常名录")
    dishonest_list: bool = Field(default=False, description="严重违法失信名单")


class FirmRegisteredData(Frozen):
    firm: FirmProfile


class FirmProfileChangedData(Frozen):
    firm: FirmProfile = Field(description="The profile after the change.")
    changed: dict[str, Any] = Field(description="Field → {before, after}.")
    effective_on: date | None = Field(
        default=None, description="Valid date of the change (absent on older events: the day "
        "it was recorded)")


class AnnualReportData(Frozen):
    """One fiscal year's evaluation inputs (docs/rulebook.md "Evaluation inputs")."""

    fiscal_year: int = Field(examples=[2021])
    revenue: int = Field(ge=0, description="营业收入, yuan")
    sales_revenue: int = Field(ge=0, description="销售收入, yuan")
    total_assets: int = Field(ge=0, description="资产总额, yuan")
    employees: int = Field(ge=0, description="职工总数")
    st_staff: int = Field(ge=0, description="科技人员")
    rd_expense: int = Field(ge=0, description="研发费用, yuan")
    st_activity_investment: int = Field(ge=0, description="科技活动投入, yuan")
    high_tech_revenue: int = Field(ge=0, description="高新技术产品(服务)收入, yuan")
    ip_class1: int = Field(ge=0, description="I类知识产权 (valid)")
    ip_class2: int = Field(ge=0, description="II类知识产权 (valid)")
    total_cost: int | None = Field(default=None, ge=0, description="成本费用总额, yuan (optional)")
    filed_on: date | None = Field(
        default=None, description="Valid date: the day the firm submitted this version "
        "(absent on events written before dated facts: the day it was recorded)",
        examples=["2022-04-15"])


class AnnualReportFiledData(Frozen):
    firm_id: uuid.UUID
    report: AnnualReportData


class AnnualReportRestatedData(Frozen):
    firm_id: uuid.UUID
    report: AnnualReportData
    previous: AnnualReportData


class FundingRoundRecordedData(Frozen):
    firm_id: uuid.UUID
    round_id: uuid.UUID
    closed_on: date
    amount: int = Field(ge=0, description="Amount raised, in `currency` units")
    currency: Currency
    post_money_valuation: int = Field(ge=0, description="In `currency` units")
    investor_kind: InvestorKind


class CertificateGrantedData(Frozen):
    firm_id: uuid.UUID
    certificate_id: uuid.UUID
    kind: CertificateKind
    issued_on: date
    expires_on: date | None = None
    number: str | None = None


class CertificateRevokedData(Frozen):
    firm_id: uuid.UUID
    certificate_id: uuid.UUID
    kind: CertificateKind
    revoked_on: date
    reason: str | None = None


class ComplianceFlagChangedData(Frozen):
    firm_id: uuid.UUID
    flag: ComplianceFlag
    value: bool
    effective_on: date | None = Field(
        default=None, description="Valid date of the change (absent on older events: the day "
        "it was recorded)")


class FilingData(Frozen):
    """An official filing (备案): the province's (or, for leaders, the city's) list entry."""

    filing_id: uuid.UUID
    tier: FiledTier = Field(description="The tier the list files the firm in.")
    unicorn_grade: UnicornGrade | None = Field(
        default=None, description="For a unicorn-type filing: seed, potential or unicorn.")
    listed_on: date = Field(description="The list's date: the filing counts from it.")
    expires_on: date = Field(description="End of validity (default listed_on + 3 years).")
    list_name: str = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    application_id: uuid.UUID | None = Field(
        default=None, description="The application this filing answers, when known.")
    source: Literal["manual", "import"] = "manual"


class FilingRecordedData(Frozen):
    firm_id: uuid.UUID
    filing: FilingData


class FilingCorrectedData(Frozen):
    firm_id: uuid.UUID
    filing: FilingData = Field(description="The filing as corrected.")
    previous: FilingData = Field(description="The filing as it stood before.")


class FilingRevokedData(Frozen):
    firm_id: uuid.UUID
    filing_id: uuid.UUID
    tier: FiledTier
    revoked_on: date
    reason: str | None = None


class ApplicationData(Frozen):
    """A firm's application in a year's round (申报), for one tier."""

    application_id: uuid.UUID
    round_year: int = Field(examples=[2022])
    tier: FiledTier
    applied_on: date


class ApplicationSubmittedData(Frozen):
    firm_id: uuid.UUID
    application: ApplicationData
    by: str = Field(description="Who recorded it.")
    note: str | None = None


ApplicationStep = Literal["district_checked", "recommended", "filed", "not_filed", "withdrawn"]


class ApplicationStepRecordedData(Frozen):
    firm_id: uuid.UUID
    application_id: uuid.UUID
    round_year: int
    tier: FiledTier
    step: ApplicationStep
    on: date = Field(description="The step's date (valid time).")
    passed: bool | None = Field(
        default=None, description="district_checked only: passed or failed.")
    reason: str | None = Field(default=None, description="Why it failed / was not filed.")
    filing_id: uuid.UUID | None = Field(default=None, description="filed: the filing it made.")
    by: str = Field(description="Who recorded it.")
    note: str | None = None


# ---------------------------------------------------------------- ladder payloads


class FirmRef(Frozen):
    """Enough about a firm for a consumer to route and word an alert."""

    id: uuid.UUID
    name: str
    district: District
    industry: Industry


class FailingCriterion(Frozen):
    key: str = Field(examples=["gazelle.revenue_cagr"])
    label: str = Field(examples=["revenue CAGR ≥ 20%"])
    value: Any = None
    threshold: Any = None
    gap: Any = None
    hint: str | None = Field(default=None, description="What would make it pass, in words.")


StandingChange = Literal["promoted", "demoted", "revoked", "at_risk", "renewed", "recovered",
                         "override", "override_cleared"]


class StandingChangeData(Frozen):
    """Common payload of the standing events."""

    firm: FirmRef
    change: StandingChange
    from_tier: Tier
    to_tier: Tier
    unicorn_grade: UnicornGrade | None = None
    at_risk: bool = False
    filed_on: date | None = None
    expires_on: date | None = None
    round_year: int
    rulebook_id: str
    decision_id: uuid.UUID
    reason: str = Field(description="Why, in words, from the decision trace.")
    failing: list[FailingCriterion] = Field(default_factory=list)
    trigger_event_id: uuid.UUID | None = None
    registry_sequence: int = Field(description="Last registry sequence applied for this firm.")
    decided_on: date | None = Field(
        default=None, description="The decision's date (valid time); it belongs to round year "
        "year(decided_on). Absent on events written before the time-true ladder.")
    supersedes: uuid.UUID | None = Field(
        default=None, description="A correction: the id of the earlier decision that a late "
        "fact changed or withdrew.")


class TierOverriddenData(StandingChangeData):
    """An officer set (or cleared) a tier by hand."""

    direction: Literal["up", "down", "same"] = Field(description="Rank of to_tier vs from_tier.")
    by: str = Field(description="The officer (actor) who set or cleared it.")
    cleared: bool = Field(default=False, description="True when the override was lifted.")


class FilingExpiringData(Frozen):
    firm: FirmRef
    tier: Tier
    expires_on: date
    days_left: int


class NearMissDetectedData(Frozen):
    firm: FirmRef
    tier: Tier = Field(description="The tier the firm nearly reaches.")
    failing: list[FailingCriterion]


class TargetProgressChangedData(Frozen):
    year: int
    key: TargetKey
    target: int
    achieved: int
    progress: float
    pace: Literal["ahead", "on_track", "behind"]
    previous_pace: Literal["ahead", "on_track", "behind"] | None = None


class TargetMilestoneReachedData(Frozen):
    year: int
    key: TargetKey
    milestone: Literal["first", "25%", "50%", "75%", "100%", "first_unicorn"]
    target: int
    achieved: int
    firm: FirmRef | None = None


# ---------------------------------------------------------------- notifier payloads


class AlertOutcomeData(Frozen):
    alert_id: uuid.UUID
    officer_id: uuid.UUID | None
    channel: str
    alert_kind: str
    source_event_id: uuid.UUID
    attempts: int
    error: str | None = None


# ---------------------------------------------------------------- entitlements payloads

EntitlementState = Literal["computed", "offered", "confirmed", "approved", "paid", "declined",
                           "expired", "cancelled"]


class EntitlementOption(Frozen):
    """One either/or way of being paid, with what it comes to."""

    option_id: str = Field(examples=["loan_interest"])
    name: str = Field(examples=["贷款贴息"])
    amount: int = Field(ge=0, description="Yuan")


class EntitlementData(Frozen):
    """What a firm is owed under one policy for one trigger (免申即享: no application)."""

    entitlement_id: uuid.UUID = Field(description="One per (firm, policy, trigger).")
    firm: FirmRef
    policy_id: str = Field(examples=["dl.gazelle_unicorn.filed"])
    policy_name: str
    policy_set: str = Field(examples=["DL-2023"])
    policy_version: int
    trigger_key: str = Field(description="The fact it pays on: `filing:<id>` or "
                             "`certificate:<id>`.")
    trigger_on: date = Field(description="The trigger's date; the budget year is its year.")
    year: int
    budget_line: str
    amount: int = Field(ge=0, description="Yuan: the chosen option's, else the best option's")
    options: list[EntitlementOption] = Field(description="Either/or, the better first.")
    complete: bool = Field(description="False while a report figure the amount needs is missing.")
    provisional: bool = Field(description="The policy's amounts are provisional data.")
    state: EntitlementState


class EntitlementComputedData(Frozen):
    entitlement: EntitlementData


class EntitlementCorrectedData(Frozen):
    entitlement: EntitlementData = Field(description="The entitlement after the correction.")
    previous_amount: int = Field(ge=0)
    applied: bool = Field(description="False when the entitlement was already approved or paid: "
                          "the amount stands and finance is asked to review.")
    reason: str


class EntitlementStateChangedData(Frozen):
    entitlement_id: uuid.UUID
    firm: FirmRef
    policy_id: str
    policy_name: str
    from_state: EntitlementState
    to_state: EntitlementState
    on: date = Field(description="The step's date (China Standard Time).")
    by: str = Field(description="Who made the step (`system` for a revoked trigger).")
    amount: int = Field(ge=0, description="Yuan: the amount at this step (paid: the amount paid)")
    option_id: str | None = None
    reason: str | None = None


class EntitlementAwaitingConfirmationData(Frozen):
    entitlement_id: uuid.UUID
    firm: FirmRef
    policy_name: str
    amount: int = Field(ge=0)
    offered_on: date
    days_waiting: int = Field(ge=0)


# ---------------------------------------------------------------- typed envelopes

def _event(name: str, payload: type[BaseModel], version: int = 1) -> type[EventEnvelope]:
    """Build the typed envelope of one event type (keeps the declarations to one line each)."""
    model = type(
        name,
        (EventEnvelope,),
        {
            "__annotations__": {
                "event_type": Literal[name],
                "schema_version": Literal[version],
                "data": payload,
            },
            "event_type": Field(default=name, description="Past-tense event name."),
            "schema_version": Field(default=version, description="Schema version."),
            "__module__": __name__,
            "__doc__": f"{name} event (schema version {version}).",
        },
    )
    return model


FirmRegistered = _event("FirmRegistered", FirmRegisteredData)
FirmProfileChanged = _event("FirmProfileChanged", FirmProfileChangedData)
AnnualReportFiled = _event("AnnualReportFiled", AnnualReportFiledData)
AnnualReportRestated = _event("AnnualReportRestated", AnnualReportRestatedData)
FundingRoundRecorded = _event("FundingRoundRecorded", FundingRoundRecordedData)
CertificateGranted = _event("CertificateGranted", CertificateGrantedData)
CertificateRevoked = _event("CertificateRevoked", CertificateRevokedData)
ComplianceFlagChanged = _event("ComplianceFlagChanged", ComplianceFlagChangedData)
FilingRecorded = _event("FilingRecorded", FilingRecordedData)
FilingCorrected = _event("FilingCorrected", FilingCorrectedData)
FilingRevoked = _event("FilingRevoked", FilingRevokedData)
ApplicationSubmitted = _event("ApplicationSubmitted", ApplicationSubmittedData)
ApplicationStepRecorded = _event("ApplicationStepRecorded", ApplicationStepRecordedData)
TierPromoted = _event("TierPromoted", StandingChangeData)
TierDemoted = _event("TierDemoted", StandingChangeData)
TierAtRisk = _event("TierAtRisk", StandingChangeData)
TierRenewed = _event("TierRenewed", StandingChangeData)
TierRevoked = _event("TierRevoked", StandingChangeData)
TierRecovered = _event("TierRecovered", StandingChangeData)
TierOverridden = _event("TierOverridden", TierOverriddenData)
FilingExpiring = _event("FilingExpiring", FilingExpiringData)
NearMissDetected = _event("NearMissDetected", NearMissDetectedData)
TargetProgressChanged = _event("TargetProgressChanged", TargetProgressChangedData)
TargetMilestoneReached = _event("TargetMilestoneReached", TargetMilestoneReachedData)
EntitlementComputed = _event("EntitlementComputed", EntitlementComputedData)
EntitlementCorrected = _event("EntitlementCorrected", EntitlementCorrectedData)
EntitlementStateChanged = _event("EntitlementStateChanged", EntitlementStateChangedData)
EntitlementAwaitingConfirmation = _event("EntitlementAwaitingConfirmation",
                                         EntitlementAwaitingConfirmationData)
AlertDelivered = _event("AlertDelivered", AlertOutcomeData)
AlertFailed = _event("AlertFailed", AlertOutcomeData)

FIRM_EVENT_TYPES = (
    FirmRegistered, FirmProfileChanged, AnnualReportFiled, AnnualReportRestated,
    FundingRoundRecorded, CertificateGranted, CertificateRevoked, ComplianceFlagChanged,
    FilingRecorded, FilingCorrected, FilingRevoked, ApplicationSubmitted, ApplicationStepRecorded,
)
STANDING_EVENT_TYPES = (
    TierPromoted, TierDemoted, TierAtRisk, TierRenewed, TierRevoked, TierRecovered,
    TierOverridden, FilingExpiring, NearMissDetected, TargetProgressChanged,
    TargetMilestoneReached,
)
ALERT_EVENT_TYPES = (AlertDelivered, AlertFailed)
ENTITLEMENT_EVENT_TYPES = (EntitlementComputed, EntitlementCorrected, EntitlementStateChanged,
                           EntitlementAwaitingConfirmation)
ALL_EVENT_TYPES: dict[str, type[EventEnvelope]] = {
    m.__name__: m for m in (FIRM_EVENT_TYPES + STANDING_EVENT_TYPES + ALERT_EVENT_TYPES
                            + ENTITLEMENT_EVENT_TYPES)
}
SCHEMA_VERSIONS: dict[str, int] = {
    name: m.model_fields["schema_version"].default for name, m in ALL_EVENT_TYPES.items()
}

FirmEvent = Annotated[Union[FIRM_EVENT_TYPES], Field(discriminator="event_type")]  # type: ignore[valid-type]
StandingEvent = Annotated[Union[STANDING_EVENT_TYPES], Field(discriminator="event_type")]  # type: ignore[valid-type]
AlertEvent = Annotated[Union[ALERT_EVENT_TYPES], Field(discriminator="event_type")]  # type: ignore[valid-type]
EntitlementEvent = Annotated[Union[ENTITLEMENT_EVENT_TYPES], Field(discriminator="event_type")]  # type: ignore[valid-type]

_ANY_EVENT: TypeAdapter[Any] = TypeAdapter(
    Annotated[Union[tuple(ALL_EVENT_TYPES.values())], Field(discriminator="event_type")]  # type: ignore[arg-type]
)


def parse_event(raw: bytes | str | dict[str, Any]) -> EventEnvelope:
    """Parse any event by its `event_type`; raises pydantic.ValidationError when it is not one."""
    if isinstance(raw, dict):
        return _ANY_EVENT.validate_python(raw)  # type: ignore[no-any-return]
    return _ANY_EVENT.validate_json(raw)  # type: ignore[no-any-return]


def make_event(
    event_type: str, *, producer: str, subject: str, sequence: int, data: Any,
    correlation_id: str | None = None,
) -> EventEnvelope:
    """Build a typed event by name; validates the payload."""
    model = ALL_EVENT_TYPES[event_type]
    return model(  # type: ignore[call-arg]  # event_type defaults in each subclass
        producer=producer, subject=subject, sequence=sequence, data=data,
        correlation_id=correlation_id,
    )


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every event type, keyed `<EventType>.v<version>`."""
    return {
        f"{name}.v{SCHEMA_VERSIONS[name]}": model.model_json_schema()
        for name, model in ALL_EVENT_TYPES.items()
    }
