"""Entitlements settings: built once, from the environment."""

from functools import lru_cache

from pydantic import Field

from shared.settings import ServiceSettings
from shared.topics import FIRM_EVENTS


class Settings(ServiceSettings):
    """Everything the entitlements service reads from its environment."""

    service_name: str = "entitlements"
    service_port: int = Field(default=8005, validation_alias="ENTITLEMENTS_PORT")
    entitlements_consumer_group: str = Field(default="entitlements",
                                             description="Kafka consumer group")
    entitlements_events_topic: str = Field(default=FIRM_EVENTS, description="Topic consumed")
    entitlements_subscribe: bool = Field(
        default=True, description="Consume registry events (false: an API-only replica)")
    entitlements_remind_after_days: int = Field(
        default=14, ge=1, le=365, description="An offer unconfirmed this many days gets one "
        "reminder event (the notifier alerts the firm's officer)")
    entitlements_expire_after_days: int = Field(
        default=90, ge=1, le=3650, description="An offer unconfirmed this many days expires "
        "(the confirmation deadline)")
    entitlements_sweep_interval_s: float = Field(
        default=3600.0, gt=0, description="How often overdue offers are looked for")
    ladder_url: str = Field(default="http://127.0.0.1:8002",
                            description="The ladder's public URL: its dashboard calls this API "
                            "(allowed by CORS)")
    entitlements_cors_origins: str = Field(
        default="", description="Comma-separated origins whose pages may call this API besides "
        "the ladder's")


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
