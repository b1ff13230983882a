"""Profile and flag changes recorded late and out of order (issue 22): the running registry
keeps each as a dated fact, and the running ladder gives the same standing on every date, the
same history and the same targets whether the changes come in date order, reversed, twice or
with a corrected date; a late fact's superseded decisions stay visible on request."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from registry.domain.models import FactCorrectionIn, FirmIn, FirmPatch
from tests.e2e.conftest import RunningStack, caught_up
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.e2e
ENTRY = {"abnormal_list": True, "effective_on": "2022-03-01"}
EXIT = {"abnormal_list": False, "effective_on": "2022-06-01"}
BRANCH = {"company_kind": "branch", "effective_on": "2022-09-01"}
CORRECT = "correct the entry to 2022-03-01"
SCENARIOS: dict[str, list[Any]] = {
    "date order": [ENTRY, EXIT, BRANCH],
    "reverse order": [BRANCH, EXIT, ENTRY],
    "twice": [ENTRY, ENTRY, EXIT, BRANCH, EXIT, BRANCH],
    "corrected date": [{**ENTRY, "effective_on": "2022-08-01"}, BRANCH, EXIT, CORRECT, CORRECT],
}
DAYS = [date(2021, 12, 31), date(2022, 2, 28), date(2022, 3, 1), date(2022, 5, 31),
        date(2022, 6, 1), date(2022, 8, 31), date(2022, 9, 1), date(2023, 12, 31)]


def _reports_csv(uscc: str) -> str:
    out = io.StringIO()
    rows = [{"uscc": uscc, "fiscal_year": fy, "filed_on": filed, **report_payload()}
            for fy, filed in ((2020, "2021-04-15"), (2021, "2022-01-15"), (2022, "2023-04-15"))]
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def test_the_same_dated_changes_in_any_order_give_the_same_ladder(
        stack: RunningStack) -> None:
    stack.start()
    seen: dict[str, Any] = {}
    async with stack.registry() as registry, stack.ladder() as ladder:
        for name, steps in SCENARIOS.items():
            payload = firm_payload(founded_on="2016-04-01")
            firm = (await registry.register_firm(FirmIn.model_validate(payload))).item
            assert (await registry.import_csv("reports", _reports_csv(payload["uscc"]),
                                              filename="reports.csv")).applied == 3
            for step in steps:
                seq = (await registry.firm(firm.id)).sequence
                if step == CORRECT:
                    changes = (await registry.firm_changes(firm.id)).items
                    entry = next(f for f in changes if f.field == "abnormal_list"
                                 and f.value is True and f.corrected_by is None)
                    await registry.correct_fact(firm.id, entry.id, FactCorrectionIn(
                        effective_on=date(2022, 3, 1)))
                    continue
                answer = await registry.change_firm(firm.id, FirmPatch.model_validate(step))
                for f in answer.facts:  # an event, or the same value valid from the same date
                    if f.outcome == "recorded":
                        assert f.event_sequence is not None and f.event_sequence > seq
                    else:
                        assert answer.sequence == seq and f.fact.valid_from.isoformat() == \
                            step["effective_on"]
                if name == "reverse order":  # the ladder decides before the next, earlier fact
                    await caught_up(ladder, firm.id, answer.sequence)
            seq = (await registry.firm(firm.id)).sequence
            await caught_up(ladder, firm.id, seq)
            history = await ladder.history(firm.id).all()
            standings = [(s.tier, s.at_risk) for s in
                         [await ladder.standing(firm.id, as_of=d) for d in DAYS]]
            then = await registry.firm(firm.id, as_of=date(2022, 5, 15))
            now = await registry.firm(firm.id)
            seen[name] = (
                [(h.on, h.change, h.to_tier, h.counts_toward) for h in history], standings,
                (then.abnormal_list, then.company_kind), (now.abnormal_list, now.company_kind))
            if name == "reverse order":  # the at-risk decision of 09-01 came before the entry
                full = await ladder.history(firm.id, include_superseded=True).all()
                old = [h for h in full if not h.current]
                assert old and all(h.superseded_at is not None for h in old)
                # each names what replaced it (itself maybe replaced later), or was withdrawn
                assert {h.superseded_by for h in old} <= {h.id for h in full} | {None}
                assert [h for h in full if h.current] == history
            if name == "corrected date":
                changes = (await registry.firm_changes(firm.id)).items
                moved = [f for f in changes if f.corrected_by is not None]
                assert [(f.field, f.valid_from) for f in moved] == [
                    ("abnormal_list", date(2022, 8, 1))]
                fixed = next(f for f in changes if f.corrects == moved[0].id)
                assert (fixed.valid_from, fixed.source) == (date(2022, 3, 1), "corrected")
    first = seen["date order"]
    assert {name: v == first for name, v in seen.items()} == {name: True for name in seen}
    history, standings, then, now = first
    assert [(h[0], h[1], h[3]) for h in reversed(history)][:4] == [
        (date(2021, 4, 15), "promoted", "eaglet"), (date(2022, 3, 1), "at_risk", None),
        (date(2022, 6, 1), "recovered", None), (date(2022, 9, 1), "at_risk", None)]
    assert standings[:7] == [("eaglet", False), ("eaglet", False), ("eaglet", True),
                             ("eaglet", True), ("eaglet", False), ("eaglet", False),
                             ("eaglet", True)]
    assert then == (True, "independent") and now == (False, "branch")
