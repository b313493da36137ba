"""``jixiao kafka start|stop|status|create-topics``: the local Apache Kafka broker."""
from __future__ import annotations

import sys

import click

from jixiao import contracts
from jixiao.cli.common import console, require_broker
from jixiao.runtime import kafka_client, kafka_local


@click.group()
def kafka() -> None:
    """Run the local Apache Kafka broker (KRaft, 127.0.0.1)."""


@kafka.command("start")
def kafka_start() -> None:
    """Resolve the jars (first time), format storage (first time) and start the broker."""
    with console.status("starting Kafka (first run resolves the jars from Maven Central)…"):
        console.print(kafka_local.start().describe())


@kafka.command("stop")
def kafka_stop() -> None:
    """Stop the broker; no process is left behind."""
    console.print(kafka_local.stop().describe())


@kafka.command("create-topics")
@click.option("--partitions", default=kafka_client.DEFAULT_PARTITIONS, show_default=True, type=int,
              help="Partitions of each new topic (also JX_TOPIC_PARTITIONS); existing topics keep theirs.")
def kafka_create_topics(partitions: int) -> None:
    """Create the 11 source topics jx.src.<source>.v1 that do not exist yet."""
    require_broker()
    kafka_client.ensure_topics([contracts.topic(s) for s in contracts.SOURCES], partitions)
    console.print(f"source topics ready ({partitions} partitions for new ones)")


@kafka.command("status")
def kafka_status() -> None:
    """Say whether the broker is up; exit code 0 when up, 3 when down."""
    state = kafka_local.status()
    console.print(state.describe())
    sys.exit(0 if state.running else 3)


COMMANDS = [kafka]
