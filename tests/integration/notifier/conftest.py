"""Fixtures for the notifier service tests: a fresh database, settings, local receivers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from notifier.config import Settings
from tests.conftest import fresh_database
from tests.integration.conftest import service_settings

# the real local receivers (HTTP, aiosmtpd) are the channel tests' fixtures, shared here
from tests.integration.notifier_channels.conftest import receiver, smtp_server  # noqa: F401


@pytest.fixture
async def notifier_db(pg_server_url: str) -> str:
    """The name of a fresh notifier database."""
    return await fresh_database(pg_server_url, "notifier")


@pytest.fixture
def make_settings(pg_server_url: str, notifier_db: str,
                  kafka_bootstrap: str) -> Callable[..., Settings]:
    """Settings for this test: its own database, topic and group; fast retries and polls."""
    tag = uuid.uuid4().hex[:10]

    def make(**extra: Any) -> Settings:
        defaults: dict[str, Any] = {
            "notifier_webhook_allowlist": "127.0.0.1",
            "notifier_events_topic": f"test.standing.{tag}",
            "notifier_entitlements_topic": f"test.entitlement-events.{tag}",
            "notifier_consumer_group": f"notifier-{tag}",
            "notifier_worker_poll_s": 0.05, "notifier_backoff_base_s": 0.05,
            "notifier_backoff_cap_s": 0.2, "notifier_delivery_timeout_s": 2.0,
            "ladder_url": "https://ladder.test",
            # Joining a consumer group takes seconds; tests that hand events to
            # `consumer.process` directly skip it (the broker test turns it on).
            "notifier_subscribe": False,
            # the builders' events are dated years ago and these tests are about alerts for
            # now; test_notifier_history.py runs the default (30 days)
            "notifier_history_after_days": 36500,
        }
        settings: Settings = service_settings(
            Settings, server_url=pg_server_url, database=notifier_db, bootstrap=kafka_bootstrap,
            **{**defaults, **extra})
        return settings

    return make
