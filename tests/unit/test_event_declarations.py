"""An event type is declared once (shared/events.py): the registry, the parsers, the JSON
Schemas, the examples and the AsyncAPI document derive from the declaration; producers and
consumers name the declared classes, never a type string."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import ValidationError

from shared.asyncapi import asyncapi_document
from shared.event_examples import example_of
from shared.events import (
    ALL_EVENT_TYPES,
    SCHEMA_VERSIONS,
    EventEnvelope,
    FirmRef,
    FirmRegistered,
    FirmRegisteredData,
    Frozen,
    TierPromoted,
    events_on,
    json_schemas,
    parse_event,
    throwaway_events,
)
from shared.outbox import Outbox
from shared.topics import ALERT_EVENTS, FIRM_EVENTS, STANDING_EVENTS
from tests.fakes import FakeOutbox

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
# the published contracts as main generated them just before event types were declared as
# classes (main at 6c13894, the old style): this rework changes none of them
BEFORE = Path(__file__).parent / "fixtures" / "contracts_before_events.json"


def _contracts() -> dict[str, Any]:
    now = {"asyncapi": asyncapi_document(), "schemas": json_schemas()}
    return json.loads(json.dumps(now, sort_keys=True, ensure_ascii=False, default=str))  # type: ignore[no-any-return]


def test_the_published_contracts_are_unchanged() -> None:
    """The AsyncAPI document and every JSON Schema are what main published before the rework
    (new event types added since then would show up here as additions, and only as such)."""
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    now = _contracts()
    assert set(before["schemas"]) <= set(now["schemas"])
    for name, schema in before["schemas"].items():
        assert now["schemas"][name] == schema, name
    doc_before, doc_now = before["asyncapi"], now["asyncapi"]
    for part in ("messages", "schemas"):
        for name, value in doc_before["components"][part].items():
            assert doc_now["components"][part][name] == value, (part, name)
    for cid, channel in doc_before["channels"].items():
        assert doc_now["channels"][cid]["address"] == channel["address"]
        assert set(channel.get("messages", {})) <= set(doc_now["channels"][cid].get("messages", {}))
    assert {k: v for k, v in doc_now.items() if k not in ("channels", "components", "operations")} \
        == {k: v for k, v in doc_before.items() if k not in ("channels", "components", "operations")}
    if set(now["schemas"]) == set(before["schemas"]):
        assert now == before


class _ThrowawayData(Frozen):
    firm: FirmRef
    how_far: int


def test_one_declaration_is_found_everywhere_and_forgotten_after() -> None:
    """A throwaway type declared in one class appears in the registry, the AsyncAPI document
    (message, schema, example, meaning), the JSON Schemas and the topic's parser."""
    with throwaway_events():

        class TierDreamedOf(EventEnvelope[_ThrowawayData], topic=STANDING_EVENTS):
            """A firm dreamt of a tier (a throwaway type of this test)."""

            event_type: Literal["TierDreamedOf"] = "TierDreamedOf"
            example = {"firm": TierPromoted.example["firm"], "how_far": 2}

        assert ALL_EVENT_TYPES["TierDreamedOf"] is TierDreamedOf
        assert TierDreamedOf in events_on(STANDING_EVENTS) and SCHEMA_VERSIONS["TierDreamedOf"] == 1
        doc = asyncapi_document()
        message = doc["components"]["messages"]["TierDreamedOf"]
        assert message["summary"] == "A firm dreamt of a tier (a throwaway type of this test)."
        assert message["examples"][0]["payload"]["data"]["how_far"] == 2
        assert "TierDreamedOf" in doc["channels"]["ladder_standing_events"]["messages"]
        assert doc["components"]["schemas"]["TierDreamedOf"]["title"] == "TierDreamedOf"
        schema = json_schemas()["TierDreamedOf.v1"]
        assert schema["properties"]["event_type"]["const"] == "TierDreamedOf"
        wire = example_of(TierDreamedOf).model_dump_json()
        parsed = parse_event(wire, topic=STANDING_EVENTS)
        assert isinstance(parsed, TierDreamedOf) and parsed.data.how_far == 2
        with pytest.raises(ValidationError):  # another topic's parser does not know it
            parse_event(wire, topic=FIRM_EVENTS)
    assert "TierDreamedOf" not in ALL_EVENT_TYPES and "TierDreamedOf" not in SCHEMA_VERSIONS
    assert "TierDreamedOf" not in asyncapi_document()["components"]["messages"]
    assert "TierDreamedOf.v1" not in json_schemas()
    with pytest.raises(ValidationError):
        parse_event(wire)


