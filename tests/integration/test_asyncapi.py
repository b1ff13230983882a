"""Each running service serves its AsyncAPI document, and the official parser
(`@asyncapi/parser`, from npm) accepts all three."""

from __future__ import annotations

import json
import subprocess
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from entitlements.app import build_app as build_entitlements
from entitlements.config import Settings as EntitlementsSettings
from ladder.app import build_app as build_ladder
from ladder.config import Settings as LadderSettings
from notifier.app import build_app as build_notifier
from notifier.config import Settings as NotifierSettings
from registry.app import build_app as build_registry
from registry.config import Settings as RegistrySettings
from shared.events import ALL_EVENT_TYPES
from tests.conftest import fresh_database
from tests.integration.conftest import serve, service_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "tests" / "contracts" / "validate_asyncapi.mjs"


def validate(*files: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run the official parser over the files (node_modules comes from `make`: npm ci)."""
    assert (ROOT / "node_modules" / "@asyncapi" / "parser").is_dir(), \
        "node_modules missing: run `make node_modules` (npm ci)"
    done = subprocess.run(["node", str(VALIDATOR), *map(str, files)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines() if line]


async def test_every_service_serves_documents_the_parser_accepts(
        pg_server_url: str, fresh_broker: str, tmp_path: Path) -> None:
    builders = {
        "registry": (build_registry, RegistrySettings, {}),
        "ladder": (build_ladder, LadderSettings, {}),
        "notifier": (build_notifier, NotifierSettings, {"notifier_worker_enabled": False}),
        "entitlements": (build_entitlements, EntitlementsSettings, {}),
    }
    files: list[Path] = []
    docs: dict[str, dict[str, Any]] = {}
    async with AsyncExitStack() as stack:
        for name, (build, settings_cls, extra) in builders.items():
            db = await fresh_database(pg_server_url, name)
            settings = service_settings(settings_cls, server_url=pg_server_url, database=db,
                                        bootstrap=fresh_broker, **extra)
            client = await stack.enter_async_context(serve(build(settings)))
            docs[name] = (await client.get("/asyncapi.json")).json()
            page = await client.get("/asyncapi")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            for message in docs[name]["components"]["messages"]:
                assert message in page.text
            files.append(tmp_path / f"{name}.json")
            files[-1].write_text(json.dumps(docs[name], ensure_ascii=False))

    code, results = validate(*files)
    assert code == 0, results
    assert [r["valid"] for r in results] == [True] * len(builders) and not any(r["errors"] for r in results)

    addresses = {n: {c["address"] for c in d["channels"].values()} for n, d in docs.items()}
    assert addresses["registry"] == {"registry.firm-events", "registry.firm-events.dlq"}
    assert {"registry.firm-events", "ladder.standing-events"} <= addresses["ladder"]
    assert {"ladder.standing-events", "notifier.alert-events",
            "entitlements.entitlement-events"} <= addresses["notifier"]
    assert {"registry.firm-events",
            "entitlements.entitlement-events"} <= addresses["entitlements"]
    # the ladder's FastStream subscriber is in its document, as a receive operation
    receive = [o for o in docs["ladder"]["operations"].values() if o["action"] == "receive"]
    assert receive and receive[0]["channel"]["$ref"] == "#/channels/registry_firm_events"
    # every message has a description and an example that is a valid event of its type
    everything = {k: v for d in docs.values() for k, v in d["components"]["messages"].items()}
    assert set(everything) == set(ALL_EVENT_TYPES)
    for name, message in everything.items():
        assert message["description"] and message["summary"]
        ALL_EVENT_TYPES[name].model_validate(message["examples"][0]["payload"])
    for doc in docs.values():
        assert all(c["description"] for c in doc["channels"].values())


def test_the_parser_refuses_a_broken_document(tmp_path: Path) -> None:
    """The check above can fail: a channel without an address type and a dangling $ref."""
    broken = {"asyncapi": "3.0.0", "info": {"title": "x", "version": "1"},
              "channels": {"a": {"address": 42, "messages": {"m": {"$ref": "#/nowhere"}}}}}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, results = validate(path)
    assert code == 1 and results[0]["valid"] is False and results[0]["errors"]
