"""Notifier settings: built once, from the environment."""

from functools import lru_cache

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the notifier reads from its environment."""

    service_name: str = "notifier"
    service_port: int = Field(default=8003, validation_alias="NOTIFIER_PORT")


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
