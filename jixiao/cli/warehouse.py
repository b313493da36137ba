"""``jixiao build | check | report``: the warehouse after the landing zone."""
from __future__ import annotations

import sys

import click
from rich.text import Text

from jixiao.cli.common import console, require_warehouse


@click.command()
def build() -> None:
    """Build the warehouse with dbt into a new file and publish it atomically."""
    from jixiao.warehouse import BuildError, build as run

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


@click.command()
def check() -> None:
    """Run the Great Expectations suites on the published warehouse; exit 1 on a blocking failure."""
    from jixiao.expectations.checks import run_checks

    report = run_checks(require_warehouse())
    for result in report.results:
        mark = "[green]pass[/]" if result.success else f"[red]fail ({result.severity})[/]"
        console.print(f"{mark} {result.suite} on {result.table}")
        for failure in result.failures:
            console.print(f"    {failure['expectation']} {failure['kwargs']}: "
                          f"{failure['unexpected_count']} unexpected, e.g. {failure['examples']}")
    if report.blocking_failures:
        sys.exit(1)


@click.command()
def report() -> None:
    """Render the HTML reports from the published warehouse."""
    from jixiao.reports.render import render_index

    console.print(f"wrote {render_index(require_warehouse())}")


COMMANDS = [build, check, report]
