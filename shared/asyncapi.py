"""The AsyncAPI 3.0 document of the public topics, from the event contracts and, for a running
service, the subscribers its FastStream broker registered. One generator for the CLI and the
services' `/asyncapi.json`."""

from __future__ import annotations

from typing import Any

from shared.event_examples import example
from shared.events import (
    ALERT_EVENT_TYPES,
    ENTITLEMENT_EVENT_TYPES,
    FIRM_EVENT_TYPES,
    SCHEMA_VERSIONS,
    STANDING_EVENT_TYPES,
    EventEnvelope,
)
from shared.topics import (
    ALERT_EVENTS,
    ENTITLEMENT_EVENTS,
    FIRM_EVENTS,
    STANDING_EVENTS,
    dead_letter,
)

TOPICS: tuple[tuple[str, str, str, tuple[type[EventEnvelope], ...]], ...] = (
    (FIRM_EVENTS, "registry", "Every change to a firm's facts (profile, annual reports, funding, "
     "certificates, compliance flags), keyed by firm id so one firm's events stay in order.",
     FIRM_EVENT_TYPES),
    (STANDING_EVENTS, "ladder", "Tier decisions with their reasons, filing expiries, near misses "
     "and target progress; keyed by firm id (target events: by round year).",
     STANDING_EVENT_TYPES),
    (ALERT_EVENTS, "notifier", "The outcome of every alert delivery to a case officer, keyed by "
     "alert id.", ALERT_EVENT_TYPES),
    (ENTITLEMENT_EVENTS, "entitlements", "What firms are owed under the policies (免申即享), "
     "computed from filings and certificates, corrected by late facts, and each step from "
     "offered to paid; keyed by firm id.", ENTITLEMENT_EVENT_TYPES),
)
MEANING = {
    "FirmRegistered": "A firm entered the registry with its profile.",
    "FirmProfileChanged": "A firm's profile or flags changed; `changed` lists before and after.",
    "AnnualReportFiled": "A fiscal year's evaluation inputs were filed for the first time.",
    "AnnualReportRestated": "A filed annual report was corrected; the previous figures are kept.",
    "FundingRoundRecorded": "A funding round closed, with amount and post-money valuation.",
    "CertificateGranted": "A certificate or award was granted (high-tech enterprise, tech SME, "
                          "software, contest prize, S&T award).",
    "CertificateRevoked": "A certificate was revoked before its expiry.",
    "ComplianceFlagChanged": "The firm went on or off the abnormal-operation or dishonesty list.",
    "FilingRecorded": "An official filing (备案) was recorded: the province's list (the city's for "
                      "leaders) files the firm in a tier from `listed_on`.",
    "FilingCorrected": "A recorded filing was corrected; the previous version is kept.",
    "FilingRevoked": "An official filing was revoked before its expiry.",
    "ApplicationSubmitted": "A firm applied (申报) in a year's round for a tier.",
    "ApplicationStepRecorded": "An application moved a step: district check, recommendation, "
                               "filed, not filed or withdrawn; dated, with who recorded it.",
    "TierPromoted": "The ladder moved a firm up a tier; `reason` and the trace say why.",
    "TierDemoted": "A firm dropped a tier (at expiry, revocation or by hand).",
    "TierAtRisk": "A filed firm no longer qualifies but keeps its tier until the filing expires.",
    "TierRenewed": "At expiry a firm qualified again: a renewal, not a new filing.",
    "TierRevoked": "A filing was revoked at once (the serious-dishonesty list), also under an "
                   "override.",
    "TierRecovered": "A firm at risk qualifies again during its filing: good news.",
    "TierOverridden": "An officer set or cleared a tier by hand, with the reason; audited.",
    "FilingExpiring": "A filing expires soon; officers can help the firm renew.",
    "NearMissDetected": "A firm is close to the next tier; `failing` says what it lacks.",
    "TargetProgressChanged": "A year's target moved: achieved, progress and pace.",
    "TargetMilestoneReached": "A target passed a milestone (first, 25%..100%, first unicorn).",
    "EntitlementComputed": "A filing or certificate entitles a firm to a policy's award; the "
                           "options are either/or, the better first.",
    "EntitlementCorrected": "A late or corrected fact (or a new policy set) changed an "
                            "entitlement's amount; never a second payment.",
    "EntitlementStateChanged": "An entitlement moved a step (offered, confirmed, approved, "
                               "paid, declined, expired, cancelled): dated, by whom.",
    "EntitlementAwaitingConfirmation": "An offered entitlement waits for the firm's "
                                       "confirmation past the reminder threshold.",
    "AlertDelivered": "An alert reached a case officer on a channel.",
    "AlertFailed": "An alert could not be delivered after its retries.",
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


def _message(model: type[EventEnvelope]) -> dict[str, Any]:
    name = model.__name__
    return {
        "name": name, "title": name, "contentType": "application/json",
        "summary": MEANING[name],
        "description": f"{MEANING[name]} Schema version {SCHEMA_VERSIONS[name]}; the JSON Schema "
        f"is `{name}.v{SCHEMA_VERSIONS[name]}.json` from `tracker docs schemas`.",
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "x-schema-version": SCHEMA_VERSIONS[name],
        "bindings": {"kafka": {"key": {"type": "string", "description": "the event's subject"}}},
        "examples": [{"name": f"{name}Example", "summary": MEANING[name],
                      "payload": example(name).model_dump(mode="json")}],
    }


def _receive_operations(broker: Any, channels: dict[str, Any]) -> dict[str, Any]:
    """What the service's FastStream subscribers read, with their titles and descriptions."""
    operations: dict[str, Any] = {}
    for sub in getattr(broker, "subscribers", ()):
        for title, spec in sub.schema().items():
            cid = _channel_id(spec.address)
            if cid not in channels:
                continue
            operations[f"receive_{_channel_id(title)}"] = {
                "action": "receive", "channel": {"$ref": f"#/channels/{cid}"},
                "title": title, "summary": f"Consumer group `{sub.group_id}`",
                "description": spec.description or title,
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"}
                             for m in channels[cid]["messages"]],
            }
    return operations


