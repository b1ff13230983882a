"""Profile and flag changes are dated facts (issue 22, docs/rulebook.md "Time"): the same
changes in date order, in reverse, twice, or with a corrected date give the same effect, the
same standing on every date and the same target entries; no PATCH answers without an event or
an unchanged valid fact to point to. Registry handlers on fakes, their events projected into
the ladder's fake repository and folded."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest

from ladder.domain.rulebook import default_rulebook
from ladder.domain.timeline import fold
from ladder.handlers.projection import project
from registry.domain.models import AnnualReportIn, FactCorrectionIn, FirmIn, FirmPatch
from registry.schemas import FirmPatched
from shared.auth import Ctx, Principal
from tests.factories import firm_payload, report_payload
from tests.unit.ladder.fakes import FakeRepository as LadderRepo
from tests.unit.registry.answers import correct_fact, file_report, patch_firm, register_firm
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit

TODAY = date(2024, 6, 30)
CTX = Ctx(principal=Principal(key_id="k1", role="officer"), correlation_id="req-1")
ENTRY = {"abnormal_list": True, "effective_on": "2022-03-01"}
EXIT = {"abnormal_list": False, "effective_on": "2022-06-01"}
BRANCH = {"company_kind": "branch", "effective_on": "2022-09-01"}
Step = Callable[[FakeRegistryUoW, uuid.UUID], Awaitable[Any]]


def change(body: dict[str, Any]) -> Step:
    async def run(uow: FakeRegistryUoW, firm_id: uuid.UUID) -> FirmPatched:
        return await patch_firm(uow, CTX, firm_id, FirmPatch.model_validate(body), today=TODAY)
    return run


def correct_abnormal_entry(to: str) -> Step:
    async def run(uow: FakeRegistryUoW, firm_id: uuid.UUID) -> Any:
        fact = next(f for f in uow.tables.profile_facts
                    if f["field"] == "abnormal_list" and f["value"] is True
                    and f["corrected_by"] is None)
        return await correct_fact(uow, CTX, firm_id, fact["id"],
                                  FactCorrectionIn.model_validate({"effective_on": to}),
                                  today=TODAY)
    return run


SCENARIOS: dict[str, list[Step]] = {
    "date order": [change(ENTRY), change(EXIT), change(BRANCH)],
    "reverse order": [change(BRANCH), change(EXIT), change(ENTRY)],
    "twice": [change(ENTRY), change(ENTRY), change(EXIT), change(BRANCH), change(EXIT),
              change(BRANCH), change(ENTRY)],
    "corrected date": [change({**ENTRY, "effective_on": "2022-08-01"}), change(BRANCH),
                       change(EXIT), correct_abnormal_entry("2022-03-01"),
                       correct_abnormal_entry("2022-03-01")],  # the same date again: no-op
}


async def _run(steps: list[Step]) -> tuple[FakeRegistryUoW, uuid.UUID]:
    uow = FakeRegistryUoW()
    firm, _ = await register_firm(uow, CTX, FirmIn.model_validate(
        firm_payload(uscc="91210200MA0QC2PX3M", name="大连星海智造科技有限公司")))
    for fy, filed in ((2020, "2021-04-15"), (2021, "2022-01-15"), (2022, "2023-04-15")):
        await file_report(uow, CTX, firm.id, fy,
                          AnnualReportIn.model_validate({**report_payload(), "filed_on": filed}),
                          today=TODAY)
    for step in steps:
        await step(uow, firm.id)
    return uow, firm.id


async def _ladder(uow: FakeRegistryUoW, firm_id: uuid.UUID, reverse: bool) -> Any:
    repo = LadderRepo()
    events = list(uow.outbox.events)
    # the registration first (the ladder needs it), then the rest in either arrival order
    for batch in ([events[0]], events[:0:-1] if reverse else events[1:]):
        await project(repo, batch)  # type: ignore[arg-type]
    facts, _ = await repo.dated_state(firm_id)
    return fold(default_rulebook(), facts, TODAY)


def _days() -> list[date]:
    start = date(2021, 1, 1)
    return [start + timedelta(days=i) for i in range(0, (TODAY - start).days + 1)]


async def test_same_facts_same_standing_on_every_date_whatever_the_order() -> None:
    seen: dict[str, Any] = {}
    for name, steps in SCENARIOS.items():
        uow, firm_id = await _run(steps)
        firm = uow.tables.firms[firm_id]
        for reverse in (False, True):
            timeline = await _ladder(uow, firm_id, reverse)
            seen[f"{name}, {'reversed' if reverse else 'in order'}"] = (
                {k: firm[k] for k in ("abnormal_list", "company_kind")},
                [(s.signature(), s.counts_toward) for s in timeline.steps],
                [timeline.standing_on(d) for d in _days()],
                [(d, timeline.facts.on(d).abnormal_list, timeline.facts.on(d).company_kind)
                 for d in _days()])
    first = next(iter(seen.values()))
    assert all(v == first for v in seen.values()), [k for k, v in seen.items() if v != first]
    profile, steps, standings, flags = first
    assert profile == {"abnormal_list": False, "company_kind": "branch"}  # valid today
    on = dict((d, (a, k)) for d, a, k in flags)
    assert on[date(2022, 2, 28)] == (False, "independent")
    assert on[date(2022, 3, 1)] == on[date(2022, 5, 31)] == (True, "independent")
    assert on[date(2022, 6, 1)] == (False, "independent")
    assert on[date(2022, 9, 1)] == (False, "branch")
    # the entry puts the eaglet at risk from 2022-03-01, the exit recovers it from 06-01
    assert [(s[0][0], s[0][1]) for s in steps][:4] == [
        (date(2021, 4, 15), "promoted"), (date(2022, 3, 1), "at_risk"),
        (date(2022, 6, 1), "recovered"), (date(2022, 9, 1), "at_risk")]
    assert [target for _, target in steps][0] == "eaglet"


async def test_no_patch_answers_without_an_event_or_an_unchanged_valid_fact() -> None:
    uow, firm_id = await _run([])
    bodies = [ENTRY, ENTRY, EXIT, {**ENTRY, "name": "大连新名科技有限公司"}, EXIT,
              {"listed": False, "effective_on": "2016-04-01"}, {"listed": False}, {"listed": False},
              {"district": "jinpu", "abnormal_list": True, "effective_on": "2022-03-01"}]
    for body in bodies:
        answer = await change(body)(uow, firm_id)
        sent = FirmPatch.model_validate(body)
        assert [f.field for f in answer.facts] == list(sent.changes())
        for f in answer.facts:
            valid_from = sent.effective_on or TODAY
            assert f.fact.valid_from == valid_from and f.fact.value == sent.changes()[f.field]
            if f.outcome == "recorded":
                event = next(e for e in uow.outbox.events if e.sequence == f.event_sequence)
                assert event.sequence == f.fact.sequence
            else:
                assert f.event_sequence is None and f.fact.corrected_by is None
                stored = next(x for x in uow.tables.profile_facts if x["id"] == f.fact.id)
                assert stored["valid_from"] == valid_from
    outcomes = [[f.outcome for f in (await change(b)(uow, firm_id)).facts] for b in bodies[:2]]
    assert outcomes == [["unchanged"], ["unchanged"]]


async def test_a_founding_date_change_corrects_every_date() -> None:
    uow, firm_id = await _run([])
    moved = await change({"founded_on": "2015-01-01", "effective_on": "2015-06-01"})(uow, firm_id)
    assert moved.founded_on == date(2015, 1, 1) and moved.facts[0].outcome == "recorded"
    again = await change({"founded_on": "2015-01-01"})(uow, firm_id)
    assert again.facts[0].outcome == "unchanged" and again.sequence == moved.sequence
