"""The environment variables each `tracker` command reads, for its --help."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.services import SERVICES

MEANING = {
    "TRACKER_DATA_DIR": "data dir of the stack (default ./.tracker); its stack.json says where "
                        "a running stack listens",
    "DATABASE_URL": "PostgreSQL server to use instead of the running stack's (for `up`: instead "
                    "of the embedded one)",
    "KAFKA_BOOTSTRAP_SERVERS": "Kafka cluster to use instead of the embedded broker",
    "JAVA_HOME": "Java 17+ to run Apache Kafka's tools and broker with (default: java on PATH)",
    "KAFKA_PORT": "port of the embedded broker (default 9092; 0: any free one)",
    "TRACKER_BROKER": "embedded broker: auto (Apache Kafka where Java 17+ is found, else "
                      "Tansu), kafka or tansu",
    "KAFKA_PARTITIONS": "partitions of the topics it creates (default 3)",
    "TRACKER_METRICS_PORT": "port of the supervisor's /metrics: restarts per service (default "
                            "8004; 0: any free one)",
    "BIND_HOST": "interface the services listen on (default 127.0.0.1); `up` binds their ports",
    "TRACKER_BACKUP_DIR": "where `tracker backup` puts backups (default ./backups)",
    "READY_TIMEOUT_S": "how long the services may take to become ready (default 90)",
    "TRACKER_TOKEN": "API token for calls to the services (default: the admin token)",
    "TRACKER_ADMIN_TOKEN": "admin token every service accepts (default: generated once and "
                           "kept in the data dir)",
    **{f"{s.name.upper()}_PORT": f"{s.name} HTTP port (default {s.default_port}; 0: "
                                         "any free one, bound by `tracker up`)"
       for s in SERVICES},
    **{f"{s.name.upper()}_PROCESSES": f"processes serving the {s.name}'s port (default 1)"
       for s in SERVICES},
    **{f"{s.name.upper()}_URL": f"{s.name} to use instead of the running stack's"
       for s in SERVICES},
}

# what the commands that talk to a running stack read
DATABASE = ("TRACKER_DATA_DIR", "DATABASE_URL")
API = ("TRACKER_DATA_DIR", "REGISTRY_URL", "TRACKER_TOKEN", "TRACKER_ADMIN_TOKEN")
KAFKA = ("TRACKER_DATA_DIR", "KAFKA_BOOTSTRAP_SERVERS", "JAVA_HOME")


def epilog(names: Iterable[str]) -> str:
    """An --help epilog listing the variables, each with its meaning."""
    lines = [f"  {name:<24} {MEANING.get(name, 'see README.md')}" for name in names]
    return "environment variables (also read from ./.env):\n" + "\n".join(lines)
