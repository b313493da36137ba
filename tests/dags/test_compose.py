"""docker-compose.yml, checked structurally (no Docker engine here): services, images, shared settings,
ports, volumes, and every command it runs exists in our CLI or Airflow's."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from jixiao.cli import main as jixiao_cli
from jixiao.runtime.config import REPO_ROOT
from jixiao.runtime.kafka_local import kafka_version

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
OURS = [name for name, service in SERVICES.items() if service.get("image") == "jixiao:local"]
AIRFLOW_PARTS = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor")


def defaults(value: str) -> str:
    """A compose value with every ``${VAR:-default}`` replaced by its default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def env(service: str) -> dict[str, str]:
    return {k: defaults(v) for k, v in SERVICES[service].get("environment", {}).items()}


def test_the_platform_services_are_all_there():
    assert {"kafka", "topics", "ingestor", "simulator", "airflow-init", *AIRFLOW_PARTS} <= set(SERVICES)
    assert set(OURS) == set(SERVICES) - {"kafka"}


def test_kafka_is_the_official_image_in_kraft_mode_at_our_version():
    kafka = SERVICES["kafka"]
    assert kafka["image"] == f"apache/kafka:{kafka_version()}" and kafka_version().startswith("4.")
    settings = env("kafka")
    assert set(settings["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in key for key in settings)
    advertised = settings["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert f"PLAINTEXT://{env('ingestor')['JX_KAFKA_BOOTSTRAP']}" in advertised
    external = next(a for a in advertised if a.startswith("EXTERNAL://"))
    assert f"{external.rsplit(':', 1)[1]}:19092" in [defaults(p) for p in kafka["ports"]]
    assert any(v.endswith(":" + settings["KAFKA_LOG_DIRS"]) for v in kafka["volumes"])


def test_our_services_share_one_image_one_home_and_one_configuration():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    workdir = re.search(r"^WORKDIR (\S+)", dockerfile, re.M).group(1)
    first = env(OURS[0])
    for name in OURS:
        service = SERVICES[name]
        assert service["build"] == "." and env(name) == first, name
        assert f"jixiao-home:{first['JX_HOME']}" in service["volumes"], name
    assert first["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"
    assert first["AIRFLOW_HOME"].startswith(first["JX_HOME"] + "/")
    assert first["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{first['AIRFLOW_HOME']}/airflow.db"
    assert first["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == \
        f"http://airflow-api-server:{first['AIRFLOW__API__PORT']}/execution/"
    assert set(COMPOSE["volumes"]) >= {"jixiao-home", "kafka-data"}


def test_every_setting_it_passes_is_one_the_code_reads():
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("jixiao", "alerts", "ingestors")
                     for p in (REPO_ROOT / folder).rglob("*.py"))
    code += (REPO_ROOT / "alerts" / "config.yaml").read_text(encoding="utf-8")
    unread = [key for key in env(OURS[0]) if key.startswith("JX_") and key not in code]
    assert unread == []


def test_the_airflow_parts_talk_to_the_api_server_it_publishes():
    api = SERVICES["airflow-api-server"]
    port = env("airflow-api-server")["AIRFLOW__API__PORT"]
    assert [defaults(p) for p in api["ports"]] == [f"8080:{port}"]
    for name in (*AIRFLOW_PARTS, "ingestor", "simulator"):
        for dependency in SERVICES[name].get("depends_on", {}):
            assert dependency in SERVICES


def commands() -> list[tuple[str, list[str]]]:
    return [(name, [defaults(part) for part in service["command"]]) for name, service in SERVICES.items()
            if "command" in service]


def parse(command: list[str]) -> click.Context:
    """Parse a ``jixiao …`` command as click would, without running it (unknown commands, options, values raise)."""
    name, current, args, parent = "jixiao", jixiao_cli, command[1:], None
    while True:
        ctx = current.make_context(name, list(args), parent=parent)
        rest = [*ctx._protected_args, *ctx.args] if isinstance(current, click.Group) else []
        if not rest:
            return ctx
        name, current, args = current.resolve_command(ctx, rest)
        parent = ctx


@pytest.mark.parametrize("service,command", [c for c in commands() if c[1][0] == "jixiao"], ids=lambda v: str(v))
def test_each_jixiao_command_exists_with_those_options(service, command):
    ctx = parse(command)
    assert not isinstance(ctx.command, click.Group) or ctx.command.invoke_without_command, shlex.join(command)


@pytest.mark.parametrize("command", [["jixiao", "ingest", "--bogus"], ["jixiao", "airflow", "down"],
                                     ["jixiao", "simulate", "--months", "twelve"]])
def test_the_command_check_catches_what_does_not_exist(command):
    with pytest.raises(click.UsageError):
        parse(command)


@pytest.mark.parametrize("service,command", [c for c in commands() if c[1][0] == "airflow"], ids=lambda v: str(v))
def test_each_airflow_command_exists_with_those_options(service, command, airflow_session):
    from airflow.cli.cli_parser import get_parser

    parsed = get_parser().parse_args(command[1:])
    assert callable(parsed.func)


def test_the_image_installs_the_locked_dependencies_and_this_checkout():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "requirements.lock" in dockerfile and "-e ." in dockerfile and "python:3.11" in dockerfile
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".cache"} <= set(ignored)
    assert Path(REPO_ROOT / "requirements.lock").exists()
