"""``jixiao simulate``: the province's 11 source systems into Kafka or JSON-lines files."""
from __future__ import annotations

from pathlib import Path

import click

from jixiao.cli.common import console, require_broker
from jixiao.runtime.config import settings


@click.command()
@click.option("--scale", default="S", show_default=True, type=click.Choice(["XS", "S", "M", "L"]),
              help="XS tests, S ≈ 100k events a year (CI), M ≈ 10M, L ≈ 100M.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--start", default="2026-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--months", default=12, show_default=True, type=int)
@click.option("--to", "to", default="kafka", show_default=True, type=click.Choice(["kafka", "jsonl"]),
              help="kafka: the source topics; jsonl: one <topic>.jsonl file per source in DIR.")
@click.option("--variant", default=None, help="A named harder world, e.g. hard_procurement (simulator/config/variants/).")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def simulate(scale: str, seed: int, start: str, months: int, to: str, variant: str | None,
             directory: Path | None) -> None:
    """Simulate the province's source systems into Kafka, or with ``--to jsonl DIR`` into JSON-lines files.

    The evaluation truth goes to $JX_HOME/simulator/ (for evaluation code only).
    """
    from jixiao.simulator.run import simulate as run
    from jixiao.simulator.sinks import JsonlSink, KafkaSink

    cfg = settings()
    if to == "jsonl":
        if directory is None:
            raise click.UsageError("--to jsonl needs a DIR: jixiao simulate --to jsonl DIR")
        sink = JsonlSink(directory)
    else:
        if directory is not None:
            raise click.UsageError("DIR is only for --to jsonl")
        require_broker(cfg)
        sink = KafkaSink(cfg)
    try:
        written = run(sink, scale=scale, seed=seed, start=start, months=months, variant=variant)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console.print(f"wrote {sum(written.values()):,} messages: {written}")


COMMANDS = [simulate]
