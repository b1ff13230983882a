"""Ladder settings: built once, from the environment."""

from functools import lru_cache

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the ladder reads from its environment."""

    service_name: str = "ladder"
    service_port: int = Field(default=8002, validation_alias="LADDER_PORT")


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
