"""An entitlement's states, who may move it where, and what a move needs.

computed → offered → confirmed → approved → paid, or declined / expired / cancelled
(OpenSPP's draft → approved → paid, with the firm's confirmation in between: 免申即享 asks
the firm only to confirm). Paid, declined, expired and cancelled are final.
"""

from __future__ import annotations

from typing import Literal

from shared.auth import Role
from shared.errors import Conflict, Rejected

State = Literal["computed", "offered", "confirmed", "approved", "paid", "declined", "expired",
                "cancelled"]
STATES: tuple[State, ...] = ("computed", "offered", "confirmed", "approved", "paid",
                             "declined", "expired", "cancelled")
FINAL: frozenset[str] = frozenset({"paid", "declined", "expired", "cancelled"})
OWED: frozenset[str] = frozenset({"offered", "confirmed"})
COMMITTED: frozenset[str] = frozenset({"approved", "paid"})
# a move's target → the states it may start from
FROM: dict[str, frozenset[str]] = {
    "offered": frozenset({"computed"}),
    "confirmed": frozenset({"offered"}),
    "declined": frozenset({"offered", "confirmed"}),
    "expired": frozenset({"offered"}),
    "approved": frozenset({"confirmed"}),
    "paid": frozenset({"approved"}),
    "cancelled": frozenset({"computed", "offered", "confirmed", "approved"}),
}
# a move's target → the roles that may make it (officers deal with firms; finance is admin)
ROLES: dict[str, frozenset[Role]] = {
    "offered": frozenset({"officer", "admin"}),
    "confirmed": frozenset({"officer", "admin"}),
    "declined": frozenset({"officer", "admin"}),
    "expired": frozenset({"admin"}),
    "approved": frozenset({"admin"}),
    "paid": frozenset({"admin"}),
    "cancelled": frozenset({"admin"}),
}
LABELS = {"computed": "已测算", "offered": "已告知", "confirmed": "已确认", "approved": "已审批",
          "paid": "已拨付", "declined": "已放弃", "expired": "已过期", "cancelled": "已撤销"}


def check_move(state: str, to: str, role: Role) -> None:
    """Raise unless `role` may move an entitlement from `state` to `to`."""
    if to not in FROM:
        raise Rejected("to", "state", f"cannot move an entitlement to '{to}'")
    if role not in ROLES[to]:
        raise Rejected("to", "role", f"role '{role}' may not mark an entitlement {to}; needs "
                       f"one of: {', '.join(sorted(ROLES[to]))}")
    if state not in FROM[to]:
        raise Conflict(f"an entitlement {state} cannot become {to}; it must be one of: "
                       f"{', '.join(sorted(FROM[to]))}", conflict={"state": state})
