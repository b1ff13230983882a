"""The AsyncAPI 3.0 document of the public topics, built from the event contracts."""

from __future__ import annotations

from typing import Any

from shared.events import (
    ALERT_EVENT_TYPES,
    FIRM_EVENT_TYPES,
    SCHEMA_VERSIONS,
    STANDING_EVENT_TYPES,
    EventEnvelope,
)
from shared.topics import ALERT_EVENTS, FIRM_EVENTS, STANDING_EVENTS, dead_letter

_TOPICS: tuple[tuple[str, str, str, tuple[type[EventEnvelope], ...]], ...] = (
    (FIRM_EVENTS, "registry", "Every change to a firm's facts, keyed by firm id.", FIRM_EVENT_TYPES),
    (STANDING_EVENTS, "ladder", "Tier decisions, near misses and target progress.",
     STANDING_EVENT_TYPES),
    (ALERT_EVENTS, "notifier", "Outcome of every alert delivery.", ALERT_EVENT_TYPES),
)


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0: one channel per topic (and its dead-letter twin), one message per type."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for topic, producer, description, types in _TOPICS:
        cid = _channel_id(topic)
        refs = {}
        for model in types:
            name = model.__name__
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
            messages[name] = {
                "name": name, "title": name, "contentType": "application/json",
                "summary": model.__doc__,
                "headers": {"type": "object"},
                "payload": {"$ref": f"#/components/schemas/{name}"},
                "x-schema-version": SCHEMA_VERSIONS[name],
                "bindings": {"kafka": {"key": {"type": "string", "description": "subject"}}},
            }
            refs[name] = {"$ref": f"#/components/messages/{name}"}
        channels[cid] = {"address": topic, "description": description, "messages": refs}
        channels[cid + "_dlq"] = {
            "address": dead_letter(topic),
            "description": f"Messages from {topic} that failed after bounded retries; "
            "the error is in the `x-error` header.",
        }
        operations[f"publish_{cid}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"Published by {producer}",
            "messages": [{"$ref": f"#/channels/{cid}/messages/{n}"} for n in refs],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Cultivation tracker events", "version": "1.0.0",
                 "description": "Public topics of the Dalian cultivation tracker."},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
