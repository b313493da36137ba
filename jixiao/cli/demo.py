"""``jixiao demo``: the main job end to end on a fresh simulated province."""
from __future__ import annotations

import click

from jixiao.cli.common import console
from jixiao.runtime import kafka_local
from jixiao.runtime.config import settings


@click.command()
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
    console.print(f"Airflow run of jixiao_pipeline: {result.dag_seconds:.1f} s "
                  f"(task logs in {cfg.home / 'airflow' / 'logs'})")
    failed = sum(not r["success"] for r in result.checks)
    console.print(f"checks: {len(result.checks) - failed} suites passed, {failed} failed (non-blocking)")
    console.print(f"[bold green]demo done[/]: produced {sum(result.produced.values()):,} events, "
                  f"landed {result.ingest.landed:,}, dead letters {result.ingest.dead:,}")
    console.print(f"warehouse: {cfg.warehouse_path}\nmarts (Parquet): {cfg.marts_dir}\n"
                  f"report: {cfg.reports_dir / 'index.html'}")
    extras = result.reports
    if extras.skipped:
        console.print(f"[yellow]PDFs and browser check skipped[/]: {extras.skipped}")
    else:
        console.print(f"PDFs (组织健康度诊断): {len(extras.pdfs)} in {cfg.reports_dir / 'pdf'}")
        for page in extras.checks:
            problems = "; ".join(page.problems()) or "ok"
            console.print(f"browser check {page.url}: {problems} — screenshot {page.screenshot}", highlight=False)
    console.print(kafka_local.status(cfg).describe())


COMMANDS = [demo]
