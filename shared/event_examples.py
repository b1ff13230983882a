"""One valid example of every event type: for the AsyncAPI document, and for tests that need
real events on a topic. Built through the contracts, so an example that drifts fails at once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from shared.events import (
    ALERT_EVENT_TYPES,
    ALL_EVENT_TYPES,
    ENTITLEMENT_EVENT_TYPES,
    FIRM_EVENT_TYPES,
    FIRM_ID_EXAMPLE,
    STANDING_EVENT_TYPES,
    EventEnvelope,
)

_FIRM = {"id": FIRM_ID_EXAMPLE, "name": "大连星海智造科技有限公司", "district": "hitech",
         "industry": "next_gen_it"}
_PROFILE = {**_FIRM, "uscc": "91210200MA0QC2PX3E", "founded_on": date(2016, 4, 1)}
_REPORT = {"fiscal_year": 2021, "revenue": 30_000_000, "sales_revenue": 29_000_000,
           "total_assets": 40_000_000, "employees": 120, "st_staff": 40, "rd_expense": 2_400_000,
           "st_activity_investment": 2_700_000, "high_tech_revenue": 20_000_000, "ip_class1": 2,
           "ip_class2": 5}
_FAILING = [{"key": "gazelle.revenue_cagr", "label": "revenue CAGR ≥ 20%", "value": "0.198",
             "threshold": "0.20", "gap": "0.002", "hint": "revenue growth 0.2 points short"}]
_CHANGE = {"firm": _FIRM, "change": "promoted", "from_tier": "none", "to_tier": "eaglet",
           "at_risk": False, "filed_on": date(2022, 5, 10), "expires_on": date(2025, 5, 10),
           "round_year": 2022, "rulebook_id": "LN-2021",
           "decision_id": uuid.UUID("0b7d9a34-5c1e-4f7a-8e2d-3a9b6c4d1e20"),
           "reason": "class-I IP: 2 ≥ 1", "registry_sequence": 3,
           "decided_on": date(2022, 5, 10)}
_ALERT = {"alert_id": uuid.UUID("5d2f8c1a-9b3e-4a6d-8f7c-1e2a3b4c5d6e"),
          "officer_id": uuid.UUID("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "channel": "inbox",
          "alert_kind": "TierPromoted",
          "source_event_id": uuid.UUID("2c4e6a8b-1d3f-4b5a-9c7e-0f2a4c6e8b1d"), "attempts": 1}

_FILING = {"filing_id": uuid.UUID("8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"), "tier": "gazelle",
           "listed_on": date(2022, 12, 20), "expires_on": date(2025, 12, 19),
           "list_name": "辽宁省2022年第一批瞪羚企业", "source": "import"}
_APPLICATION = {"application_id": uuid.UUID("4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"),
                "round_year": 2022, "tier": "gazelle", "applied_on": date(2022, 12, 8)}
_ENTITLEMENT = {"entitlement_id": uuid.UUID("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"),
                "firm": _FIRM, "policy_id": "dl.gazelle_unicorn.filed",
                "policy_name": "新备案瞪羚、独角兽企业奖励", "policy_set": "DL-2023",
                "policy_version": 1, "trigger_key": f"filing:{_FILING['filing_id']}",
                "trigger_on": date(2022, 12, 20), "year": 2022, "budget_line": "大连市科技局·梯度培育",
                "amount": 800_000,
                "options": [{"option_id": "loan_interest", "name": "贷款贴息", "amount": 800_000},
                            {"option_id": "award", "name": "一次性奖励", "amount": 500_000}],
                "complete": True, "provisional": True, "state": "computed"}

DATA: dict[str, dict[str, Any]] = {
    "FirmRegistered": {"firm": _PROFILE},
    "FirmProfileChanged": {"firm": {**_PROFILE, "district": "jinpu"},
                           "changed": {"district": {"before": "hitech", "after": "jinpu"}}},
    "AnnualReportFiled": {"firm_id": FIRM_ID_EXAMPLE, "report": _REPORT},
    "AnnualReportRestated": {"firm_id": FIRM_ID_EXAMPLE, "report": {**_REPORT, "revenue": 31_000_000},
                             "previous": _REPORT},
    "FundingRoundRecorded": {"firm_id": FIRM_ID_EXAMPLE,
                             "round_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
                             "closed_on": date(2021, 9, 1), "amount": 50_000_000,
                             "currency": "CNY", "post_money_valuation": 400_000_000,
                             "investor_kind": "vc_pe"},
    "CertificateGranted": {"firm_id": FIRM_ID_EXAMPLE,
                           "certificate_id": "3f2e1d0c-9b8a-4f7e-8d6c-5b4a3f2e1d0c",
                           "kind": "high_tech_enterprise", "issued_on": date(2021, 12, 1),
                           "expires_on": date(2024, 11, 30), "number": "GR202121000123"},
    "CertificateRevoked": {"firm_id": FIRM_ID_EXAMPLE,
                           "certificate_id": "3f2e1d0c-9b8a-4f7e-8d6c-5b4a3f2e1d0c",
                           "kind": "high_tech_enterprise", "revoked_on": date(2022, 8, 1),
                           "reason": "audit"},
    "ComplianceFlagChanged": {"firm_id": FIRM_ID_EXAMPLE, "flag": "abnormal_list", "value": True},
    "FilingRecorded": {"firm_id": FIRM_ID_EXAMPLE, "filing": _FILING},
    "FilingCorrected": {"firm_id": FIRM_ID_EXAMPLE,
                        "filing": {**_FILING, "listed_on": date(2022, 12, 20)},
                        "previous": _FILING},
    "FilingRevoked": {"firm_id": FIRM_ID_EXAMPLE, "filing_id": _FILING["filing_id"],
                      "tier": "gazelle", "revoked_on": date(2023, 6, 1),
                      "reason": "严重违法失信"},
    "ApplicationSubmitted": {"firm_id": FIRM_ID_EXAMPLE, "application": _APPLICATION,
                             "by": "officer:7a1b2c3d"},
    "ApplicationStepRecorded": {"firm_id": FIRM_ID_EXAMPLE,
                                "application_id": _APPLICATION["application_id"],
                                "round_year": 2022, "tier": "gazelle", "step": "district_checked",
                                "on": date(2022, 12, 12), "passed": True,
                                "by": "officer:7a1b2c3d", "note": "信用核查通过，已实地走访"},
    "TierPromoted": _CHANGE,
    "TierDemoted": {**_CHANGE, "change": "demoted", "from_tier": "gazelle", "to_tier": "eaglet",
                    "failing": _FAILING},
    "TierAtRisk": {**_CHANGE, "change": "at_risk", "from_tier": "eaglet", "at_risk": True,
                   "failing": _FAILING},
    "TierRenewed": {**_CHANGE, "change": "renewed", "from_tier": "eaglet",
                    "filed_on": date(2025, 5, 10), "expires_on": date(2028, 5, 10)},
    "TierRevoked": {**_CHANGE, "change": "revoked", "from_tier": "gazelle", "to_tier": "none",
                    "reason": "on the serious-dishonesty list (严重违法失信名单)"},
    "TierRecovered": {**_CHANGE, "change": "recovered", "from_tier": "eaglet",
                      "reason": "qualifies again during its filing"},
    "TierOverridden": {**_CHANGE, "change": "override", "from_tier": "eaglet",
                       "to_tier": "gazelle", "reason": "bureau decision after an on-site review",
                       "direction": "up", "by": "officer:7a1b2c3d"},
    "FilingExpiring": {"firm": _FIRM, "tier": "eaglet", "expires_on": date(2025, 5, 10),
                       "days_left": 30},
    "NearMissDetected": {"firm": _FIRM, "tier": "gazelle", "failing": _FAILING},
    "TargetProgressChanged": {"year": 2022, "key": "eaglet", "target": 170, "achieved": 86,
                              "progress": 0.506, "pace": "on_track", "previous_pace": "behind"},
    "TargetMilestoneReached": {"year": 2022, "key": "unicorn", "milestone": "first_unicorn",
                               "target": 1, "achieved": 1, "firm": _FIRM},
    "EntitlementComputed": {"entitlement": _ENTITLEMENT},
    "EntitlementCorrected": {"entitlement": {**_ENTITLEMENT, "amount": 800_000},
                             "previous_amount": 500_000, "applied": True,
                             "reason": "the facts or the policy changed"},
    "EntitlementStateChanged": {"entitlement_id": _ENTITLEMENT["entitlement_id"], "firm": _FIRM,
                                "policy_id": "dl.gazelle_unicorn.filed",
                                "policy_name": "新备案瞪羚、独角兽企业奖励",
                                "from_state": "computed", "to_state": "offered",
                                "on": date(2023, 1, 5), "by": "officer:7a1b2c3d",
                                "amount": 800_000},
    "EntitlementAwaitingConfirmation": {"entitlement_id": _ENTITLEMENT["entitlement_id"],
                                        "firm": _FIRM, "policy_name": "新备案瞪羚、独角兽企业奖励",
                                        "amount": 800_000, "offered_on": date(2023, 1, 5),
                                        "days_waiting": 14},
    "AlertDelivered": _ALERT,
    "AlertFailed": {**_ALERT, "channel": "wecom", "attempts": 5,
                    "error": "HTTP 503 from the bot webhook"},
}
_PRODUCER = {**{m.__name__: "registry" for m in FIRM_EVENT_TYPES},
             **{m.__name__: "ladder" for m in STANDING_EVENT_TYPES},
             **{m.__name__: "notifier" for m in ALERT_EVENT_TYPES},
             **{m.__name__: "entitlements" for m in ENTITLEMENT_EVENT_TYPES}}


def example(event_type: str, **envelope: Any) -> EventEnvelope:
    """A valid `event_type` event; envelope fields (subject, sequence, data...) may be replaced."""
    model = ALL_EVENT_TYPES[event_type]
    producer = _PRODUCER[event_type]
    subject = "2022" if event_type.startswith("Target") else FIRM_ID_EXAMPLE
    if producer == "notifier":
        subject = str(_ALERT["alert_id"])
    fields: dict[str, Any] = {
        "event_id": uuid.UUID("11111111-2222-4333-8444-555555555555"),
        "occurred_at": datetime(2022, 5, 10, 9, 30, tzinfo=UTC), "producer": producer,
        "subject": subject, "sequence": 3, "correlation_id": "req-4f1c9a",
        "data": DATA[event_type], **envelope,
    }
    return model.model_validate(fields)
