"""``jixiao sql``: a read-only SQL shell on the published warehouse (the DuckDB CLI cannot open DuckDB 2.0 files)."""
from __future__ import annotations

import csv
import sys

import click
import duckdb
from rich.table import Table

from jixiao.cli.common import console, require_warehouse

MART_LIST = ("select table_schema || '.' || table_name as mart, estimated_size as rows from duckdb_tables() "
             "where schema_name = 'marts' order by 1")


@click.command()
@click.argument("query", required=False)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (header + rows) instead of a table.")
@click.option("--max-rows", default=200, show_default=True, help="Rows shown in a table (CSV prints all).")
@click.option("--url", is_flag=True, help="Print the read-only SQLAlchemy URL and the Parquet folder, then exit.")
def sql(query: str | None, as_csv: bool, max_rows: int, url: bool) -> None:
    """Run QUERY read-only on the published warehouse; without QUERY read SQL from stdin, or a prompt.

    At the prompt end a statement with `;`; `.tables` lists the marts, `.quit` (or Ctrl-D) leaves.
    """
    from jixiao.reports.access import run_read_only, sqlalchemy_url

    cfg = require_warehouse()
    if url:
        click.echo(f"SQLAlchemy: {sqlalchemy_url(cfg)}\nParquet marts: {cfg.marts_dir}/*.parquet")
        return

    def run(text: str) -> None:
        try:
            columns, rows = run_read_only(text, cfg)
        except duckdb.Error as error:
            raise click.ClickException(str(error).splitlines()[0]) from None
        _print(columns, rows, as_csv, max_rows)

    if query:
        run(query)
    elif not sys.stdin.isatty():
        run(sys.stdin.read())
    else:
        _prompt(run)


def _prompt(run) -> None:
    import readline  # noqa: F401 - line editing and history at the prompt

    console.print("jixiao sql — read-only on the published warehouse; `.tables`, `.quit`; end statements with ;")
    buffer: list[str] = []
    while True:
        try:
            line = input("jixiao> " if not buffer else "   ...> ")
        except EOFError:
            break
        if not buffer and line.strip() in (".quit", ".exit"):
            break
        if not buffer and line.strip() == ".tables":
            run(MART_LIST)
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            try:
                run("\n".join(buffer))
            except click.ClickException as error:
                console.print(f"[red]{error.message}[/]", highlight=False)
            buffer = []


def _print(columns: list[str], rows: list[tuple], as_csv: bool, max_rows: int) -> None:
    if not columns:
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns)
    for row in rows[:max_rows]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table)
    console.print(f"{len(rows):,} rows" + (f" ({max_rows} shown)" if len(rows) > max_rows else ""))


COMMANDS = [sql]
