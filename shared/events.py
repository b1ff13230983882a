"""Event contracts: one envelope, a typed payload per event type, versioned, each type
declared once.

An event type is one class: `class TierPromoted(EventEnvelope[StandingChangeData],
topic=STANDING_EVENTS)`, its docstring the meaning, its `event_type` literal equal to its
name, `example` a valid payload. Declaring it registers it: the type registry
(`ALL_EVENT_TYPES`, `events_on(topic)`), the parsers (`parse_event`, `parse_on`), the JSON
Schemas, the examples and the AsyncAPI document all read the registry. Pass `version=N`
(and keep the old class under another name) on any change that is not purely additive.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union

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
from shared.topics import (
    ALERT_EVENTS,
    ENTITLEMENT_EVENTS,
    FIRM_EVENTS,
    PRODUCERS,
    STANDING_EVENTS,
)

FIRM_ID_EXAMPLE = "6f1c2a52-3b8e-4d0e-9a51-2f4c6b1d7e90"


class Frozen(BaseModel):
    """Base of every contract model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _now() -> datetime:
    return datetime.now(UTC)


P = TypeVar("P", bound=BaseModel)


def _published_schema(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """The published JSON Schema of an event type, as it was when each type was a generated
    class (the meaning is in the AsyncAPI document, not in the schema)."""
    if issubclass(cls, EventEnvelope) and cls.topic:
        schema["description"] = f"{cls.__name__} event (schema version {cls.version})."
        schema["properties"]["event_type"].pop("examples", None)
        schema["properties"]["event_type"]["description"] = "Past-tense event name."
        schema["properties"]["schema_version"]["description"] = "Schema version."


class EventEnvelope(Frozen, Generic[P]):
    """The envelope every event travels in; a subclass with a `topic` declares an event type."""

    model_config = ConfigDict(json_schema_extra=_published_schema)

    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Unique id; consumers dedupe on it."
    )
    event_type: str = Field(default="", description="Past-tense event name.",
                            examples=["FirmRegistered"])
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
    data: P

    # the declaration: set from the class keywords and docstring
    topic: ClassVar[str] = ""
    producer_name: ClassVar[str] = ""
    version: ClassVar[int] = 1
    meaning: ClassVar[str] = ""
    # a valid payload (validated at declaration) and the subject of the example event
    example: ClassVar[dict[str, Any]] = {}
    example_subject: ClassVar[str] = FIRM_ID_EXAMPLE

    def __init_subclass__(cls, topic: str | None = None, version: int = 1,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if topic is None:
            return
        if (cls.__dict__.get("event_type") != cls.__name__
                or "event_type" not in cls.__dict__.get("__annotations__", {})):
            raise TypeError(f"{cls.__name__}: declare "
                            f'event_type: Literal["{cls.__name__}"] = "{cls.__name__}"')
        if topic not in PRODUCERS:
            raise TypeError(f"{cls.__name__}: unknown topic {topic!r}")
        if not (cls.__doc__ or "").strip():
            raise TypeError(f"{cls.__name__}: its docstring says what the event means")
        if cls.__name__ in ALL_EVENT_TYPES:
            raise TypeError(f"event type {cls.__name__} is declared twice")
        cls.topic, cls.producer_name, cls.version = topic, PRODUCERS[topic], version
        cls.meaning = " ".join((cls.__doc__ or "").split())
        # the schema version is a literal of the type, like its name
        cls.__annotations__["schema_version"] = Literal[version]
        cls.schema_version = version

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.topic and cls.__name__ not in ALL_EVENT_TYPES:
            cls.model_fields["data"].annotation.model_validate(cls.example)  # type: ignore[union-attr]
            _register(cls)


AnyEvent = EventEnvelope[Any]  # any declared event, before a dispatch on its class
ALL_EVENT_TYPES: dict[str, type[EventEnvelope[Any]]] = {}
SCHEMA_VERSIONS: dict[str, int] = {}
_PARSERS: dict[str | None, TypeAdapter[Any]] = {}


def _register(model: type[EventEnvelope[Any]]) -> None:
    ALL_EVENT_TYPES[model.__name__] = model
    SCHEMA_VERSIONS[model.__name__] = model.version
    _PARSERS.clear()


def events_on(topic: str) -> tuple[type[EventEnvelope[Any]], ...]:
    """The event types published on a topic, in the order they were declared."""
    return tuple(m for m in ALL_EVENT_TYPES.values() if m.topic == topic)


@contextlib.contextmanager
def throwaway_events() -> Iterator[None]:
    """Event types declared inside the block are forgotten after it (for tests)."""
    before = dict(ALL_EVENT_TYPES)
    try:
        yield
    finally:
        for name in set(ALL_EVENT_TYPES) - set(before):
            del ALL_EVENT_TYPES[name], SCHEMA_VERSIONS[name]
        _PARSERS.clear()


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


class ProfileFactCorrectedData(Frozen):
    """A profile field's or flag's value moved to its true valid date: the fact recorded by
    event `corrects_sequence` no longer counts; this one does, from `valid_from`."""

    firm: FirmProfile = Field(description="The profile valid today after the correction.")
    fact_id: uuid.UUID = Field(description="The new fact")
    field: str = Field(examples=["abnormal_list"])
    value: Any = Field(examples=[True])
    valid_from: date = Field(description="The corrected valid date", examples=["2022-03-01"])
    corrects: uuid.UUID = Field(description="The fact whose date it corrects")
    corrects_sequence: int = Field(description="The event (sequence) that carried that fact")
    corrected_valid_from: date = Field(description="The date that fact had",
                                       examples=["2022-08-01"])


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


RoundItemKind = Literal["not_applied", "stalled", "filed", "not_filed"]


class RoundItem(Frozen):
    """A firm an officer has to see to in the round, and why."""

    firm: FirmRef
    kind: RoundItemKind = Field(description="not_applied: qualifies, has not applied; stalled: "
                                "its application waits past a deadline; filed / not_filed: "
                                "what a published list did")
    tier: FiledTier
    state: str | None = Field(default=None, description="The application's state, if any")
    reason: str | None = None


class RoundReminderDueData(Frozen):
    """A round's deadline is near: the firms that qualify and have not applied, or whose
    application is stalled. The notifier gives each officer their own firms, in one message."""

    year: int = Field(examples=[2024])
    deadline: Literal["firm_deadline", "district_deadline", "city_deadline"]
    on: date = Field(description="The deadline's date", examples=["2024-12-10"])
    days_left: int = Field(examples=[14])
    items: list[RoundItem]


class FilingListPublishedData(Frozen):
    """A published list (the province's; the city's for leaders) was recorded: which firms it
    filed, and which recommended ones it left out."""

    year: int = Field(description="The round the list answers", examples=[2022])
    tier: FiledTier
    list_name: str = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    listed_on: date = Field(examples=["2022-12-20"])
    items: list[RoundItem] = Field(description="kind filed or not_filed, per firm")


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


# ---------------------------------------------------------------- notifier payloads


class AlertOutcomeData(Frozen):
    alert_id: uuid.UUID
    officer_id: uuid.UUID | None
    channel: str
    alert_kind: str
    source_event_id: uuid.UUID
    attempts: int
    error: str | None = None


# ---------------------------------------------------------------- example pieces
# shared by the declarations' examples below

_FIRM: dict[str, Any] = {"id": FIRM_ID_EXAMPLE, "name": "大连星海智造科技有限公司", "district": "hitech",
         "industry": "next_gen_it"}
_PROFILE: dict[str, Any] = {**_FIRM, "uscc": "91210200MA0QC2PX3E", "founded_on": date(2016, 4, 1)}
_REPORT: dict[str, Any] = {"fiscal_year": 2021, "revenue": 30_000_000, "sales_revenue": 29_000_000,
           "total_assets": 40_000_000, "employees": 120, "st_staff": 40, "rd_expense": 2_400_000,
           "st_activity_investment": 2_700_000, "high_tech_revenue": 20_000_000, "ip_class1": 2,
           "ip_class2": 5}
_FAILING = [{"key": "gazelle.revenue_cagr", "label": "revenue CAGR ≥ 20%", "value": "0.198",
             "threshold": "0.20", "gap": "0.002", "hint": "revenue growth 0.2 points short"}]
_CHANGE: dict[str, Any] = {"firm": _FIRM, "change": "promoted", "from_tier": "none", "to_tier": "eaglet",
           "at_risk": False, "filed_on": date(2022, 5, 10), "expires_on": date(2025, 5, 10),
           "round_year": 2022, "rulebook_id": "LN-2021",
           "decision_id": uuid.UUID("0b7d9a34-5c1e-4f7a-8e2d-3a9b6c4d1e20"),
           "reason": "class-I IP: 2 ≥ 1", "registry_sequence": 3,
           "decided_on": date(2022, 5, 10)}
_ALERT: dict[str, Any] = {"alert_id": uuid.UUID("5d2f8c1a-9b3e-4a6d-8f7c-1e2a3b4c5d6e"),
          "officer_id": uuid.UUID("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "channel": "inbox",
          "alert_kind": "TierPromoted",
          "source_event_id": uuid.UUID("2c4e6a8b-1d3f-4b5a-9c7e-0f2a4c6e8b1d"), "attempts": 1}

_FILING: dict[str, Any] = {"filing_id": uuid.UUID("8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"), "tier": "gazelle",
           "listed_on": date(2022, 12, 20), "expires_on": date(2025, 12, 19),
           "list_name": "辽宁省2022年第一批瞪羚企业", "source": "import"}
_APPLICATION: dict[str, Any] = {"application_id": uuid.UUID("4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"),
                "round_year": 2022, "tier": "gazelle", "applied_on": date(2022, 12, 8)}


# ---------------------------------------------------------------- registry.firm-events (the registry)


class FirmRegistered(EventEnvelope[FirmRegisteredData], topic=FIRM_EVENTS):
    """A firm entered the registry with its profile."""

    event_type: Literal["FirmRegistered"] = "FirmRegistered"
    example = {"firm": _PROFILE}


class FirmProfileChanged(EventEnvelope[FirmProfileChangedData], topic=FIRM_EVENTS):
    """A firm's profile or flags changed; `changed` lists before and after."""

    event_type: Literal["FirmProfileChanged"] = "FirmProfileChanged"
    example = {"firm": {**_PROFILE, "district": "jinpu"},
               "changed": {"district": {"before": "hitech", "after": "jinpu"}}}


class AnnualReportFiled(EventEnvelope[AnnualReportFiledData], topic=FIRM_EVENTS):
    """A fiscal year's evaluation inputs were filed for the first time."""

    event_type: Literal["AnnualReportFiled"] = "AnnualReportFiled"
    example = {"firm_id": FIRM_ID_EXAMPLE, "report": _REPORT}


class AnnualReportRestated(EventEnvelope[AnnualReportRestatedData], topic=FIRM_EVENTS):
    """A filed annual report was corrected; the previous figures are kept."""

    event_type: Literal["AnnualReportRestated"] = "AnnualReportRestated"
    example = {"firm_id": FIRM_ID_EXAMPLE, "report": {**_REPORT, "revenue": 31_000_000},
               "previous": _REPORT}


class FundingRoundRecorded(EventEnvelope[FundingRoundRecordedData], topic=FIRM_EVENTS):
    """A funding round closed, with amount and post-money valuation."""

    event_type: Literal["FundingRoundRecorded"] = "FundingRoundRecorded"
    example = {"firm_id": FIRM_ID_EXAMPLE,
               "round_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
               "closed_on": date(2021, 9, 1), "amount": 50_000_000,
               "currency": "CNY", "post_money_valuation": 400_000_000,
               "investor_kind": "vc_pe"}


class CertificateGranted(EventEnvelope[CertificateGrantedData], topic=FIRM_EVENTS):
    """A certificate or award was granted (high-tech enterprise, tech SME, software,
    contest prize, S&T award)."""

    event_type: Literal["CertificateGranted"] = "CertificateGranted"
    example = {"firm_id": FIRM_ID_EXAMPLE,
               "certificate_id": "3f2e1d0c-9b8a-4f7e-8d6c-5b4a3f2e1d0c",
               "kind": "high_tech_enterprise", "issued_on": date(2021, 12, 1),
               "expires_on": date(2024, 11, 30), "number": "GR202121000123"}


class CertificateRevoked(EventEnvelope[CertificateRevokedData], topic=FIRM_EVENTS):
    """A certificate was revoked before its expiry."""

    event_type: Literal["CertificateRevoked"] = "CertificateRevoked"
    example = {"firm_id": FIRM_ID_EXAMPLE,
               "certificate_id": "3f2e1d0c-9b8a-4f7e-8d6c-5b4a3f2e1d0c",
               "kind": "high_tech_enterprise", "revoked_on": date(2022, 8, 1),
               "reason": "audit"}


class ComplianceFlagChanged(EventEnvelope[ComplianceFlagChangedData], topic=FIRM_EVENTS):
    """The firm went on or off the abnormal-operation or dishonesty list."""

    event_type: Literal["ComplianceFlagChanged"] = "ComplianceFlagChanged"
    example = {"firm_id": FIRM_ID_EXAMPLE, "flag": "abnormal_list", "value": True}


class ProfileFactCorrected(EventEnvelope[ProfileFactCorrectedData], topic=FIRM_EVENTS):
    """A profile or flag fact's valid date was corrected: the new fact replaces the old one
    (docs/rulebook.md "Time")."""

    event_type: Literal["ProfileFactCorrected"] = "ProfileFactCorrected"
    example = {"firm": _PROFILE, "fact_id": "5b0c7d52-3f0a-4d47-9a53-3c1f0e2b7a10",
               "field": "abnormal_list", "value": True, "valid_from": date(2022, 3, 1),
               "corrects": "0f4e2a8c-6d1b-4c3e-9f7a-2b5d8e1c4a90", "corrects_sequence": 3,
               "corrected_valid_from": date(2022, 8, 1)}


class FilingRecorded(EventEnvelope[FilingRecordedData], topic=FIRM_EVENTS):
    """An official filing (备案) was recorded: the province's list (the city's for
    leaders) files the firm in a tier from `listed_on`."""

    event_type: Literal["FilingRecorded"] = "FilingRecorded"
    example = {"firm_id": FIRM_ID_EXAMPLE, "filing": _FILING}


class FilingCorrected(EventEnvelope[FilingCorrectedData], topic=FIRM_EVENTS):
    """A recorded filing was corrected; the previous version is kept."""

    event_type: Literal["FilingCorrected"] = "FilingCorrected"
    example = {"firm_id": FIRM_ID_EXAMPLE,
               "filing": {**_FILING, "listed_on": date(2022, 12, 20)},
               "previous": _FILING}


class FilingRevoked(EventEnvelope[FilingRevokedData], topic=FIRM_EVENTS):
    """An official filing was revoked before its expiry."""

    event_type: Literal["FilingRevoked"] = "FilingRevoked"
    example = {"firm_id": FIRM_ID_EXAMPLE, "filing_id": _FILING["filing_id"],
               "tier": "gazelle", "revoked_on": date(2023, 6, 1),
               "reason": "严重违法失信"}


class ApplicationSubmitted(EventEnvelope[ApplicationSubmittedData], topic=FIRM_EVENTS):
    """A firm applied (申报) in a year's round for a tier."""

    event_type: Literal["ApplicationSubmitted"] = "ApplicationSubmitted"
    example = {"firm_id": FIRM_ID_EXAMPLE, "application": _APPLICATION,
               "by": "officer:7a1b2c3d"}


class ApplicationStepRecorded(EventEnvelope[ApplicationStepRecordedData], topic=FIRM_EVENTS):
    """An application moved a step: district check, recommendation, filed, not filed or
    withdrawn; dated, with who recorded it."""

    event_type: Literal["ApplicationStepRecorded"] = "ApplicationStepRecorded"
    example = {"firm_id": FIRM_ID_EXAMPLE,
               "application_id": _APPLICATION["application_id"],
               "round_year": 2022, "tier": "gazelle", "step": "district_checked",
               "on": date(2022, 12, 12), "passed": True,
               "by": "officer:7a1b2c3d", "note": "信用核查通过，已实地走访"}


# ---------------------------------------------------------------- ladder.standing-events (the ladder)


class TierPromoted(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """The ladder moved a firm up a tier; `reason` and the trace say why."""

    event_type: Literal["TierPromoted"] = "TierPromoted"
    example = _CHANGE


class TierDemoted(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """A firm dropped a tier (at expiry, revocation or by hand)."""

    event_type: Literal["TierDemoted"] = "TierDemoted"
    example = {**_CHANGE, "change": "demoted", "from_tier": "gazelle", "to_tier": "eaglet",
               "failing": _FAILING}


class TierAtRisk(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """A filed firm no longer qualifies but keeps its tier until the filing expires."""

    event_type: Literal["TierAtRisk"] = "TierAtRisk"
    example = {**_CHANGE, "change": "at_risk", "from_tier": "eaglet", "at_risk": True,
               "failing": _FAILING}


class TierRenewed(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """At expiry a firm qualified again: a renewal, not a new filing."""

    event_type: Literal["TierRenewed"] = "TierRenewed"
    example = {**_CHANGE, "change": "renewed", "from_tier": "eaglet",
               "filed_on": date(2025, 5, 10), "expires_on": date(2028, 5, 10)}


class TierRevoked(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """A filing was revoked at once (the serious-dishonesty list), also under an
    override."""

    event_type: Literal["TierRevoked"] = "TierRevoked"
    example = {**_CHANGE, "change": "revoked", "from_tier": "gazelle", "to_tier": "none",
               "reason": "on the serious-dishonesty list (严重违法失信名单)"}


class TierRecovered(EventEnvelope[StandingChangeData], topic=STANDING_EVENTS):
    """A firm at risk qualifies again during its filing: good news."""

    event_type: Literal["TierRecovered"] = "TierRecovered"
    example = {**_CHANGE, "change": "recovered", "from_tier": "eaglet",
               "reason": "qualifies again during its filing"}


class TierOverridden(EventEnvelope[TierOverriddenData], topic=STANDING_EVENTS):
    """An officer set or cleared a tier by hand, with the reason; audited."""

    event_type: Literal["TierOverridden"] = "TierOverridden"
    example = {**_CHANGE, "change": "override", "from_tier": "eaglet",
               "to_tier": "gazelle", "reason": "bureau decision after an on-site review",
               "direction": "up", "by": "officer:7a1b2c3d"}


class FilingExpiring(EventEnvelope[FilingExpiringData], topic=STANDING_EVENTS):
    """A filing expires soon; officers can help the firm renew."""

    event_type: Literal["FilingExpiring"] = "FilingExpiring"
    example = {"firm": _FIRM, "tier": "eaglet", "expires_on": date(2025, 5, 10),
               "days_left": 30}


class NearMissDetected(EventEnvelope[NearMissDetectedData], topic=STANDING_EVENTS):
    """A firm is close to the next tier; `failing` says what it lacks."""

    event_type: Literal["NearMissDetected"] = "NearMissDetected"
    example = {"firm": _FIRM, "tier": "gazelle", "failing": _FAILING}


class TargetProgressChanged(EventEnvelope[TargetProgressChangedData], topic=STANDING_EVENTS):
    """A year's target moved: achieved, progress and pace."""

    event_type: Literal["TargetProgressChanged"] = "TargetProgressChanged"
    example_subject = "2022"
    example = {"year": 2022, "key": "eaglet", "target": 170, "achieved": 86,
               "progress": 0.506, "pace": "on_track", "previous_pace": "behind"}


class TargetMilestoneReached(EventEnvelope[TargetMilestoneReachedData], topic=STANDING_EVENTS):
    """A target passed a milestone (first, 25%..100%, first unicorn)."""

    event_type: Literal["TargetMilestoneReached"] = "TargetMilestoneReached"
    example_subject = "2022"
    example = {"year": 2022, "key": "unicorn", "milestone": "first_unicorn",
               "target": 1, "achieved": 1, "firm": _FIRM}


class RoundReminderDue(EventEnvelope[RoundReminderDueData], topic=STANDING_EVENTS):
    """A round's deadline is near (by default 14 and 3 days before): the firms that qualify
    and have not applied, or whose application is stalled."""

    event_type: Literal["RoundReminderDue"] = "RoundReminderDue"
    example_subject = "2024"
    example = {"year": 2024, "deadline": "firm_deadline", "on": date(2024, 12, 10),
               "days_left": 14, "items": [
                   {"firm": _FIRM, "kind": "not_applied", "tier": "gazelle"},
                   {"firm": _FIRM, "kind": "stalled", "tier": "eaglet", "state": "applied",
                    "reason": "no step for 25 days"}]}


class FilingListPublished(EventEnvelope[FilingListPublishedData], topic=STANDING_EVENTS):
    """A published filing list was recorded: the firms it filed and the recommended firms it
    left out."""

    event_type: Literal["FilingListPublished"] = "FilingListPublished"
    example_subject = "2022"
    example = {"year": 2022, "tier": "gazelle", "list_name": "辽宁省2022年第一批瞪羚企业",
               "listed_on": date(2022, 12, 20),
               "items": [{"firm": _FIRM, "kind": "filed", "tier": "gazelle"}]}


# ---------------------------------------------------------------- notifier.alert-events (the notifier)


class AlertDelivered(EventEnvelope[AlertOutcomeData], topic=ALERT_EVENTS):
    """An alert reached a case officer on a channel."""

    event_type: Literal["AlertDelivered"] = "AlertDelivered"
    example_subject = str(_ALERT["alert_id"])
    example = _ALERT


class AlertFailed(EventEnvelope[AlertOutcomeData], topic=ALERT_EVENTS):
    """An alert could not be delivered after its retries."""

    event_type: Literal["AlertFailed"] = "AlertFailed"
    example_subject = str(_ALERT["alert_id"])
    example = {**_ALERT, "channel": "wecom", "attempts": 5,
               "error": "HTTP 503 from the bot webhook"}


# ---------------------------------------------------------------- entitlements.entitlement-events (the entitlements service)

_ENTITLEMENT: dict[str, Any] = {
    "entitlement_id": uuid.UUID("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"), "firm": _FIRM,
    "policy_id": "dl.gazelle_unicorn.filed", "policy_name": "新备案瞪羚、独角兽企业奖励",
    "policy_set": "DL-2023", "policy_version": 1,
    "trigger_key": f"filing:{_FILING['filing_id']}", "trigger_on": date(2022, 12, 20),
    "year": 2022, "budget_line": "大连市科技局·梯度培育", "amount": 800_000,
    "options": [{"option_id": "loan_interest", "name": "贷款贴息", "amount": 800_000},
                {"option_id": "award", "name": "一次性奖励", "amount": 500_000}],
    "complete": True, "provisional": True, "state": "computed"}


class EntitlementComputed(EventEnvelope[EntitlementComputedData], topic=ENTITLEMENT_EVENTS):
    """A filing or certificate entitles a firm to a policy's award; the options are either/or,
    the better first."""

    event_type: Literal["EntitlementComputed"] = "EntitlementComputed"
    example = {"entitlement": _ENTITLEMENT}


class EntitlementCorrected(EventEnvelope[EntitlementCorrectedData], topic=ENTITLEMENT_EVENTS):
    """A late or corrected fact (or a new policy set) changed an entitlement's amount; never a
    second payment (approved and paid amounts stand: `applied` false asks finance to review)."""

    event_type: Literal["EntitlementCorrected"] = "EntitlementCorrected"
    example = {"entitlement": {**_ENTITLEMENT, "amount": 800_000}, "previous_amount": 500_000,
               "applied": True, "reason": "the facts or the policy changed"}


class EntitlementStateChanged(EventEnvelope[EntitlementStateChangedData],
                              topic=ENTITLEMENT_EVENTS):
    """An entitlement moved a step (offered, confirmed, approved, paid, declined, expired,
    cancelled): dated, by whom."""

    event_type: Literal["EntitlementStateChanged"] = "EntitlementStateChanged"
    example = {"entitlement_id": _ENTITLEMENT["entitlement_id"], "firm": _FIRM,
               "policy_id": "dl.gazelle_unicorn.filed", "policy_name": "新备案瞪羚、独角兽企业奖励",
               "from_state": "computed", "to_state": "offered", "on": date(2023, 1, 5),
               "by": "officer:7a1b2c3d", "amount": 800_000}


class EntitlementAwaitingConfirmation(EventEnvelope[EntitlementAwaitingConfirmationData],
                                      topic=ENTITLEMENT_EVENTS):
    """An offered entitlement waits for the firm's confirmation past the reminder threshold."""

    event_type: Literal["EntitlementAwaitingConfirmation"] = "EntitlementAwaitingConfirmation"
    example = {"entitlement_id": _ENTITLEMENT["entitlement_id"], "firm": _FIRM,
               "policy_name": "新备案瞪羚、独角兽企业奖励", "amount": 800_000,
               "offered_on": date(2023, 1, 5), "days_waiting": 14}


FIRM_EVENT_TYPES = events_on(FIRM_EVENTS)
STANDING_EVENT_TYPES = events_on(STANDING_EVENTS)
ALERT_EVENT_TYPES = events_on(ALERT_EVENTS)
ENTITLEMENT_EVENT_TYPES = events_on(ENTITLEMENT_EVENTS)


def _union(types: tuple[type[EventEnvelope[Any]], ...]) -> Any:
    return Annotated[Union[types], Field(discriminator="event_type")]


def _parser(topic: str | None) -> TypeAdapter[Any]:
    """The discriminated union of a topic's types (of every type for None), built once per
    registry state."""
    if topic is not None and topic not in PRODUCERS:
        raise ValueError(f"{topic} is not a published topic")
    if topic not in _PARSERS:
        types = tuple(ALL_EVENT_TYPES.values()) if topic is None else events_on(topic)
        _PARSERS[topic] = TypeAdapter(_union(types))
    return _PARSERS[topic]


def parse_event(raw: bytes | str | dict[str, Any], *,
                topic: str | None = None) -> EventEnvelope[Any]:
    """Parse an event into its declared class by its `event_type` (only the types of `topic`,
    when given); raises pydantic.ValidationError when it is not one."""
    parser = _parser(topic)
    if isinstance(raw, dict):
        return parser.validate_python(raw)  # type: ignore[no-any-return]
    return parser.validate_json(raw)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Draft(Generic[P]):
    """An event to write: its declared type, subject and payload; the outbox numbers it.
    Generic, so mypy refuses a payload that is not the type's."""

    type: type[EventEnvelope[P]]
    subject: str
    data: P
    correlation_id: str | None = None

    def numbered(self, sequence: int) -> EventEnvelope[P]:
        """The event, with its sequence, from its type's producer."""
        return self.type(producer=self.type.producer_name, subject=self.subject,
                         sequence=sequence, data=self.data, correlation_id=self.correlation_id)


def make_event(
    event_type: str, *, producer: str, subject: str, sequence: int, data: Any,
    correlation_id: str | None = None,
) -> EventEnvelope[Any]:
    """Build an event by its type's name, validating a payload given as a dict (tests and
    replays; producers build from the payload models through `Draft`)."""
    return ALL_EVENT_TYPES[event_type].model_validate({
        "producer": producer, "subject": subject, "sequence": sequence, "data": data,
        "correlation_id": correlation_id})


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every event type, keyed `<EventType>.v<version>`."""
    return {
        f"{name}.v{SCHEMA_VERSIONS[name]}": model.model_json_schema()
        for name, model in ALL_EVENT_TYPES.items()
    }
