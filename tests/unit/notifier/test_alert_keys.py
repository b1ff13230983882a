"""Every alert carries its catalogue key and its facts as codes, so a page in the other
language words it (issue 19)."""

from __future__ import annotations

import pytest

from notifier.domain.alerts import AlertKind
from notifier.domain.render import render
from shared import catalogue
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("kind", list(b.one_of_each_kind()))
def test_every_alert_carries_a_catalogue_key_and_its_facts(kind: AlertKind) -> None:
    event = b.one_of_each_kind()[kind]
    r = render(event, kind, "zh", b.BASE_URL)
    assert r.key == f"alert.{kind}" and r.key in catalogue.words("en")
    firm = getattr(event.data, "firm", None)
    if firm is not None:
        assert r.params["firm"] == firm.name
    if kind in ("target_milestone", "pace_behind"):
        assert r.params["year"] == 2024 and r.params["key"]
    stored = r.model_dump(mode="json")  # what the alerts table keeps
    assert stored["key"] == r.key and stored["params"] == r.params


def test_a_standing_alert_names_its_tiers_as_codes() -> None:
    event = b.standing_event(from_tier="gazelle", to_tier="eaglet")
    r = render(event, "demotion", "zh", b.BASE_URL)
    assert (r.params["from_tier"], r.params["to_tier"]) == ("gazelle", "eaglet")
