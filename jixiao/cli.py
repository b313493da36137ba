"""The ``jixiao`` command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

import contracts
from jixiao import kafka_local
from jixiao.config import settings

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


@main.group(invoke_without_command=True)
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
@click.option("--group", default="jx-ingest", show_default=True, help="Consumer group id.")
@click.option("--follow/--until-caught-up", default=False, show_default=True,
              help="Keep consuming, or stop once caught up with the end of every partition.")
@click.pass_context
def ingest(ctx: click.Context, sources: str, group: str, follow: bool) -> None:
    """Land source topics exactly once into the Parquet landing zone."""
    if ctx.invoked_subcommand is not None:
        return
    from ingestors.consumer import ingest as run

    chosen = list(contracts.SOURCES) if sources == "all" else [s.strip() for s in sources.split(",")]
    unknown = sorted(set(chosen) - set(contracts.SOURCES))
    if unknown:
        raise click.UsageError(f"unknown sources {unknown}; known: {', '.join(contracts.SOURCES)}")
    stats = run(chosen, group=group, follow=follow)
    console.print(f"consumed {stats.consumed:,} · landed {stats.landed:,} · dead letters {stats.dead:,} · "
                  f"duplicates {stats.duplicates:,} in {stats.seconds:.1f}s ({stats.rate:,.0f}/s)")


@main.command()
def build() -> None:
    """Build the warehouse with dbt into a new file and publish it atomically."""
    from jixiao.warehouse import BuildError, build as run

    try:
        result = run()
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    console.print(f"published {result.warehouse} ({len(result.marts)} marts) in {result.seconds:.1f}s")


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
    from jixiao.pipeline import demo as run

    result = run(scale=scale, seed=seed, keep_kafka=keep_kafka)
    cfg = settings()
    console.print(f"[bold green]demo done[/]: produced {sum(result.produced.values()):,} events, "
                  f"landed {result.ingest.landed:,}, dead letters {result.ingest.dead:,}")
    console.print(f"warehouse: {cfg.warehouse_path}\nmarts (Parquet): {cfg.marts_dir}\nreport: {result.report}")
    console.print(kafka_local.status(cfg).describe())


if __name__ == "__main__":
    main()
