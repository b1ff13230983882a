"""Which case officers receive an alert: explicit assignment, else district/industry coverage."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from notifier.domain.alerts import firm_of, is_target_kind
from shared.events import AnyEvent


@dataclass(frozen=True)
class OfficerRoute:
    """What routing needs to know about one officer.

    An empty `districts` set covers every district and an empty `industries` set every
    industry, so a city-wide officer is `OfficerRoute(id)` and a district desk that takes
    all industries is `OfficerRoute(id, districts=frozenset({"hitech"}))`.
    """

    officer_id: uuid.UUID
    districts: frozenset[str] = field(default_factory=frozenset)
    industries: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
    receives_targets: bool = False
    supervisor_id: uuid.UUID | None = None

    def covers(self, district: str, industry: str) -> bool:
        """True if this officer looks after firms of that district and industry."""
        return (not self.districts or district in self.districts) and (
            not self.industries or industry in self.industries
        )


@dataclass(frozen=True)
class RouteResult:
    """Officers to alert; `unrouted` means nobody matched and the caller uses its fallback."""

    officer_ids: list[uuid.UUID]
    unrouted: bool
    via: Literal["explicit", "coverage", "targets", "none"] = "none"


def route(
    firm_district: str | None,
    firm_industry: str | None,
    explicit_officer_id: uuid.UUID | None,
    officers: Iterable[OfficerRoute],
    *,
    target_event: bool = False,
) -> RouteResult:
    """Route one alert.

    An explicitly assigned, active officer wins alone (an inactive or unknown one falls
    back to coverage, so an alert is never lost to a stale assignment). Target events,
    or any alert without a firm, go to active officers flagged `receives_targets`.
    """
    pool = list(officers)
    if target_event or (firm_district is None and firm_industry is None):
        ids = [o.officer_id for o in pool if o.active and o.receives_targets]
        return RouteResult(ids, unrouted=not ids, via="targets" if ids else "none")
    if explicit_officer_id is not None:
        for o in pool:
            if o.officer_id == explicit_officer_id and o.active:
                return RouteResult([o.officer_id], unrouted=False, via="explicit")
    ids = [
        o.officer_id for o in pool
        if o.active and o.covers(firm_district or "", firm_industry or "")
    ]
    return RouteResult(ids, unrouted=not ids, via="coverage" if ids else "none")


def route_event(
    event: AnyEvent,
    kind: str,
    officers: Iterable[OfficerRoute],
    explicit_officer_id: uuid.UUID | None = None,
) -> RouteResult:
    """Route an alert raised by `event`, taking district/industry from the event's firm."""
    if is_target_kind(kind):
        return route(None, None, None, officers, target_event=True)
    firm = firm_of(event)
    if firm is None:
        return route(None, None, None, officers, target_event=True)
    return route(firm.district, firm.industry, explicit_officer_id, officers)


def supervisor_of(officer_id: uuid.UUID, officers: Iterable[OfficerRoute]) -> uuid.UUID | None:
    """The active supervisor an unacknowledged critical alert escalates to, if any."""
    by_id = {o.officer_id: o for o in officers}
    me = by_id.get(officer_id)
    if me is None or me.supervisor_id is None:
        return None
    boss = by_id.get(me.supervisor_id)
    # Only a known, active supervisor: escalating into a deactivated account loses the alert.
    return boss.officer_id if boss is not None and boss.active else None
