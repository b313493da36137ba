"""The ``jixiao`` command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

import contracts
from jixiao import kafka_local
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


@kafka.command("status")
def kafka_status() -> None:
    """Say whether the broker is up; exit code 0 when up, 3 when down."""
    state = kafka_local.status()
    console.print(state.describe())
    sys.exit(0 if state.running else 3)


@main.command()
@click.option("--scale", default="S", show_default=True, type=click.Choice(["XS", "S", "M", "L"]))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--start", default="2026-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--months", default=12, show_default=True, type=int)
@click.option("--to", "to", default="kafka", show_default=True, type=click.Choice(["kafka", "jsonl"]))
@click.option("--out", type=click.Path(path_type=Path), help="Folder for --to jsonl.")
def simulate(scale: str, seed: int, start: str, months: int, to: str, out: Path | None) -> None:
    """Simulate the province's source systems into Kafka (or JSON-lines files)."""
    from simulator.run import simulate as run
    from simulator.sinks import JsonlSink, KafkaSink

    cfg = settings()
    if to == "jsonl":
        if out is None:
            raise click.UsageError("--to jsonl needs --out DIR")
        sink = JsonlSink(out)
    else:
        if not kafka_local.status(cfg).running:
            raise click.ClickException("the Kafka broker is down: run `jixiao kafka start` first")
        sink = KafkaSink(cfg)
    written = run(sink, scale=scale, seed=seed, start=start, months=months,
                  truth_path=cfg.simulator_dir / "ground_truth.json")
    console.print(f"wrote {sum(written.values()):,} events: {written}")


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
