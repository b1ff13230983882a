"""The Tansu fallback (what `tracker up` runs where no Java 17+ is found), forced with
TRACKER_BROKER=tansu: one smoke test, since the rest of the suite runs on Apache Kafka."""

from __future__ import annotations

import pytest

from registry.domain.models import FirmIn
from shared.topics import FIRM_EVENTS
from tests.e2e.conftest import RunningStack, caught_up
from tests.factories import firm_payload
from tests.kafka_helpers import collect

pytestmark = pytest.mark.e2e


async def test_the_stack_runs_on_tansu_and_says_what_it_lacks(stack: RunningStack) -> None:
    stack.env["TRACKER_BROKER"] = "tansu"
    stack.start()
    said = "".join(stack.output)
    assert "broker: Tansu, not Apache Kafka (TRACKER_BROKER=tansu)" in said
    assert "keeps nothing across restarts" in said and "no idempotent producer" in said
    async with stack.registry() as registry, stack.ladder() as ladder:
        firm = (await registry.register_firm(
            FirmIn.model_validate(firm_payload(founded_on="2015-03-01")))).item
        events = await collect(stack.bootstrap, FIRM_EVENTS, count=1,
                               match=lambda e: e["subject"] == str(firm.id))
        assert [e["event_type"] for e in events] == ["FirmRegistered"]
        assert (await caught_up(ladder, firm.id, 1)).sequence == 1  # consumed through Tansu