def test_a_declaration_that_does_not_hold_together_is_refused() -> None:
    """The literal must be the class's name, the docstring says what it means, the example
    is a valid payload, a name is declared once."""
    with throwaway_events():
        with pytest.raises(TypeError, match="event_type"):
            class Misnamed(EventEnvelope[_ThrowawayData], topic=ALERT_EVENTS):
                """Wrong literal."""

                event_type: Literal["Other"] = "Other"
        with pytest.raises(TypeError, match="docstring"):
            class Unexplained(EventEnvelope[_ThrowawayData], topic=ALERT_EVENTS):
                event_type: Literal["Unexplained"] = "Unexplained"
        with pytest.raises(ValidationError):
            class BadExample(EventEnvelope[_ThrowawayData], topic=ALERT_EVENTS):
                """Its example lacks a field."""

                event_type: Literal["BadExample"] = "BadExample"
                example = {"how_far": 1}
        with pytest.raises(TypeError, match="twice"):
            class TierPromoted(EventEnvelope[_ThrowawayData], topic=ALERT_EVENTS):
                """Again."""

                event_type: Literal["TierPromoted"] = "TierPromoted"
    assert set(ALL_EVENT_TYPES) == set(SCHEMA_VERSIONS)
    assert not {"Misnamed", "Unexplained", "BadExample"} & set(ALL_EVENT_TYPES)


async def test_an_outbox_writes_only_its_own_service_s_events() -> None:
    """The producer comes from the declaration: the ladder's outbox refuses a registry event
    (before touching the database)."""
    data = FirmRegisteredData.model_validate(FirmRegistered.example)
    with pytest.raises(ValueError, match="FirmRegistered"):
        await Outbox(None, "ladder").add(FirmRegistered, subject="x", data=data)  # type: ignore[arg-type]
    fake = FakeOutbox("registry")
    event = await fake.add(FirmRegistered, subject="x", data=data)
    assert isinstance(event, FirmRegistered) and event.producer == "registry"
    assert event.sequence == 1 and event.topic == FIRM_EVENTS


def test_no_event_type_is_named_by_a_string_outside_the_contracts() -> None:
    """Producers and consumers use the declared classes: no event-type string literal in the
    services, the CLI, the benchmarks or shared/ outside the contracts module."""
    names = "|".join(sorted(ALL_EVENT_TYPES))
    literal = re.compile(rf"""["']({names})["']""")
    found = []
    for top in ("services", "tracker", "bench", "shared"):
        for path in (ROOT / top).rglob("*.py"):
            if path == ROOT / "shared" / "events.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if literal.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_mypy_refuses_a_wrong_payload_and_a_misspelt_field(tmp_path: Path) -> None:
    """mypy --strict (the project's configuration) rejects another type's payload for an
    event and a misspelt payload field."""
    wrong = tmp_path / "wrong_event.py"
    wrong.write_text(
        "from shared.events import FilingExpiringData, FirmRef, StandingChangeData, "
        "TierPromoted\n"
        "from shared.outbox import Outbox\n\n\n"
        "async def wrong(outbox: Outbox, firm: FirmRef) -> None:\n"
        "    await outbox.add(TierPromoted, subject='x', data=FilingExpiringData(\n"
        "        firm=firm, tier='eaglet', expires_on=None, days_left=3))\n"
        "    StandingChangeData(firm=firm, chnage='promoted')\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         str(wrong)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1, done.stdout
    assert 'type parameter "P" of "add"' in done.stdout, done.stdout
    assert 'Unexpected keyword argument "chnage"' in done.stdout, done.stdout
