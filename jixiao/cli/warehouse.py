"""``jixiao build | check``: the warehouse after the landing zone."""
from __future__ import annotations

import sys

import click
from jixiao.cli.common import console, require_warehouse


@click.command()
@click.option("--nodes", is_flag=True, help="Print dbt's line for every model, seed and test.")
def build(nodes: bool) -> None:
    """Build a candidate warehouse (dbt → docs → checks), publish it atomically, render the reports."""
    from jixiao.pipeline import ChecksFailed, Progress, build as run
    from jixiao.warehouse import BuildError, BuildInProgress

    try:
        summary = run(progress=Progress(console, nodes=nodes))
    except (BuildError, ChecksFailed, BuildInProgress) as error:
        raise click.ClickException(str(error)) from None
    published = summary.steps["publish"]
    console.print(f"published {published['warehouse']}: {summary.steps['dbt']['nodes']} dbt nodes, "
                  f"{len(published['marts'])} marts exported to Parquet, in {summary.total_seconds:.1f} s")


@click.command()
def check() -> None:
    """Run the Great Expectations suites on the published warehouse; exit 1 on a blocking failure."""
    from jixiao.expectations.checks import run_checks

    report = run_checks(require_warehouse())
    for result in report.results:
        mark = "[green]pass[/]" if result.success else ("[red]fail[/]" if result.blocking else "[yellow]warn[/]")
        console.print(f"{mark} {result.suite} on {result.table}")
        for failure in result.failures:
            console.print(f"    ({failure['severity']}) {failure['expectation']} {failure['kwargs']}: "
                          f"{failure['unexpected_count']} unexpected, e.g. {failure['examples']}")
    console.print(f"Data Docs: {report.docs}")
    if report.blocking_failures:
        sys.exit(1)


COMMANDS = [build, check]
