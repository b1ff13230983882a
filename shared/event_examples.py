"""One valid example event of every event type, from the example payload its declaration
carries (shared/events.py): for the AsyncAPI document, and for tests that need real events on
a topic. Built through the contracts, so an example that drifts fails at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from shared.events import ALL_EVENT_TYPES, EventEnvelope

E = TypeVar("E", bound=EventEnvelope[Any])


class _Examples(dict[str, dict[str, Any]]):
    """Example payloads by type name, read from the declarations (a type declared later,
    in a test, is found too)."""

    def __missing__(self, name: str) -> dict[str, Any]:
        return ALL_EVENT_TYPES[name].example


DATA: dict[str, dict[str, Any]] = _Examples()


def example_of(model: type[E], **envelope: Any) -> E:
    """A valid event of `model`; envelope fields (subject, sequence, data...) may be replaced."""
    fields: dict[str, Any] = {
        "event_id": uuid.UUID("11111111-2222-4333-8444-555555555555"),
        "occurred_at": datetime(2022, 5, 10, 9, 30, tzinfo=UTC),
        "producer": model.producer_name, "subject": model.example_subject, "sequence": 3,
        "correlation_id": "req-4f1c9a", "data": model.example, **envelope,
    }
    return model.model_validate(fields)


def example(event_type: str, **envelope: Any) -> EventEnvelope[Any]:
    """A valid `event_type` event, by the type's name (see `example_of`)."""
    return example_of(ALL_EVENT_TYPES[event_type], **envelope)
