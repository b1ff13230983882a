"""How a `tracker` command finds the stack: explicit URLs first, else the running stack's file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker import stackfile
from tracker.services import SERVICES

# `<SERVICE>_URL` for every service of the one list (SERVICES)
_ServiceUrls = create_model(  # type: ignore[call-overload]  # fields made from SERVICES
    "_ServiceUrls", __base__=BaseSettings,
    **{f"{service.name}_url": (str | None, None) for service in SERVICES})


class CliSettings(_ServiceUrls):  # fields per service come from SERVICES
    """What the administration commands read from the environment (or `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    tracker_data_dir: Path = Path(".tracker")
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    tracker_token: SecretStr | None = None
    tracker_admin_token: SecretStr | None = None
    tracker_backup_dir: Path = Path("backups")


class NoStack(Exception):
    """Neither a running stack nor an explicit URL says where to go; the message says so."""


@dataclass
class Locator:
    """Answers where each part is, reading the stack file only when an answer needs it."""

    settings: CliSettings

    def stack(self, wanted: str | None = None) -> stackfile.StackInfo:
        """The running stack; NoStack names the variable that would have done instead."""
        info = stackfile.read(self.settings.tracker_data_dir)
        if info is None:
            where = self.settings.tracker_data_dir.resolve()
            instead = f" and {wanted} is not set" if wanted else ""
            raise NoStack(f"no running stack in {where} (start one with `tracker up`, or set "
                          f"TRACKER_DATA_DIR){instead}")
        return info

    def database_url(self) -> str:
        """The PostgreSQL server URL."""
        return self.settings.database_url or self.stack("DATABASE_URL").database_url

    def kafka_bootstrap(self) -> str:
        """The Kafka bootstrap address: KAFKA_BOOTSTRAP_SERVERS, else the running stack's."""
        return (self.settings.kafka_bootstrap_servers
                or self.stack("KAFKA_BOOTSTRAP_SERVERS").kafka_bootstrap)

    def service_url(self, service: str) -> str:
        """The base URL of one service."""
        explicit: str | None = getattr(self.settings, f"{service}_url")
        if explicit:
            return explicit.rstrip("/")
        return self.stack(f"{service.upper()}_URL").services[service].url

    def token(self) -> str:
        """A token for the services' APIs: TRACKER_TOKEN, the admin token, or the stack's."""
        for secret in (self.settings.tracker_token, self.settings.tracker_admin_token):
            if secret:
                return secret.get_secret_value()
        kept = self.settings.tracker_data_dir / "admin-token"
        if kept.exists():
            return kept.read_text(encoding="utf-8").strip()
        raise NoStack(f"no API token: set TRACKER_TOKEN (no {kept} to fall back on)")


def locator() -> Locator:
    """A locator over the process's settings."""
    return Locator(CliSettings())
