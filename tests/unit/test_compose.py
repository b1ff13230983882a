"""docker-compose.yml, Dockerfile and .env.example agree with the code.

No Docker engine runs here, so the compose file is never started by the tests; instead
every variable it sets is fed to the service's real settings class, so a typo, a wrong
port or a variable nobody reads fails here rather than in a container.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from shared.settings import ServiceSettings
from tracker.kafka_jars import kafka_version
from tracker.services import SERVICES, Service

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dotenv() -> dict[str, str]:
    """The variables .env.example sets (what `cp .env.example .env` gives compose)."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}."""

    def one(m: re.Match[str]) -> str:
        name, op, arg = m["name"], m["op"], m["arg"]
        value = env.get(name)
        unset = value is None or (op is not None and op.startswith(":") and value == "")
        if op and op.endswith("?") and unset:
            raise AssertionError(f"{name} is required: {arg}")
        if op and op.endswith("-") and unset:
            return arg
        return value or ""

    return _VAR.sub(one, text).replace("$$", "$")


def environment(service: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: interpolate(str(v), env) for k, v in raw.items()}


def settings_class(name: str) -> type[BaseSettings]:
    return importlib.import_module(f"{name}.config").Settings  # type: ignore[no-any-return]


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable (upper case) -> field, as pydantic-settings reads them."""
    names = {}
    for field_name, info in cls.model_fields.items():
        alias = info.validation_alias or info.alias
        if isinstance(alias, str):
            choices = [alias]
        elif isinstance(alias, AliasChoices):
            choices = [c for c in alias.choices if isinstance(c, str)]
        else:
            choices = [field_name]
        prefix = cls.model_config.get("env_prefix", "") if alias is None else ""
        names.update({f"{prefix}{c}".upper(): field_name for c in choices})
    return names


def build_settings(cls: type[BaseSettings], env: dict[str, str],
                   monkeypatch: pytest.MonkeyPatch) -> Any:
    """The settings a container with exactly `env` would get (no .env file, no host env)."""
    for name in list(os.environ):
        if name.upper() in env_names(cls):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls(_env_file=None)  # type: ignore[call-arg]


def _command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def _healthcheck(service: dict[str, Any]) -> str:
    test = service.get("healthcheck", {}).get("test")
    assert test, "no healthcheck"
    return test if isinstance(test, str) else " ".join(test)


def _plain(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


# ------------------------------------------------------------------ the three services

@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_service_runs_its_module_on_its_port(compose: dict[str, Any], dotenv: dict[str, str],
                                              svc: Service) -> None:
    service = compose["services"].get(svc.name)
    assert service is not None, f"no compose service {svc.name}"
    assert _command(service) == ["python", "-m", svc.name]
    env = environment(service, dotenv)
    assert env[svc.port_env] == str(svc.default_port)
    published = [str(p) for p in service.get("ports", [])]
    assert published == [f"{svc.default_port}:{svc.default_port}"]


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_settings_read_what_compose_sets(compose: dict[str, Any], dotenv: dict[str, str],
                                         svc: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    env = environment(compose["services"][svc.name], dotenv)
    settings = build_settings(settings_class(svc.name), env, monkeypatch)
    password = dotenv["POSTGRES_PASSWORD"]
    assert settings.service_port == svc.default_port
    assert settings.bind_host == "0.0.0.0"
    assert settings.database_url == f"postgresql://postgres:{password}@postgres:5432/postgres"
    assert settings.service_database_url.endswith(f"@postgres:5432/tracker_{svc.name}")
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.tracker_admin_token.get_secret_value() == dotenv["TRACKER_ADMIN_TOKEN"]
    assert settings.kafka_fetch_max_wait_ms >= 50  # a real Kafka, not the embedded Tansu
    # and every other variable arrives as written
    names = env_names(type(settings))
    for var, text in env.items():
        if var.upper() not in names:
            continue  # test_every_variable_is_one_the_service_reads names it
        value = _plain(getattr(settings, names[var.upper()]))
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            assert str(value) == text or value == type(value)(text), var


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_every_variable_is_one_the_service_reads(compose: dict[str, Any], dotenv: dict[str, str],
                                                 svc: Service) -> None:
    """pydantic-settings ignores unknown variables (extra="ignore"): a typo would be silent."""
    env = environment(compose["services"][svc.name], dotenv)
    known = env_names(settings_class(svc.name))
    assert sorted(v for v in env if v.upper() not in known) == []


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_healthcheck_asks_readyz_on_the_service_port(compose: dict[str, Any],
                                                     svc: Service) -> None:
    check = _healthcheck(compose["services"][svc.name])
    assert f"127.0.0.1:{svc.default_port}/readyz" in check
    assert "urllib" in check and "curl" not in check  # python:3.11-slim has no curl


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_service_waits_for_healthy_infrastructure_and_migrations(compose: dict[str, Any],
                                                                 svc: Service) -> None:
    deps = compose["services"][svc.name]["depends_on"]
    assert deps == {"kafka": {"condition": HEALTHY}, "postgres": {"condition": HEALTHY},
                    "migrate": {"condition": COMPLETED}}


@pytest.mark.parametrize("name", [s.name for s in SERVICES] + ["migrate"])
def test_built_from_the_root_dockerfile(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    build = service.get("build")
    context = build if isinstance(build, str) else (build or {}).get("context")
    assert context in (".", "./"), f"{name} must build the root Dockerfile"
    if isinstance(build, dict):
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    images = {compose["services"][s.name].get("image") for s in SERVICES}
    assert len(images) == 1 and service.get("image") in images  # one image for all


def test_notifier_reaches_the_ladder_inside_the_network(compose: dict[str, Any],
                                                        dotenv: dict[str, str]) -> None:
    env = environment(compose["services"]["notifier"], dotenv)
    ladder = next(s for s in SERVICES if s.name == "ladder")
    assert env["LADDER_URL"] == f"http://ladder:{ladder.default_port}"


# ------------------------------------------------------------------ infrastructure

def test_migrate_runs_once_against_the_same_server(compose: dict[str, Any], dotenv: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    migrate = compose["services"]["migrate"]
    assert _command(migrate) == ["tracker", "migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": HEALTHY}}
    assert migrate.get("restart", "no") == "no"
    env = environment(migrate, dotenv)
    assert sorted(v for v in env if v.upper() not in env_names(ServiceSettings)) == []
    settings = build_settings(ServiceSettings, env, monkeypatch)
    registry = environment(compose["services"]["registry"], dotenv)
    assert settings.database_url == registry["DATABASE_URL"]


def test_kafka_is_a_single_kraft_node_the_services_can_reach(compose: dict[str, Any],
                                                            dotenv: dict[str, str]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == f"apache/kafka:{kafka_version()}"  # the embedded broker's version
    env = environment(kafka, dotenv)
    node = env["KAFKA_NODE_ID"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    listeners = dict(reversed(part.split("://")) for part in env["KAFKA_LISTENERS"].split(","))
    assert listeners == {":9092": "PLAINTEXT", ":9093": "CONTROLLER"}
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node}@kafka:9093"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "true"
    check = _healthcheck(kafka)
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092" in check
    for svc in SERVICES:
        service_env = environment(compose["services"][svc.name], dotenv)
        assert service_env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_postgres_keeps_its_data_and_shares_the_password(compose: dict[str, Any],
                                                         dotenv: dict[str, str]) -> None:
    pg = compose["services"]["postgres"]
    assert pg["image"] == "postgres:16"
    assert "pg_isready" in _healthcheck(pg)
    volumes = [v.split(":")[0] for v in pg["volumes"]]
    assert volumes and all(v in compose["volumes"] for v in volumes)
    password = environment(pg, dotenv)["POSTGRES_PASSWORD"]
    for name in ["migrate", *(s.name for s in SERVICES)]:
        url = environment(compose["services"][name], dotenv)["DATABASE_URL"]
        assert url.startswith(f"postgresql://postgres:{password}@postgres:5432/")


def test_required_variables_come_from_env_example(dotenv: dict[str, str]) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    required = {m["name"] for m in _VAR.finditer(text) if not m["op"] or m["op"].endswith("?")}
    assert required <= set(dotenv), f"{sorted(required - set(dotenv))} missing in .env.example"
    assert {"TRACKER_ADMIN_TOKEN", "POSTGRES_PASSWORD"} <= set(dotenv)
    assert all("change-me" in dotenv[k] for k in ("TRACKER_ADMIN_TOKEN", "POSTGRES_PASSWORD"))
    with pytest.raises(AssertionError, match="TRACKER_ADMIN_TOKEN"):  # refused without it
        interpolate(text, {})


# ------------------------------------------------------------------ the image

def test_dockerfile_installs_the_project_as_a_non_root_user() -> None:
    lines = [ln.strip() for ln in DOCKERFILE.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    text = "\n".join(lines)
    assert re.search(r"pip install (--no-deps )?-e \.", text), "the project must be installed"
    assert "COPY . ." in text
    user = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["tracker", "--help"]'


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = {ln.strip() for ln in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert {".venv", ".tracker", ".git", ".env"} <= patterns
    assert "__pycache__" in patterns or "**/__pycache__" in patterns
    assert ".env.example" not in patterns and "Dockerfile" not in patterns


def _compose_command() -> list[str]:
    """`docker compose` (plugin) where it exists, else Debian's `docker-compose`, which `make`
    installs; both validate a file without a Docker engine."""
    if shutil.which("docker") and subprocess.run(
            ["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed; `make` installs "
                "Debian's docker-compose")


def test_docker_compose_accepts_the_file(dotenv: dict[str, str]) -> None:
    """`docker compose config` validates the file against the Compose schema."""
    result = subprocess.run(
        [*_compose_command(), "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True, text=True, env={**os.environ, **dotenv}, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def _check_against_compose_spec(document: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema (a test dependency) with the Compose specification's JSON schema."""
    resolved = tmp_path / "compose.json"
    resolved.write_text(json.dumps(document), encoding="utf-8")
    checker = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec", str(resolved)],
                          capture_output=True, text=True)


def test_the_compose_specification_accepts_the_file(dotenv: dict[str, str],
                                                    tmp_path: Path) -> None:
    """The file, interpolated as compose would with .env.example, against the spec's schema."""
    document = yaml.safe_load(interpolate(COMPOSE.read_text(encoding="utf-8"), dotenv))
    result = _check_against_compose_spec(document, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_specification_check_refuses_a_broken_file(dotenv: dict[str, str],
                                                               tmp_path: Path) -> None:
    document = yaml.safe_load(interpolate(COMPOSE.read_text(encoding="utf-8"), dotenv))
    document["services"]["registry"]["depends_on"]["kafka"]["condition"] = "when_it_feels_like_it"
    document["services"]["ladder"]["restart_policy"] = "always"  # not a service key
    result = _check_against_compose_spec(document, tmp_path)
    assert result.returncode != 0
    assert "when_it_feels_like_it" in result.stdout and "restart_policy" in result.stdout
