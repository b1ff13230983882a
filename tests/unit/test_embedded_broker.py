"""Choosing the embedded broker, and what Kafka is started with (no process is started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import embedded
from tracker.kafka_broker import KafkaBroker, new_cluster_id, server_properties

pytestmark = pytest.mark.unit


def test_without_java_17_the_stack_falls_back_to_tansu_and_says_what_it_lacks(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(embedded, "java", lambda: (None, "/usr/bin/java is Java 11"))
    broker = embedded.embedded_broker(9999, engine="auto")
    assert isinstance(broker, embedded.TansuBroker)
    said = capsys.readouterr().err
    assert "Tansu, not Apache Kafka (/usr/bin/java is Java 11)" in said
    assert "keeps nothing across restarts" in said
    assert broker.client_env() == {"KAFKA_IDEMPOTENCE": "false", "KAFKA_FETCH_MAX_WAIT_MS": "5"}


def test_with_java_17_it_is_apache_kafka(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.setattr(embedded, "java", lambda: ("/usr/bin/java", ""))
    broker = embedded.embedded_broker(9999, tmp_path, engine="auto")
    assert isinstance(broker, KafkaBroker) and broker.data_dir == tmp_path
    assert broker.client_env() == {}  # the services' defaults are Kafka's


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="TRACKER_BROKER must be one of auto, kafka, tansu"):
        embedded.embedded_broker(9999, engine="redpanda")


def test_cluster_ids_are_never_taken_for_an_option() -> None:
    # one in 64 random ids would start with "-" (the format command then fails)
    ids = {new_cluster_id() for _ in range(5000)}
    assert len(ids) == 5000 and not any(i.startswith("-") for i in ids)
    assert {len(i) for i in ids} == {22}


def test_one_combined_kraft_node_on_loopback(tmp_path: Path) -> None:
    text = server_properties(port=1234, controller_port=1235, log_dirs=tmp_path, partitions=3)
    props = dict(line.split("=", 1) for line in text.splitlines())
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:1235"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:1234"
    assert props["log.dirs"] == str(tmp_path)
    assert props["offsets.topic.replication.factor"] == "1"
