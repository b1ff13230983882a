"""The AsyncAPI 3.0 document of the public topics, from the event contracts and, for a running
service, the subscribers its FastStream broker registered. One generator for the CLI and the
services' `/asyncapi.json`."""

from __future__ import annotations

from typing import Any

from shared.event_examples import example_of
from shared.events import EventEnvelope, events_on
from shared.topics import (
    ALERT_EVENTS,
    ENTITLEMENT_EVENTS,
    FIRM_EVENTS,
    PRODUCERS,
    STANDING_EVENTS,
    dead_letter,
)

# what each topic carries, in words; its event types and their meanings come from their
# declarations in shared/events.py
TOPICS: dict[str, str] = {
    FIRM_EVENTS: "Every change to a firm's facts (profile, annual reports, funding, "
    "certificates, compliance flags), keyed by firm id so one firm's events stay in order.",
    STANDING_EVENTS: "Tier decisions with their reasons, filing expiries, near misses and "
    "target progress; keyed by firm id (target events: by round year).",
    ALERT_EVENTS: "The outcome of every alert delivery to a case officer, keyed by alert id.",
    ENTITLEMENT_EVENTS: "What firms are owed under the policies (免申即享), computed from filings "
    "and certificates, corrected by late facts, and each step from offered to paid; keyed by "
    "firm id.",
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


def _message(model: type[EventEnvelope[Any]]) -> dict[str, Any]:
    name, meaning, version = model.__name__, model.meaning, model.version
    return {
        "name": name, "title": name, "contentType": "application/json",
        "summary": meaning,
        "description": f"{meaning} Schema version {version}; the JSON Schema "
        f"is `{name}.v{version}.json` from `tracker docs schemas`.",
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "x-schema-version": version,
        "bindings": {"kafka": {"key": {"type": "string", "description": "the event's subject"}}},
        "examples": [{"name": f"{name}Example", "summary": meaning,
                      "payload": example_of(model).model_dump(mode="json")}],
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
    for topic, description in TOPICS.items():
        producer, types = PRODUCERS[topic], events_on(topic)
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
