"""`tracker kafka groups|describe GROUP|tail TOPIC`: Apache Kafka's own operator tools (from the
pom's `kafka-tools`), run with java against the stack's broker; no Kafka download needed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from tracker.kafka_jars import classpath, java

GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"
CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
# the tools log through Log4j 2 like the broker; without a file it would warn about that first
QUIET = ("-Dlog4j2.level=WARN", "-Dlog4j2.statusLoggerLevel=OFF", "-Xshare:auto",
         "-XX:TieredStopAtLevel=1")


class NoJava(Exception):
    """No Java 17+ to run Apache Kafka's tools with; the message says why."""


def tool_args(action: str, bootstrap: str, *, group: str | None = None,
              topic: str | None = None, members: bool = False, from_beginning: bool = False,
              max_messages: int | None = None) -> tuple[str, list[str]]:
    """(main class, its arguments) for one `tracker kafka` action."""
    if action == "groups":
        return GROUP_COMMAND, ["--bootstrap-server", bootstrap, "--list"]
    if action == "describe":
        if not group:
            raise ValueError("describe needs a group")
        extra = ["--members", "--verbose"] if members else []
        return GROUP_COMMAND, ["--bootstrap-server", bootstrap, "--describe", "--group", group,
                               *extra]
    if action == "tail":
        if not topic:
            raise ValueError("tail needs a topic")
        args = ["--bootstrap-server", bootstrap, "--topic", topic,
                "--formatter-property", "print.key=true",
                "--formatter-property", "print.timestamp=true",
                "--formatter-property", "print.partition=true",
                "--formatter-property", "print.offset=true"]
        if from_beginning:
            args.append("--from-beginning")
        if max_messages is not None:
            args += ["--max-messages", str(max_messages)]
        return CONSOLE_CONSUMER, args
    raise ValueError(f"unknown action {action!r}")


def command(main_class: str, args: Sequence[str], *, java_bin: str | None = None,
            jars: str | None = None) -> list[str]:
    """The java command line running one of Kafka's tool classes on the pom's classpath."""
    if java_bin is None:
        java_bin, why = java()
        if java_bin is None:
            raise NoJava(f"Apache Kafka's tools need Java 17+: {why}")
    return [java_bin, *QUIET, "-cp", jars if jars is not None else classpath(), main_class,
            *args]


def run(argv: list[str], *, timeout_s: float | None = None) -> int:
    """Run a tool in the foreground (its output is the operator's); Ctrl-C ends it quietly."""
    try:
        return subprocess.run(argv, timeout=timeout_s, env={**os.environ}).returncode
    except KeyboardInterrupt:
        return 130
