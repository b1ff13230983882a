"""Fixtures of the registry's handler tests: a fake unit of work, a caller, a fixed clock."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.models import FirmIn
from registry.schemas import Firm
from shared.auth import Ctx, Principal
from tests.factories import firm_payload
from tests.unit.registry.answers import register_firm
from tests.unit.registry.fakes import FakeRegistryUoW

TODAY = date(2024, 6, 30)  # the handlers' clock; request validators still use the real today


@pytest.fixture
def uow() -> FakeRegistryUoW:
    return FakeRegistryUoW()


@pytest.fixture
def ctx() -> Ctx:
    return Ctx(principal=Principal(key_id="k1", role="officer"), correlation_id="req-1")


@pytest.fixture
async def firm(uow: FakeRegistryUoW, ctx: Ctx) -> Firm:
    """A firm founded 2016-04-01, registered through the handler (sequence 1)."""
    registered, _ = await register_firm(uow, ctx, FirmIn.model_validate(firm_payload()))
    return registered
