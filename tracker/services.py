"""The services as the `tracker` command knows them: name, port, database, migrations."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from shared.db import prepare_database
from shared.settings import database_url_for


@dataclass(frozen=True)
class Service:
    name: str
    port_env: str
    default_port: int

    @property
    def database(self) -> str:
        return f"tracker_{self.name}"

    @property
    def migrations(self) -> Path:
        spec = importlib.util.find_spec(self.name)
        assert spec is not None and spec.origin is not None, f"package {self.name} not installed"
        return Path(spec.origin).parent.parent / "migrations"

    def database_url(self, server_url: str) -> str:
        return database_url_for(server_url, self.database)


SERVICES = (
    Service("registry", "REGISTRY_PORT", 8001),
    Service("ladder", "LADDER_PORT", 8002),
    Service("notifier", "NOTIFIER_PORT", 8003),
    Service("entitlements", "ENTITLEMENTS_PORT", 8005),
)


async def migrate_all(server_url: str, names: list[str] | None = None) -> dict[str, list[str]]:
    """Create each service's database if needed and apply its pending migrations."""
    applied = {}
    for service in SERVICES:
        if names and service.name not in names:
            continue
        applied[service.name] = await prepare_database(
            server_url, service.database, service.migrations
        )
    return applied
