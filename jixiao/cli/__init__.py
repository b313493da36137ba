"""The ``jixiao`` command line: the top of the stack. One module per command group; nothing imports this package."""
from __future__ import annotations

import click

from jixiao.cli import airflow, alerts, demo, evaluate, ingest, kafka, ledger, report, review, run, score, simulate, sql, train, warehouse


@click.group()
def main() -> None:
    """jixiao 绩效数据中台 — performance data platform."""


for module in (kafka, simulate, ingest, warehouse, report, sql, demo, evaluate, score, ledger, review, airflow, alerts, train, run):
    for command in module.COMMANDS:
        main.add_command(command)
