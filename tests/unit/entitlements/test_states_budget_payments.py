"""Steps by role and state, a revoked trigger before and after payment, the budget's sums
and band, and finance's payment lists (xlsx and CSV)."""

from __future__ import annotations

import io
import uuid
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook

from entitlements.domain.budget import budget
from entitlements.domain.compute import compute
from entitlements.domain.facts import FirmFacts, fold
from entitlements.domain.payments import payments, table
from entitlements.domain.policies import PolicySet, shipped
from entitlements.domain.reconcile import shape, step
from entitlements.domain.states import check_move
from entitlements.domain.whatif import compare
from shared.errors import Conflict, Rejected
from tests.unit.entitlements.events import Firms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("state", "to", "role"), [
    ("computed", "offered", "officer"), ("offered", "confirmed", "officer"),
    ("offered", "declined", "officer"), ("confirmed", "approved", "admin"),
    ("approved", "paid", "admin"), ("offered", "expired", "admin"),
    ("approved", "cancelled", "admin")])
def test_allowed_steps(state: str, to: str, role: Any) -> None:
    check_move(state, to, role)


@pytest.mark.parametrize(("state", "to", "role", "error"), [
    ("confirmed", "approved", "officer", Rejected),   # finance approves, not officers
    ("approved", "paid", "viewer", Rejected),
    ("computed", "approved", "admin", Conflict),      # not confirmed yet
    ("paid", "cancelled", "admin", Conflict),         # paid is final
    ("cancelled", "offered", "admin", Conflict),
    ("computed", "computed", "admin", Rejected)])
def test_refused_steps(state: str, to: str, role: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_move(state, to, role)


def _one() -> Any:
    firms = Firms()
    fid = str(uuid.uuid4())
    facts = FirmFacts(firm_id=fid)
    for e in (firms.registered(fid), firms.report(fid, 2022, rd_expense=1_000_000),
              firms.filing(fid, "eaglet", "2023-06-01")[0]):
        facts = fold(facts, e)
    (c,) = compute(shipped(), facts)
    return c


def _held(state: str, c: Any, **more: Any) -> dict[str, Any]:
    return {"state": state, "review": None, "cancel_reason": None, "shape": shape(c), **more}


@pytest.mark.parametrize("state", ["computed", "offered", "confirmed", "approved"])
def test_a_trigger_revoked_before_payment_cancels(state: str) -> None:
    assert step(_held(state, _one()), None).action == "cancel"


def test_a_trigger_revoked_after_payment_is_for_finance_once() -> None:
    c = _one()
    todo = step(_held("paid", c), None)
    assert todo.action == "review" and "after payment" in (todo.reason or "")
    assert step(_held("paid", c, review=todo.reason), None).action == "none"


def test_a_changed_amount_corrects_until_approval_then_only_flags() -> None:
    c = _one()
    changed = c.model_copy(update={"options": [c.options[0].model_copy(update={"amount": 1})]})
    assert step(_held("confirmed", c), changed).action == "correct"
    assert step(_held("approved", c), changed).action == "review"
    assert step(_held("paid", c), changed).action == "review"
    assert step(_held("offered", c), c).action == "none"      # a replay changes nothing
    assert step(None, c).action == "insert"
    assert step(_held("cancelled", c, cancel_reason="trigger"), c).action == "reopen"
    assert step(_held("cancelled", c, cancel_reason="by_hand"), c).action == "none"


def _row(state: str, amount: int, *, policy: str = "p", district: str = "hitech",
         month: int = 5, paid: int | None = None, complete: bool = True,
         ceiling: int | None = None) -> dict[str, Any]:
    return {"state": state, "amount": amount, "paid_amount": paid, "complete": complete,
            "ceiling": ceiling if ceiling is not None else amount, "policy_id": policy,
            "policy_name": policy.upper(), "district": district,
            "trigger_on": date(2023, month, 1)}


def test_budget_sums_by_state_with_a_band_and_adds_up() -> None:
    rows = [_row("paid", 500_000, paid=450_000), _row("approved", 200_000, policy="q"),
            _row("confirmed", 100_000, district="jinpu"), _row("offered", 20_000, month=6),
            _row("computed", 0, complete=False, ceiling=300_000, month=7),
            _row("declined", 800_000), _row("cancelled", 800_000), _row("expired", 1)]
    b = budget(2023, rows)
    total = b.total.view()
    assert (total["paid"], total["approved"], total["committed"]) == (450_000, 200_000, 650_000)
    assert (total["owed"], total["computed"]) == (120_000, 0)
    assert (total["expected_low"], total["expected"], total["expected_high"]) == (
        770_000, 770_000, 1_070_000)
    assert total["entitlements"] == 5 and total["pending_figures"] == 1
    for part in (b.by_policy, b.by_district, b.by_month):
        assert sum(s.view()["expected"] for s in part.values()) == total["expected"]
        assert sum(s.view()["expected_high"] for s in part.values()) == total["expected_high"]
    assert sorted(b.by_month) == ["2023-05", "2023-06", "2023-07"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_payment_lists_in_xlsx_and_csv_name_every_bad_row() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    good = _xlsx([["paid_on", "entitlement_id", "amount"], [date(2024, 1, 3), str(a), 500000],
                  ["2024-01-04", str(b), "20,000"]])
    found, errors = payments(table(good, "paid.xlsx"))
    assert errors == [] and [(p.entitlement_id, p.amount, p.paid_on, p.row) for p in found] == [
        (a, 500_000, date(2024, 1, 3), 2), (b, 20_000, date(2024, 1, 4), 3)]
    csv = f"entitlement_id,amount,paid_on\n{a},-5,2024-01-03\nnope,1,someday\n{a},1,2024-01-01\n"
    _, errors = payments(table(csv.encode(), "paid.csv"))
    assert [(e["field"], e["rule"]) for e in errors] == [
        ("rows[2].amount", "yuan"), ("rows[3].entitlement_id", "uuid"),
        ("rows[3].paid_on", "date"), ("rows[4].entitlement_id", "unique")]
    _, errors = payments(table(b"amount,paid_on\n1,2024-01-01\n", "paid.csv"))
    assert errors[0]["rule"] == "columns"
    with pytest.raises(ValueError, match="xlsx"):
        table(b"PK\x03\x04 not really a workbook", "paid.xlsx")



def test_a_draft_policy_set_moves_only_what_is_not_approved_or_paid() -> None:
    firms = Firms()
    fid = str(uuid.uuid4())
    facts = FirmFacts(firm_id=fid)
    for e in (firms.registered(fid), firms.report(fid, 2022, rd_expense=1_000_000),
              firms.filing(fid, "eaglet", "2023-06-01")[0]):
        facts = fold(facts, e)
    (c,) = compute(shipped(), facts)  # 10% of 1M: 100,000 under the shipped set
    data = shipped().model_dump(mode="json")
    for p in data["policies"]:
        if p["id"] == "dl.eaglet.filed":
            p["options"][0]["rule"]["cap"] = 50_000
    draft = compute(PolicySet.model_validate(data), facts)
    held = {**_row("offered", c.amount), "id": c.entitlement_id, "cancel_reason": None}
    now, then = compare(2023, [held], draft)
    assert (now.total.view()["expected"], then.total.view()["expected"]) == (100_000, 50_000)
    paid = {**held, "state": "paid", "paid_amount": 100_000}
    now, then = compare(2023, [paid], draft)
    assert then.total.view()["expected"] == now.total.view()["expected"] == 100_000
    assert compare(2024, [], draft)[1].total.view()["entitlements"] == 0  # another year
