"""The OpenAPI and AsyncAPI documents stay compatible with the published ones
(tests/contracts/baseline/, written when this round began; the entitlements service's when
it was first published, 2026-12-05): nothing a client sent or read breaks. A deliberate break is listed in ALLOWED with its reason and the new way."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from entitlements.app import build_app as entitlements_app
from ladder.app import build_app as ladder_app
from notifier.app import build_app as notifier_app
from registry.app import build_app as registry_app
from shared.asyncapi import asyncapi_document
from tests.contracts.compat import asyncapi_breaks, openapi_breaks

pytestmark = pytest.mark.unit

BASELINE = Path(__file__).resolve().parents[1] / "contracts" / "baseline"
APPS = {"registry": registry_app, "ladder": ladder_app, "notifier": notifier_app,
        "entitlements": entitlements_app}
# "<service>: <break>" -> why it is allowed (and what clients use instead)
ALLOWED: dict[str, str] = {}


def _baseline(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((BASELINE / name).read_text())
    return body


@pytest.mark.parametrize("service", sorted(APPS))
def test_openapi_keeps_what_clients_use(service: str) -> None:
    breaks = [b for b in openapi_breaks(_baseline(f"{service}.openapi.json"),
                                        APPS[service]().openapi())
              if f"{service}: {b}" not in ALLOWED]
    assert not breaks, "\n".join(breaks)


def test_asyncapi_keeps_what_consumers_read() -> None:
    breaks = asyncapi_breaks(_baseline("asyncapi.json"), asyncapi_document())
    assert not breaks, "\n".join(breaks)


def test_the_check_sees_a_removed_field_a_new_requirement_and_a_removed_route() -> None:
    old = _baseline("registry.openapi.json")
    new = copy.deepcopy(old)
    firm = new["components"]["schemas"]["Firm"]
    del firm["properties"]["name"]
    new["components"]["schemas"]["FirmIn"]["required"].append("website")
    del new["paths"]["/v1/firms/{firm_id}"]["get"]
    found = "\n".join(openapi_breaks(old, new))
    assert ".name: removed" in found
    assert "body.website: newly required" in found
    assert "GET /v1/firms/{firm_id}: removed" in found


def test_the_check_sees_an_event_field_removed() -> None:
    old = _baseline("asyncapi.json")
    new = copy.deepcopy(old)
    del new["components"]["schemas"]["AnnualReportData"]["properties"]["revenue"]
    assert any("revenue: removed" in b for b in asyncapi_breaks(old, new))
