"""The end of every scenario: nothing accepted is lost, nothing is done twice.

1. every accepted write is in the registry's event log (a 2xx means committed);
2. every event of the scenario's firms is on Kafka exactly once per event id (both topics);
3. the ladder consumed every registry event, and each firm's standing and decision history
   equal those of an uninterrupted run (tests/chaos/expected.py);
4. exactly one inbox entry and one webhook call (after the receiver's dedupe on
   Idempotency-Key) per (alert, officer, channel).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from notifier.domain.alerts import alert_kind_for
from shared.events import parse_event
from shared.topics import FIRM_EVENTS, STANDING_EVENTS
from tests.chaos.expected import expected
from tests.chaos.harness import ChaosStack, until
from tests.chaos.load import LoadResult
from tests.chaos.receiver import DedupingReceiver
from tests.kafka_helpers import read_to_end

SETTLE_S = 150.0  # the whole pipeline after the fault; far more than it needs unloaded


@dataclass
class Counts:
    """One line of the scenario table."""

    scenario: str
    written: int  # writes answered 2xx
    resent: int  # writes the client sent again because no answer came
    published: int  # distinct events of the scenario's firms on Kafka (both topics)
    consumed: int  # distinct events applied (ladder + notifier)
    duplicates_suppressed: int  # redeliveries dropped by consumers + webhook repeats deduped
    alerts: int
    webhooks: int
    lost: int = 0
    answers_5xx: dict[str, int] = field(default_factory=dict)  # by status, while faulted


async def _until(check: Any, what: str, stack: ChaosStack) -> Any:
    return await until(check, what, timeout_s=SETTLE_S, explain=stack.log_tail)


async def _outbox(stack: ChaosStack, service: str, firms: list[str]) -> list[dict[str, Any]]:
    rows = await stack.fetch(
        service, "SELECT event_id, subject, sequence, event_type, payload, published_at"
        " FROM outbox WHERE subject = ANY($1::text[]) ORDER BY id", firms)
    return [dict(r) for r in rows]


async def check_registry(stack: ChaosStack, load: LoadResult) -> list[dict[str, Any]]:
    """Every accepted write is committed; sequences have no gaps; all of it gets published."""
    firms = load.firm_ids
    events = await _outbox(stack, "registry", firms)
    have = {(e["subject"], e["sequence"]) for e in events}
    lost = [a for a in load.accepted if (a.firm_id, a.sequence) not in have]
    assert not lost, f"accepted writes missing from the registry's event log: {lost[:5]}"
    by_firm: dict[str, list[int]] = defaultdict(list)
    for e in events:
        by_firm[e["subject"]].append(e["sequence"])
    gaps = {f: s for f, s in by_firm.items() if sorted(s) != list(range(1, len(s) + 1))}
    assert not gaps, f"sequence gaps or repeats: {list(gaps.items())[:3]}"
    assert set(by_firm) == set(firms), "a registered firm has no FirmRegistered event"

    async def published() -> bool:
        return all(e["published_at"] for e in await _outbox(stack, "registry", firms))
    await _until(published, "the registry's outbox to be published", stack)
    return events


async def exactly_once_on_kafka(stack: ChaosStack, topic: str,
                                events: list[dict[str, Any]]) -> int:
    """Each outbox event of these firms is on the topic once; returns how many."""
    wanted = {str(e["event_id"]) for e in events}
    subjects = {e["subject"] for e in events}

    def complete(found: list[dict[str, Any]]) -> bool:
        return wanted <= {f.get("event_id") for f in found}
    on_topic = await read_to_end(stack.bootstrap, topic, until=complete, timeout_s=SETTLE_S)
    seen = Counter(f["event_id"] for f in on_topic if f.get("subject") in subjects)
    repeated = {k: n for k, n in seen.items() if n > 1}
    assert not repeated, f"{topic}: {len(repeated)} events more than once: {list(repeated.items())[:3]}"
    strangers = set(seen) - wanted
    assert not strangers, f"{topic}: events that are in no outbox: {list(strangers)[:3]}"
    return len(seen)


async def check_ladder(stack: ChaosStack, registry_events: list[dict[str, Any]],
                       today: date) -> list[dict[str, Any]]:
    """Consumed everything; standings and histories equal an uninterrupted run."""
    firms = sorted({e["subject"] for e in registry_events})
    last = {f: max(e["sequence"] for e in registry_events if e["subject"] == f) for f in firms}

    async def caught_up() -> bool:
        rows = await stack.fetch("ladder", "SELECT id::text, last_sequence FROM firms"
                                 " WHERE id = ANY($1::uuid[])", firms)
        return {r["id"]: r["last_sequence"] for r in rows} == last
    await _until(caught_up, "the ladder to apply every registry event", stack)
    ids = [e["event_id"] for e in registry_events]
    processed = await stack.fetch("ladder", "SELECT event_id FROM processed_events"
                                  " WHERE event_id = ANY($1::uuid[])", ids)
    assert len(processed) == len(ids), f"ladder consumed {len(processed)} of {len(ids)} events"

    standings = {str(r["firm_id"]): r for r in await stack.fetch(
        "ladder", "SELECT * FROM standings WHERE firm_id = ANY($1::uuid[])", firms)}
    decisions: dict[str, list[str]] = defaultdict(list)
    rows = await stack.fetch("ladder", "SELECT id, firm_id, change, current FROM decisions"
                             " WHERE firm_id = ANY($1::uuid[]) ORDER BY position, at", firms)
    # no fact came late, so an uninterrupted run corrects nothing: a superseded decision
    # here would be one taken twice
    superseded = [r for r in rows if not r["current"]]
    assert not superseded, f"decisions taken again and superseded: {superseded[:3]}"
    for r in rows:
        decisions[str(r["firm_id"])].append(r["change"])
    payloads: dict[str, list[str]] = defaultdict(list)
    for e in registry_events:
        payloads[e["subject"]].append(e["payload"])
    wrong = []
    for firm in firms:
        want, got = expected(payloads[firm], today), standings[firm]
        actual = (got["tier"], got["at_risk"], got["filed_on"], decisions[firm])
        if actual != (want.tier, want.at_risk, want.filed_on, want.changes):
            wrong.append((firm, actual, want))
    assert not wrong, f"{len(wrong)} firms differ from an uninterrupted run: {wrong[:3]}"

    ladder_events = await _outbox(stack, "ladder", firms)
    announced = Counter(str(json.loads(e["payload"])["data"].get("decision_id"))
                        for e in ladder_events)
    announced.pop("None", None)
    assert announced == Counter(str(r["id"]) for r in rows), "one standing event per decision"

    async def published() -> bool:
        return all(e["published_at"] for e in await _outbox(stack, "ladder", firms))
    await _until(published, "the ladder's outbox to be published", stack)
    return ladder_events


async def check_notifier(stack: ChaosStack, ladder_events: list[dict[str, Any]],
                         officer_id: str, receiver: DedupingReceiver) -> tuple[int, int, int]:
    """One inbox entry and one deduped webhook call per alert; returns (alerts, webhooks,
    repeats the receiver dropped)."""
    sources = sorted(str(e["event_id"]) for e in ladder_events
                     if alert_kind_for(parse_event(e["payload"])) is not None)
    officer = uuid.UUID(officer_id)

    async def inbox() -> list[Any] | None:
        rows = await stack.fetch("notifier", "SELECT id, source_event_id::text AS source"
                                 " FROM alerts WHERE officer_id = $1 AND"
                                 " source_event_id = ANY($2::uuid[])", officer, sources)
        return rows if len(rows) >= len(sources) else None
    alerts = await _until(inbox, f"{len(sources)} alerts in the officer's inbox", stack)
    per_source = Counter(r["source"] for r in alerts)
    assert per_source == Counter(sources), "exactly one inbox entry per alert"

    alert_ids = [r["id"] for r in alerts]

    async def delivered() -> list[Any] | None:
        rows = await stack.fetch("notifier", "SELECT alert_id, idempotency_key, status"
                                 " FROM deliveries WHERE alert_id = ANY($1::uuid[])", alert_ids)
        return rows if all(r["status"] == "delivered" for r in rows) else None
    deliveries = await _until(delivered, "every delivery to be delivered", stack)
    assert Counter(r["alert_id"] for r in deliveries) == Counter(alert_ids), \
        "one webhook delivery per alert"
    keys = {r["idempotency_key"]: str(r["alert_id"]) for r in deliveries}
    missing = set(keys) - set(receiver.taken)
    assert not missing, f"{len(missing)} delivered alerts never reached the receiver"
    assert all(receiver.taken[k]["alert_id"] == a for k, a in keys.items())
    processed = await stack.fetch("notifier", "SELECT event_id FROM processed_events"
                                  " WHERE event_id = ANY($1::uuid[])",
                                  [e["event_id"] for e in ladder_events])
    assert len(processed) == len(ladder_events), "the notifier consumed every standing event"
    return len(alerts), len(keys), receiver.repeats(keys)


async def check_entitlements(stack: ChaosStack, registry_events: list[dict[str, Any]]) -> None:
    """The entitlements service consumed every registry event, and holds one entitlement per
    (firm, policy, trigger) whatever it was sent twice."""
    ids = [e["event_id"] for e in registry_events]

    async def consumed() -> bool:
        rows = await stack.fetch("entitlements", "SELECT count(*) AS n FROM processed_events"
                                 " WHERE event_id = ANY($1::uuid[])", ids)
        return bool(rows[0]["n"] == len(ids))
    await _until(consumed, "the entitlements service to consume every registry event", stack)
    (row,) = await stack.fetch("entitlements", "SELECT count(*) AS n, count(DISTINCT"
                               " (firm_id, policy_id, trigger_key)) AS distinct_n"
                               " FROM entitlements")
    assert row["n"] == row["distinct_n"], "one entitlement per (firm, policy, trigger)"


async def check_everything(scenario: str, stack: ChaosStack, load: LoadResult, *,
                           officer_id: str, receiver: DedupingReceiver, duplicates: int,
                           today: date) -> Counts:
    """All the end-of-scenario checks; the scenario's line of the table."""
    assert not load.refused, f"the registry refused writes: {load.refused[:3]}"
    registry_events = await check_registry(stack, load)
    ladder_events = await check_ladder(stack, registry_events, today)
    published = await exactly_once_on_kafka(stack, FIRM_EVENTS, registry_events)
    published += await exactly_once_on_kafka(stack, STANDING_EVENTS, ladder_events)
    alerts, webhooks, repeats = await check_notifier(stack, ladder_events, officer_id, receiver)
    await check_entitlements(stack, registry_events)
    return Counts(scenario, written=len(load.accepted), resent=load.retries,
                  published=published,
                  consumed=len(registry_events) + len(ladder_events),
                  duplicates_suppressed=duplicates + repeats,
                  alerts=alerts, webhooks=webhooks,
                  answers_5xx={str(k): v for k, v in load.unavailable.items()})
