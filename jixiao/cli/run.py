"""``jixiao run``: continuous mode — the ingestor plus a micro-batch build loop (``jixiao.continuous``)."""
from __future__ import annotations

import signal
import sys

import click

from jixiao.cli.common import console, require_broker
from jixiao.cli.ingest import chosen_sources
from jixiao.runtime.config import settings


@click.command()
@click.option("--follow/--once", default=False, show_default=True,
              help="Keep ingesting and rebuild whenever the landing zone moved, or ingest until caught up and "
                   "build once.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between two looks at the landing zone (and after each build).")
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
@click.option("--group", default="jx-ingest", show_default=True, help="Consumer group id of the ingestor.")
@click.option("--batch-seconds", default=5.0, show_default=True, type=float,
              help="The ingestor commits a partition's open batch after this long.")
@click.option("--steps", is_flag=True, help="Show every build step and dbt's lines, not only one line per build.")
def run(follow: bool, interval: float, sources: str, group: str, batch_seconds: float, steps: bool) -> None:
    """Ingest and keep the published warehouse fresh: every INTERVAL seconds, when new batches were committed to
    the landing zone since the last published build, run the build (ledger, dbt, closes, alerts, checks as the
    gate, publish, reports) and print one line per build.

    Each build is a full `jixiao build` (only the staging models are incremental), not a rebuild of just what the
    new files touch: expect a build's duration as the floor of freshness. A build that fails is reported, the
    last publish stays and the next landing change retries. SIGTERM or Ctrl-C: no new build starts, the ingestor
    lands what it holds and leaves the group, a running build finishes, exit 0.
    """
    from jixiao.continuous import Follower

    cfg = settings()
    chosen = chosen_sources(sources)
    require_broker(cfg)
    follower = Follower(cfg, chosen, group, interval, batch_seconds, console, steps)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: follower.stop())
    mode = f"following, a look every {interval:g} s" if follow else "until caught up, then one build"
    console.print(f"jixiao run: ingesting {len(chosen)} sources as group {group!r}, {mode}; stop with Ctrl-C or "
                  "SIGTERM", markup=False, soft_wrap=True)
    summary = follower.run(follow=follow)
    console.print(summary.describe(), markup=False, highlight=False, soft_wrap=True)
    if summary.problem or summary.ingestor_exit:
        sys.exit(1)
    if not follow and summary.cycles and not summary.cycles[-1].published:
        sys.exit(1)


COMMANDS = [run]
