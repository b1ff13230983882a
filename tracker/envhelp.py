"""The environment variables each `tracker` command reads, for its --help."""

from __future__ import annotations

from collections.abc import Iterable

MEANING = {
    "TRACKER_DATA_DIR": "data dir of the stack (default ./.tracker); its stack.json says where "
                        "a running stack listens",
    "DATABASE_URL": "PostgreSQL server to use instead of the running stack's (for `up`: instead "
                    "of the embedded one)",
    "KAFKA_BOOTSTRAP_SERVERS": "Kafka cluster to use instead of the embedded broker",
    "KAFKA_PORT": "port of the embedded broker (default 9092; 0: any free one)",
    "TRACKER_BROKER": "embedded broker: auto (Apache Kafka where Java 17+ is found, else "
                      "Tansu), kafka or tansu",
    "KAFKA_PARTITIONS": "partitions of the topics it creates (default 3)",
    "REGISTRY_PORT": "registry HTTP port (default 8001; 0: any free one)",
    "LADDER_PORT": "ladder HTTP port (default 8002; 0: any free one)",
    "NOTIFIER_PORT": "notifier HTTP port (default 8003; 0: any free one)",
    "REGISTRY_PROCESSES": "processes serving the registry's port (default 1)",
    "LADDER_PROCESSES": "processes serving the ladder's port (default 1)",
    "NOTIFIER_PROCESSES": "processes serving the notifier's port (default 1)",
    "TRACKER_METRICS_PORT": "port of the supervisor's /metrics: restarts per service (default 8004)",
    "READY_TIMEOUT_S": "how long the services may take to become ready (default 90)",
    "REGISTRY_URL": "registry to use instead of the running stack's",
    "LADDER_URL": "ladder to use instead of the running stack's",
    "NOTIFIER_URL": "notifier to use instead of the running stack's",
    "TRACKER_BACKUP_DIR": "where `tracker backup` puts backups (default ./backups)",
    "TRACKER_TOKEN": "API token for calls to the services (default: the admin token)",
    "TRACKER_ADMIN_TOKEN": "admin token every service accepts (default: generated once and "
                           "kept in the data dir)",
}

# what the commands that talk to a running stack read
DATABASE = ("TRACKER_DATA_DIR", "DATABASE_URL")
API = ("TRACKER_DATA_DIR", "REGISTRY_URL", "TRACKER_TOKEN", "TRACKER_ADMIN_TOKEN")


def epilog(names: Iterable[str]) -> str:
    """An --help epilog listing the variables, each with its meaning."""
    lines = [f"  {name:<24} {MEANING.get(name, 'see README.md')}" for name in names]
    return "environment variables (also read from ./.env):\n" + "\n".join(lines)
