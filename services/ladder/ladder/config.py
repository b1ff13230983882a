"""Ladder settings: built once, from the environment."""

from functools import lru_cache

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the ladder reads from its environment."""

    service_name: str = "ladder"
    service_port: int = Field(default=8002, validation_alias="LADDER_PORT")
    consumer_group: str = Field(default="ladder", description="Kafka consumer group")
    consumer_max_attempts: int = Field(default=5, ge=1, le=100,
                                       description="Tries before a message is dead-lettered")
    sweep_interval_s: float = Field(default=3600.0, gt=0,
                                    description="How often expiries and paces are checked")
    stream_buffer: int = Field(default=1000, ge=1, le=1_000_000,
                               description="Events held for one slow /v1/stream client before "
                               "it is sent `overflow`")
    stream_heartbeat_s: float = Field(default=15.0, gt=0, le=300,
                                      description="Idle /v1/stream clients get a comment this often")
    round_reminder_days: list[int] = Field(
        default=[14, 3], description="Days before each of a round's deadlines that officers are "
        "reminded of their firms not applied or stalled (JSON list, e.g. [14, 3])")
    list_quiet_s: float = Field(
        default=120.0, ge=0, description="A published list is announced once no filing of it "
        "has arrived for this long (an import in flight is not announced half-way)")
    whatif_keep_warm_s: float = Field(
        default=300.0, ge=0, description="How often, between what-if jobs, the what-if workers "
        "bring the city they keep up to date and fold it under the active rulebook, so an "
        "officer's what-if folds only its draft (0: never; the workers then start on the "
        "first job, which folds everything)")
    notifier_url: str | None = Field(
        default=None, description="Where browsers reach the notifier (the dashboard's officer "
        "inbox and alerts; the notifier allows the ladder's origin by CORS)")
    entitlements_url: str | None = Field(
        default=None, description="Where browsers reach the entitlements service (the "
        "dashboard's budget and entitlements views; it allows the ladder's origin by CORS)")


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
