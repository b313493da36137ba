"""``jixiao train``: retrain the learned models from the published warehouse (the retraining DAG calls the same)."""
from __future__ import annotations

import click

from jixiao.cli.common import console, require_warehouse


@click.command()
@click.option("--model", "names", multiple=True,
              help="Retrain only this model (repeatable): integrity, sentiment, ticket_topic, ticket_routing, lagging.")
def train(names: tuple[str, ...]) -> None:
    """Retrain the models (all by default) into candidates behind their metric gates; a candidate that passes is
    promoted ($JX_HOME/models/<name>/current.json) and the next build scores with it."""
    from jixiao.models.registry import train as run

    cfg = require_warehouse()

    def show(name: str, decision) -> None:
        if decision is None:
            console.print(f"[yellow]–[/] {name}: not enough data to train yet (skipped)")
        elif decision.passed:
            console.print(f"[green]✓[/] {name} {decision.version} promoted")
        else:
            console.print(f"[red]✗[/] {name} {decision.version} kept out by its gate: {'; '.join(decision.reasons)}")

    try:
        run(names or None, cfg, on_model=show)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


COMMANDS = [train]