def asyncapi_document(service: str | None = None, *, broker: Any = None,
                      server: str = "127.0.0.1:9092") -> dict[str, Any]:
    """AsyncAPI 3.0 of every topic, or of one service: what it publishes and what it reads."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    read = {spec.address for sub in getattr(broker, "subscribers", ())
            for spec in sub.schema().values()}
    for topic, producer, description, types in TOPICS:
        if service is not None and producer != service and topic not in read:
            continue
        cid = _channel_id(topic)
        for model in types:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
            messages[model.__name__] = _message(model)
        refs = {m.__name__: {"$ref": f"#/components/messages/{m.__name__}"} for m in types}
        channels[cid] = {"address": topic, "title": topic,
                         "description": f"{description} Produced by the {producer} service.",
                         "messages": refs}
        channels[cid + "_dlq"] = {
            "address": dead_letter(topic), "title": dead_letter(topic),
            "description": f"Messages from {topic} that a consumer could not apply after bounded "
            "retries, unchanged; the error is in the `x-error` header.",
        }
        if service is None or producer == service:
            operations[f"publish_{cid}"] = {
                "action": "send", "channel": {"$ref": f"#/channels/{cid}"},
                "title": f"{producer} publishes {topic}",
                "summary": f"Published by {producer} from its transactional outbox",
                "messages": [{"$ref": f"#/channels/{cid}/messages/{n}"} for n in refs],
            }
    operations.update(_receive_operations(broker, channels))
    title = f"Cultivation tracker — {service} events" if service else "Cultivation tracker events"
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": "1.0.0",
                 "description": "Public topics of the Dalian cultivation tracker. Every event "
                 "shares one envelope (event_id, event_type, schema_version, occurred_at, "
                 "producer, subject, sequence, correlation_id, data); consumers dedupe on "
                 "`event_id` and compare `sequence` per subject."},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": server, "protocol": "kafka",
                              "description": "The cluster's bootstrap servers"}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
