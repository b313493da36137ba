"""The ``jixiao`` command line."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

import click
from rich.console import Console

import contracts
from jixiao import kafka_client, kafka_local
from jixiao.config import settings
from scoring.cli import score_command

console = Console()


@click.group()
def main() -> None:
    """jixiao 绩效数据中台 — performance data platform."""


@main.group()
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
    kafka_client.ensure_topics([contracts.topic(s) for s in contracts.SOURCES], partitions)
    console.print(f"source topics ready ({partitions} partitions for new ones)")


@kafka.command("status")
def kafka_status() -> None:
    """Say whether the broker is up; exit code 0 when up, 3 when down."""
    state = kafka_local.status()
    console.print(state.describe())
    sys.exit(0 if state.running else 3)


@main.command()
@click.option("--scale", default="S", show_default=True, type=click.Choice(["XS", "S", "M", "L"]),
              help="XS tests, S ≈ 100k events a year (CI), M ≈ 10M, L ≈ 100M.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--start", default="2026-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--months", default=12, show_default=True, type=int)
@click.option("--to", "to", default="kafka", show_default=True, type=click.Choice(["kafka", "jsonl"]),
              help="kafka: the source topics; jsonl: one <topic>.jsonl file per source in DIR.")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def simulate(scale: str, seed: int, start: str, months: int, to: str, directory: Path | None) -> None:
    """Simulate the province's source systems into Kafka, or with ``--to jsonl DIR`` into JSON-lines files.

    The evaluation truth goes to $JX_HOME/simulator/ (for evaluation code only).
    """
    from simulator.run import simulate as run
    from simulator.sinks import JsonlSink, KafkaSink

    cfg = settings()
    if to == "jsonl":
        if directory is None:
            raise click.UsageError("--to jsonl needs a DIR: jixiao simulate --to jsonl DIR")
        sink = JsonlSink(directory)
    else:
        if directory is not None:
            raise click.UsageError("DIR is only for --to jsonl")
        if not kafka_local.status(cfg).running:
            raise click.ClickException("the Kafka broker is down: run `jixiao kafka start` first")
        sink = KafkaSink(cfg)
    written = run(sink, scale=scale, seed=seed, start=start, months=months)
    console.print(f"wrote {sum(written.values()):,} messages: {written}")


def _chosen_sources(sources: str) -> list[str]:
    chosen = list(contracts.SOURCES) if sources == "all" else [s.strip() for s in sources.split(",")]
    unknown = sorted(set(chosen) - set(contracts.SOURCES))
    if unknown:
        raise click.UsageError(f"unknown sources {unknown}; known: {', '.join(contracts.SOURCES)}")
    return chosen


@main.group(invoke_without_command=True)
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
@click.option("--group", default="jx-ingest", show_default=True, help="Consumer group id.")
@click.option("--follow/--until-caught-up", default=False, show_default=True,
              help="Keep consuming, or stop once the group has landed every partition up to its end.")
@click.option("--progress/--no-progress", default=None,
              help="Per-partition progress and lag on the console (default: when it is a terminal).")
@click.option("--instance-id", default=None,
              help="Static group membership (KIP-345): a restarted member with the same id takes its partitions "
                   "back at once instead of waiting for the session timeout.")
@click.option("--batch-records", default=50_000, show_default=True, type=int,
              help="Land a partition's batch after this many records …")
@click.option("--batch-seconds", default=5.0, show_default=True, type=float, help="… or after this long.")
@click.pass_context
def ingest(ctx: click.Context, sources: str, group: str, follow: bool, progress: bool | None,
           instance_id: str | None, batch_records: int, batch_seconds: float) -> None:
    """Land source topics exactly once into the Parquet landing zone."""
    if ctx.invoked_subcommand is not None:
        return
    from ingestors.consumer import BatchLimits, Ingestor

    chosen = _chosen_sources(sources)
    if not _broker_answers():
        raise click.ClickException("the Kafka broker is down: run `jixiao kafka start` first")
    limits = BatchLimits(records=batch_records, seconds=batch_seconds)
    member = Ingestor(chosen, group, limits=limits, **({"group_instance_id": instance_id} if instance_id else {}))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: member.stop())
    stats = member.run(follow=follow, console=console,
                                        progress=console.is_terminal if progress is None else progress)
    reasons = ", ".join(f"{r} {n:,}" for r, n in sorted(stats.per_reason.items())) or "none"
    console.print(f"consumed {stats.consumed:,} · landed {stats.landed:,} · dead letters {stats.dead:,} "
                  f"({reasons}) · duplicates {stats.duplicates:,} in {stats.seconds:.1f}s ({stats.rate:,.0f}/s)")


def _broker_answers() -> bool:
    """True when a broker (possibly not started by this checkout) listens on the configured port."""
    import socket

    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", settings().kafka_port)) == 0


@ingest.command("status")
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
def ingest_status(sources: str) -> None:
    """Lag per partition (end offset − landed offset), landed/dead/duplicate counts and rates, dead letters."""
    from rich.table import Table

    from ingestors.status import dead_letters_by_reason, partition_status

    cfg = settings()
    rows = partition_status(cfg, [contracts.topic(s) for s in _chosen_sources(sources)])
    table = Table(title="landing zone against the broker", title_justify="left")
    for column in ("topic", "part", "end", "landed to", "lag", "landed", "dead", "dup", "dead %", "dup %",
                   "events/s"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for row in rows:
        share = (lambda n: f"{100 * n / row.consumed:.2f}") if row.consumed else (lambda n: "-")
        table.add_row(row.topic, str(row.partition), f"{row.end_offset:,}", f"{row.landed_offset:,}",
                      f"{row.lag:,}", f"{row.landed:,}", f"{row.dead:,}", f"{row.duplicates:,}",
                      share(row.dead), share(row.duplicates), f"{row.events_per_second:,.0f}")
    console.print(table)
    console.print(f"total lag {sum(r.lag for r in rows):,} · landed {sum(r.landed for r in rows):,} · "
                  f"dead {sum(r.dead for r in rows):,} · duplicates {sum(r.duplicates for r in rows):,}")
    dead = dead_letters_by_reason(cfg)
    if dead:
        reasons = Table(title="dead letters by reason", title_justify="left")
        for column in ("topic", "reason", "count"):
            reasons.add_column(column)
        for (topic, reason), count in sorted(dead.items()):
            reasons.add_row(topic, reason, f"{count:,}")
        console.print(reasons)


@main.command()
def build() -> None:
    """Build the warehouse with dbt into a new file and publish it atomically."""
    from jixiao.warehouse import BuildError, build as run

    from rich.text import Text

    nodes: list[str] = []

    def show(line: str) -> None:
        nodes.append(line)
        console.print(Text.from_ansi(line))

    try:
        result = run(on_node=show)
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    console.print(f"published {result.warehouse}: {len(nodes)} dbt nodes built and tested, "
                  f"{len(result.marts)} marts exported to Parquet, in {result.seconds:.1f}s")


@main.command()
def check() -> None:
    """Run the Great Expectations suites on the published warehouse; exit 1 on a blocking failure."""
    from expectations.checks import run_checks

    report = run_checks()
    for result in report.results:
        mark = "[green]pass[/]" if result.success else f"[red]fail ({result.severity})[/]"
        console.print(f"{mark} {result.suite} on {result.table}")
        for failure in result.failures:
            console.print(f"    {failure['expectation']} {failure['kwargs']}: "
                          f"{failure['unexpected_count']} unexpected, e.g. {failure['examples']}")
    if report.blocking_failures:
        sys.exit(1)


@main.command()
def report() -> None:
    """Render the HTML reports from the published warehouse."""
    from reports.render import render_index

    console.print(f"wrote {render_index()}")


@main.command()
@click.option("--scale", default="S", show_default=True, type=click.Choice(["XS", "S", "M", "L"]))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--keep-kafka", is_flag=True, help="Leave the broker running afterwards.")
def demo(scale: str, seed: int, keep_kafka: bool) -> None:
    """Run the main job end to end on a fresh simulated province."""
    from jixiao.orchestration import DagRunFailed
    from jixiao.pipeline import demo as run

    try:
        result = run(scale=scale, seed=seed, keep_kafka=keep_kafka)
    except DagRunFailed as error:
        raise click.ClickException(str(error)) from None
    cfg = settings()
    failed = sum(not r["success"] for r in result.checks)
    console.print(f"checks: {len(result.checks) - failed} suites passed, {failed} failed (non-blocking)")
    console.print(f"Airflow run log: {result.dag_log}")
    console.print(f"[bold green]demo done[/]: produced {sum(result.produced.values()):,} events, "
                  f"landed {result.ingest.landed:,}, dead letters {result.ingest.dead:,}")
    console.print(f"warehouse: {cfg.warehouse_path}\nmarts (Parquet): {cfg.marts_dir}\n"
                  f"report: {cfg.reports_dir / 'index.html'}")
    console.print(kafka_local.status(cfg).describe())


main.add_command(score_command)

if __name__ == "__main__":
    main()
