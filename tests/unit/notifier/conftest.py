"""Fixtures for the notifier's handler tests: a fake repository and unit of work, a clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from notifier.config import Settings
from notifier.domain.schedule import next_digest_at
from shared.auth import Ctx, Principal
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 bureau time, a Wednesday
ADMIN = Ctx(Principal(key_id="k-admin", role="admin"), correlation_id="corr-1")


@pytest.fixture
def repo() -> FakeRepository:
    return FakeRepository(NOW)


@pytest.fixture
def uow(repo: FakeRepository) -> FakeNotifierUow:
    return FakeNotifierUow(repo)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, notifier_webhook_allowlist="hooks.example.com",
                    notifier_max_attempts=3, notifier_backoff_base_s=2,
                    notifier_backoff_cap_s=60,
                    # the builders' events are dated years before NOW and these tests are about
                    # alerts for now; the history rule (default 30 days) has test_history.py
                    notifier_history_after_days=36500)


def officer_ctx(officer_id: uuid.UUID) -> Ctx:
    """The context of an officer's own key."""
    return Ctx(Principal(key_id="k-officer", role="officer", officer_id=officer_id))


async def add_officer(repo: FakeRepository, **columns: Any) -> uuid.UUID:
    """Store an officer straight in the fake (columns as the table has them)."""
    officer_id = uuid.uuid4()
    await repo.insert_officer(officer_id, {
        "name": "王敏", "email": "wangmin@kjj.dl.gov.cn",
        "next_digest_at": next_digest_at(NOW, columns.get("digest_at") or datetime.min.time()),
        **columns})
    return officer_id
