"""`tracker kafka`: which of Apache Kafka's tool classes runs with which arguments, where the
broker is found, the consumers' client ids, and `tracker status` in 80 columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from shared.kafka import client_id
from tracker import stackfile
from tracker.cli import parser
from tracker.kafka_tools import CONSOLE_CONSUMER, GROUP_COMMAND, command, tool_args
from tracker.locate import CliSettings, Locator, NoStack
from tracker.stackfile import ProcessInfo, StackInfo
from tracker.status import status_table

pytestmark = pytest.mark.unit


def test_groups_lists_with_the_group_command() -> None:
    assert tool_args("groups", "h:9") == (GROUP_COMMAND, ["--bootstrap-server", "h:9", "--list"])


def test_describe_names_the_group_and_members_on_request() -> None:
    main, args = tool_args("describe", "h:9", group="notifier")
    assert main == GROUP_COMMAND and args[-3:] == ["--describe", "--group", "notifier"]
    assert tool_args("describe", "h:9", group="ladder", members=True)[1][-2:] == [
        "--members", "--verbose"]
    with pytest.raises(ValueError, match="group"):
        tool_args("describe", "h:9")


def test_tail_runs_the_console_consumer_with_keys_and_limits() -> None:
    main, args = tool_args("tail", "h:9", topic="ladder.standing-events", from_beginning=True,
                           max_messages=5)
    assert main == CONSOLE_CONSUMER
    assert args[:4] == ["--bootstrap-server", "h:9", "--topic", "ladder.standing-events"]
    assert "print.key=true" in args and "--from-beginning" in args
    assert args[-2:] == ["--max-messages", "5"]
    assert "--from-beginning" not in tool_args("tail", "h:9", topic="t")[1]


def test_the_command_line_is_java_on_the_poms_classpath() -> None:
    argv = command(GROUP_COMMAND, ["--list"], java_bin="/j/bin/java", jars="a.jar:b.jar")
    assert argv[0] == "/j/bin/java" and argv[-2:] == [GROUP_COMMAND, "--list"]
    assert argv[argv.index("-cp") + 1] == "a.jar:b.jar"


def test_the_cli_parses_each_kafka_action() -> None:
    args = parser().parse_args(["kafka", "describe", "ladder", "--members"])
    assert (args.kafka_cmd, args.group, args.members) == ("describe", "ladder", True)
    args = parser().parse_args(["kafka", "tail", "registry.firm-events", "--max-messages", "3"])
    assert (args.kafka_cmd, args.topic, args.max_messages) == ("tail", "registry.firm-events", 3)
    assert parser().parse_args(["kafka", "groups"]).kafka_cmd == "groups"


def _info(data_dir: Path, pid: int) -> StackInfo:
    started = datetime.now(UTC) - timedelta(days=3, hours=4)
    services = {name: ProcessInfo(url=f"http://127.0.0.1:800{i}", pid=1234567,
                                  started_at=started, restarts=12, last_exit=-9, processes=2)
                for i, name in enumerate(("registry", "ladder", "notifier", "entitlements"))}
    return StackInfo(supervisor_pid=pid, started_at=started, data_dir=str(data_dir),
                     database_url="postgresql://x", kafka_bootstrap="127.0.0.1:39092",
                     broker="Apache Kafka", metrics_url="http://127.0.0.1:8004/metrics",
                     services=services)


def test_the_broker_address_comes_from_the_environment_else_the_stack(tmp_path: Path) -> None:
    import os

    assert Locator(CliSettings(tracker_data_dir=tmp_path, kafka_bootstrap_servers="k:1")
                   ).kafka_bootstrap() == "k:1"
    with pytest.raises(NoStack, match="KAFKA_BOOTSTRAP_SERVERS"):
        Locator(CliSettings(tracker_data_dir=tmp_path, kafka_bootstrap_servers=None)
                ).kafka_bootstrap()
    stackfile.write(tmp_path, _info(tmp_path, os.getpid()))
    assert Locator(CliSettings(tracker_data_dir=tmp_path, kafka_bootstrap_servers=None)
                   ).kafka_bootstrap() == "127.0.0.1:39092"


def test_status_shows_the_kafka_address_and_fits_80_columns(tmp_path: Path) -> None:
    info = _info(tmp_path, 4242)
    states = {name: {"pid": p.pid, "restarts": p.restarts, "last_exit": p.last_exit,
                     "readiness": "unreachable (ConnectError)" if name == "ladder" else "ready",
                     "url": p.url, "processes": p.processes}
              for name, p in info.services.items()}
    console = Console(width=80, record=True)
    console.print(status_table(info, states))
    text = console.export_text()
    assert "kafka 127.0.0.1:39092 (Apache Kafka)" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = [line for line in text.splitlines() if line.startswith("│ ")]
    # one line per service when ready: nothing but the readiness text wraps
    assert any(line.startswith("│ entitlements │1234567") for line in rows), text
    ladder = next(line for line in rows if line.startswith("│ ladder"))
    assert [c.strip() for c in ladder.strip("│").split("│")][:5] == [
        "ladder", "1234567", "3d 4:00:00", "12", "-9"]


def test_each_process_has_a_client_id_naming_its_service() -> None:
    assert client_id("notifier", pid=42, host="box-1") == "notifier-box-1-42"
    assert client_id("ladder", pid=7, host="a b/c") == "ladder-a_b_c-7"  # Kafka's charset
    assert client_id("registry").startswith("registry-")
