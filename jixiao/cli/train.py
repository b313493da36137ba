"""``jixiao train``: retrain the learned models from the published warehouse (the retraining DAG calls the same)."""
from __future__ import annotations

import json

import click

from jixiao.cli.common import console, require_warehouse


@click.command()
@click.option("--model", "names", multiple=True,
              help="Retrain only this model (repeatable): integrity, sentiment, ticket_topic, ticket_routing, lagging.")
def train(names: tuple[str, ...]) -> None:
    """Retrain the models (all by default) into $JX_HOME/models/<name>/v<N>; the next build scores with them."""
    from jixiao.models.registry import train as run

    cfg = require_warehouse()

    def show(name: str, artefact) -> None:
        if artefact is None:
            console.print(f"[yellow]–[/] {name}: not enough data to train yet (skipped)")
            return
        console.print(f"[green]✓[/] {name} v{artefact.version} [dim]({artefact.meta['training_seconds']:.1f} s)[/] "
                      f"{json.dumps(artefact.meta['metrics'], ensure_ascii=False)}")

    try:
        run(names or None, cfg, on_model=show)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


COMMANDS = [train]
