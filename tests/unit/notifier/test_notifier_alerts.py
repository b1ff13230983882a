"""Which events raise which alert kinds, and which kinds are critical."""

import uuid

import pytest

from notifier.domain.alerts import (
    ALERT_KINDS,
    CRITICAL_KINDS,
    alert_id_for,
    alert_kind_for,
    firm_of,
    is_critical,
    severity_of,
)
from shared.events import make_event
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit


def test_every_kind_is_raised_by_its_event() -> None:
    for kind, event in b.one_of_each_kind().items():
        assert alert_kind_for(event) == kind, kind


def test_revoked_demotion_is_revocation_other_demotions_are_demotion() -> None:
    revoked = b.standing_event("TierDemoted", "revoked", "gazelle", "none")
    demoted = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet")
    assert alert_kind_for(revoked) == "revocation"
    assert alert_kind_for(demoted) == "demotion"


@pytest.mark.parametrize(
    ("pace", "previous", "expected"),
    [("behind", "on_track", "pace_behind"), ("behind", "ahead", "pace_behind"),
     ("behind", None, "pace_behind"), ("behind", "behind", None),
     ("on_track", "behind", None), ("ahead", "on_track", None)],
)
def test_pace_alert_only_on_turning_behind(pace: str, previous: str | None,
                                           expected: str | None) -> None:
    assert alert_kind_for(b.progress(pace, previous)) == expected


def test_registry_and_alert_events_raise_nothing() -> None:
    f = b.firm()
    registered = make_event("FirmRegistered", producer="registry", subject=f["id"], sequence=1,
                            data={"firm": {**f, "uscc": "91210200MA0QC2PX3E",
                                           "founded_on": "2020-01-01"}})
    delivered = make_event("AlertDelivered", producer="notifier", subject=f["id"], sequence=1,
                           data={"alert_id": str(uuid.uuid4()), "officer_id": None,
                                 "channel": "email", "alert_kind": "promotion",
                                 "source_event_id": str(uuid.uuid4()), "attempts": 1})
    assert alert_kind_for(registered) is None
    assert alert_kind_for(delivered) is None


def test_critical_kinds_are_the_losses() -> None:
    assert CRITICAL_KINDS == {"revocation", "demotion", "at_risk"}
    assert CRITICAL_KINDS <= set(ALERT_KINDS)
    assert is_critical("at_risk") and not is_critical("filing_expiring")
    assert severity_of("demotion") == "critical"
    assert severity_of("pace_behind") == "warning"
    assert severity_of("promotion") == "info"


def test_firm_of_reads_the_firm_or_none() -> None:
    event = b.near_miss()
    firm = firm_of(event)
    assert firm is not None and firm.id == event.data.firm.id
    assert firm_of(b.progress()) is None


def test_alert_id_is_deterministic_per_event_officer_channel() -> None:
    ev, officer = uuid.uuid4(), uuid.uuid4()
    assert alert_id_for(ev, officer, "email") == alert_id_for(ev, officer, "email")
    assert alert_id_for(ev, officer, "email") != alert_id_for(ev, officer, "wecom")
    assert alert_id_for(ev, None, "email") != alert_id_for(ev, officer, "email")
