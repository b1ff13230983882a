"""The demo's case officers: inbox-only, so the demo city's alerts have owners."""

from __future__ import annotations

from notifier.schemas import Officer, OfficerIn
from tracker.client import Notifier

DEMO_OFFICERS = (
    OfficerIn(name="王磊", email="wang.lei@example.org", districts=["hitech"], industries=[],
              language="zh", channels=[], receives_targets=True),
    OfficerIn(name="李娜", email="li.na@example.org", districts=["jinpu", "ganjingzi"],
              industries=[], language="zh", channels=[]),
)


async def register_officers(notifier_url: str, token: str) -> list[Officer]:
    """Register the demo officers with the notifier."""
    async with Notifier(notifier_url, token) as notifier:
        return [await notifier.register_officer(officer) for officer in DEMO_OFFICERS]
