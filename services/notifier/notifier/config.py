"""Notifier settings: built once, from the environment."""

from datetime import timedelta
from functools import lru_cache
from uuid import UUID

from pydantic import Field, SecretStr

from notifier.channels.models import SmtpSettings
from notifier.domain.schedule import MAX_ATTEMPTS
from shared.settings import ServiceSettings
from shared.topics import ENTITLEMENT_EVENTS, STANDING_EVENTS

VENDOR_HOSTS = "oapi.dingtalk.com,qyapi.weixin.qq.com,open.feishu.cn"


class Settings(ServiceSettings):
    """Everything the notifier reads from its environment (field name = variable name)."""

    service_name: str = "notifier"
    service_port: int = Field(default=8003, validation_alias="NOTIFIER_PORT")

    notifier_webhook_allowlist: str = Field(
        default=VENDOR_HOSTS,
        description="Comma-separated webhook hosts/IPs; the admin's list in the DB adds to it.",
    )
    ladder_url: str = Field(default="http://127.0.0.1:8002", description="The ladder's public URL.")
    notifier_cors_origins: str = Field(
        default="", description="Comma-separated origins whose pages may call this API besides "
        "the ladder's (its dashboard reads the inbox and alerts)")
    notifier_standing_url_base: str | None = Field(
        default=None, description="Base of the links in alerts; default LADDER_URL."
    )
    notifier_fallback_officer: UUID | None = Field(
        default=None, description="Officer who gets unrouted alerts (the admin API overrides it)."
    )
    notifier_delivery_timeout_s: float = Field(default=10.0, gt=0)
    notifier_max_attempts: int = Field(default=MAX_ATTEMPTS, ge=1, le=50)
    notifier_backoff_base_s: float = Field(default=2.0, ge=0)
    notifier_backoff_cap_s: float = Field(default=300.0, ge=0)
    notifier_escalation_after: timedelta = Field(
        default=timedelta(hours=24), description="ISO 8601 duration ('PT24H') or seconds."
    )
    notifier_history_after_days: int = Field(
        default=30, ge=0, description="An event about something older than this many days when "
        "it arrives (a history import, a late correction) goes to the firm's record and the "
        "officer's one history summary, never to the inbox as an immediate or critical alert.")
    notifier_worker_enabled: bool = Field(default=True, description="Run the delivery worker.")
    notifier_worker_poll_s: float = Field(default=1.0, gt=0)
    notifier_worker_batch: int = Field(default=20, ge=1, le=500)
    notifier_lease_s: float = Field(
        default=120.0, gt=0, description="A delivery stuck in 'sending' this long is retaken."
    )
    notifier_subscribe: bool = Field(
        default=True, description="Consume standing events (false: an API/worker-only replica)."
    )
    notifier_consumer_group: str = "notifier"
    notifier_events_topic: str = Field(default=STANDING_EVENTS, description="Topic consumed.")
    notifier_entitlements_topic: str = Field(
        default=ENTITLEMENT_EVENTS, description="Entitlement events consumed (offers, overdue "
        "offers)")

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_from: str = "notifier@tracker.local"
    smtp_timeout: float = Field(default=10.0, gt=0)

    @property
    def webhook_hosts(self) -> list[str]:
        """The allowlist from the environment, as a list."""
        return [h.strip() for h in self.notifier_webhook_allowlist.split(",") if h.strip()]

    @property
    def link_base(self) -> str:
        """Where alert links point."""
        return self.notifier_standing_url_base or self.ladder_url

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery is ours; never shorter than a send can take."""
        return timedelta(seconds=max(self.notifier_lease_s, 2 * self.notifier_delivery_timeout_s))

    def smtp(self) -> SmtpSettings | None:
        """Outgoing mail server, or None when SMTP_HOST is unset."""
        if not self.smtp_host:
            return None
        return SmtpSettings(
            host=self.smtp_host, port=self.smtp_port, username=self.smtp_username,
            password=self.smtp_password, starttls=self.smtp_starttls, from_addr=self.smtp_from,
            timeout=self.smtp_timeout,
        )


@lru_cache
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
