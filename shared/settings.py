"""Settings every service shares; each service subclasses `ServiceSettings` once."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class ServiceSettings(BaseSettings):
    """Connection and security settings common to the three services."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@localhost:5432/postgres",
        description="PostgreSQL server URL; each service uses its own database on it.",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_fetch_max_wait_ms: int = Field(
        default=100, ge=1, le=10_000,
        description="Broker fetch wait. Kafka answers as soon as data arrives, so this only "
                    "spaces out empty fetches; Tansu answers only when it expires (use 5).",
    )
    kafka_idempotence: bool = Field(
        default=True,
        description="Idempotent producer (broker retries add no duplicates); Tansu lacks it.")
    kafka_partitions: int = Field(default=3, ge=1, le=256)
    # Tansu holds a JoinGroup ~5 s and keeps a stopped member until its session times out,
    # so a short session lets a restarted consumer rejoin in seconds, not tens of seconds.
    kafka_session_timeout_ms: int = Field(default=6000, ge=1000, le=300_000)
    kafka_heartbeat_interval_ms: int = Field(default=1000, ge=100, le=60_000)
    kafka_rebalance_timeout_ms: int = Field(default=3000, ge=500, le=600_000)
    kafka_max_batch: int = Field(
        default=100, ge=1, le=10_000,
        description="Most messages a consumer applies in one database transaction.")
    tracker_admin_token: SecretStr | None = None
    public_base_url: str | None = Field(
        default=None, description="How users reach this service; used in links."
    )
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, description="Largest JSON body accepted.")
    max_upload_bytes: int = Field(default=8_388_608, description="Largest CSV upload accepted.")

    rate_limit_enabled: bool = Field(
        default=True, description="Fair limits per key and route class (shared.limits).")
    rate_limits: dict[str, str] = Field(
        default_factory=dict,
        description='Limits that differ from the defaults, e.g. {"viewer.read": "5/10"}: '
                    "ROLE.CLASS → RATE/BURST[/CONCURRENT] (shared.limits).")

    @field_validator("rate_limits")
    @classmethod
    def _known_limits(cls, value: dict[str, str]) -> dict[str, str]:
        from shared.limits import policies

        policies(value)  # a wrong role, class or number fails the start, naming it
        return value

    bind_host: str = Field(default="127.0.0.1", description="Interface to listen on (0.0.0.0 in containers).")
    service_name: str = "service"
    service_port: int = 8000

    listen_fd: int | None = Field(
        default=None, validation_alias="SERVICE_LISTEN_FD",
        description="A listening socket inherited from `tracker up`, which binds the ports "
                    "itself (0 allowed) and keeps them while it restarts a service.")

    database_name: str | None = Field(
        default=None, description="The service's database; default tracker_<service>."
    )
    processes: int = Field(
        default=1, ge=1, le=32, validation_alias="SERVICE_PROCESSES",
        description="Processes serving the service's port (`<SERVICE>_PROCESSES`, e.g. "
                    "REGISTRY_PROCESSES; SERVICE_PROCESSES in a container of its own).")
    db_pool_max_size: int | None = Field(
        default=None, ge=1, le=100,
        description="Most PostgreSQL connections each process's pool opens (default: 20 "
                    "shared by the service's processes, at least 5 each).")

    @property
    def pool_size(self) -> int:
        """The pool's size: 20 measured 30% more writes/s than 10 (BENCHMARKS.md); split over
        the processes so three services stay well under PostgreSQL's 100 connections."""
        return self.db_pool_max_size or max(5, 20 // self.processes)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """`<SERVICE>_PROCESSES` first: `tracker up` hands one environment to all three."""
        return (init_settings, _ServiceProcesses(settings_cls), env_settings, dotenv_settings,
                file_secret_settings)

    @property
    def service_database_url(self) -> str:
        """The service's own database on the shared server."""
        return database_url_for(self.database_url, self.database_name or f"tracker_{self.service_name}")


class _ServiceProcesses(PydanticBaseSettingsSource):
    """`processes` from `<SERVICE>_PROCESSES`, the service named by the class's `service_name`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` answers for the one field this source knows."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        service = self.settings_cls.model_fields["service_name"].default
        value = os.environ.get(f"{str(service).upper()}_PROCESSES")
        # keyed by the field's alias, as every source's values are
        return {} if value is None else {"SERVICE_PROCESSES": value}


def database_url_for(server_url: str, dbname: str) -> str:
    """Same server and credentials, another database (socket `?host=` kept)."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))
