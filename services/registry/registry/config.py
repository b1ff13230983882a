"""Registry settings: built once, from the environment."""

from functools import lru_cache

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the registry reads from its environment."""

    service_name: str = "registry"
    service_port: int = Field(default=8001, validation_alias="REGISTRY_PORT")


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
