"""``jixiao evaluate``: validity figures against the simulator's planted truth (evaluation only)."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from jixiao.cli.common import console, require_warehouse


@click.command()
@click.option("--truth", "truth_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The simulator's truth file (default: the one `jixiao simulate` wrote under $JX_HOME/simulator/).")
def evaluate(truth_path: Path | None) -> None:
    """Print how well rules, scores and models recover the simulator's planted truth; write them as JSON."""
    from jixiao.evaluation.run import evaluate as run, truth_file

    cfg = require_warehouse()
    if truth_path is None and not truth_file(cfg).exists():
        raise click.ClickException(f"no simulator truth at {truth_file(cfg)}: run `jixiao simulate` (or `make demo`) "
                                   "first, or pass --truth FILE")
    sections = run(cfg, truth_path)
    for section in sections:
        table = Table(title=section.title, title_justify="left")
        for column in ("figure", "value", "aim", "met", "note"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for figure in section.figures:
            value = f"{figure.value:.3f}" if isinstance(figure.value, float) else str(figure.value)
            met = {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[figure.met]
            table.add_row(figure.name, value, figure.aim or "", met, figure.note)
        console.print(table)
    console.print(f"written to {cfg.home / 'evaluation' / 'results.json'}")


COMMANDS = [evaluate]
