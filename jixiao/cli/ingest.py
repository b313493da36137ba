"""``jixiao ingest [status]``: land source topics exactly once into the Parquet landing zone."""
from __future__ import annotations

import signal

import click

from jixiao import contracts
from jixiao.cli.common import console, require_broker
from jixiao.runtime.config import settings


def chosen_sources(sources: str) -> list[str]:
    chosen = list(contracts.SOURCES) if sources == "all" else [s.strip() for s in sources.split(",")]
    unknown = sorted(set(chosen) - set(contracts.SOURCES))
    if unknown:
        raise click.UsageError(f"unknown sources {unknown}; known: {', '.join(contracts.SOURCES)}")
    return chosen


@click.group(invoke_without_command=True)
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
@click.option("--group", default="jx-ingest", show_default=True, help="Consumer group id.")
@click.option("--follow/--until-caught-up", default=False, show_default=True,
              help="Keep consuming, or stop once the group has landed every partition up to its end.")
@click.option("--progress/--no-progress", default=None,
              help="Per-partition progress and lag on the console (default: when it is a terminal).")
@click.option("--instance-id", default=None,
              help="Static group membership (KIP-345): a restarted member with the same id takes its partitions "
                   "back at once instead of waiting for the session timeout.")
@click.option("--batch-records", default=50_000, show_default=True, type=int,
              help="Land a partition's batch after this many records …")
@click.option("--batch-seconds", default=5.0, show_default=True, type=float, help="… or after this long.")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Landing worker processes of this member (default: one per core).")
@click.pass_context
def ingest(ctx: click.Context, sources: str, group: str, follow: bool, progress: bool | None,
           instance_id: str | None, batch_records: int, batch_seconds: float, workers: int | None) -> None:
    """Land source topics exactly once into the Parquet landing zone."""
    if ctx.invoked_subcommand is not None:
        return
    from jixiao.ingestors.consumer import BatchLimits, Ingestor

    chosen = chosen_sources(sources)
    require_broker()
    limits = BatchLimits(records=batch_records, seconds=batch_seconds)
    member = Ingestor(chosen, group, limits=limits, workers=workers,
                      **({"group_instance_id": instance_id} if instance_id else {}))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: member.stop())
    stats = member.run(follow=follow, console=console,
                       progress=console.is_terminal if progress is None else progress)
    reasons = ", ".join(f"{r} {n:,}" for r, n in sorted(stats.per_reason.items())) or "none"
    console.print(f"consumed {stats.consumed:,} · landed {stats.landed:,} · dead letters {stats.dead:,} "
                  f"({reasons}) · duplicates {stats.duplicates:,} in {stats.seconds:.1f}s ({stats.rate:,.0f}/s)")


@ingest.command("status")
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
def ingest_status(sources: str) -> None:
    """Lag per partition (end offset − landed offset), landed/dead/duplicate counts and rates, dead letters."""
    from rich.table import Table

    from jixiao.ingestors.status import dead_letters_by_reason, partition_status, quarantined_by_reason

    cfg = settings()
    chosen = chosen_sources(sources)
    require_broker(cfg)
    rows = partition_status(cfg, [contracts.topic(s) for s in chosen])
    table = Table(title="landing zone against the broker", title_justify="left")
    for column in ("topic", "part", "end", "landed to", "lag", "landed", "dead", "dup", "dead %", "dup %",
                   "events/s"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for row in rows:
        share = (lambda n: f"{100 * n / row.consumed:.2f}") if row.consumed else (lambda n: "-")
        table.add_row(row.topic, str(row.partition), f"{row.end_offset:,}", f"{row.landed_offset:,}",
                      f"{row.lag:,}", f"{row.landed:,}", f"{row.dead:,}", f"{row.duplicates:,}",
                      share(row.dead), share(row.duplicates), f"{row.events_per_second:,.0f}")
    console.print(table)
    console.print(f"total lag {sum(r.lag for r in rows):,} · landed {sum(r.landed for r in rows):,} · "
                  f"dead {sum(r.dead for r in rows):,} · duplicates {sum(r.duplicates for r in rows):,}")
    _print_counts("dead letters by reason", "topic", dead_letters_by_reason(cfg))
    held = quarantined_by_reason(cfg)
    if held is None:
        console.print("quarantine: no published warehouse yet (run `jixiao build`)")
    else:
        console.print(f"quarantined (landed, held out of the marts until their reference data exists; "
                      f"marts.fct_quarantined_record): {sum(held.values()):,}")
        _print_counts("quarantined records by reason (published warehouse)", "source", held)


def _print_counts(title: str, owner: str, counts) -> None:
    """A table of (owner, reason) → count, when there is any."""
    from rich.table import Table

    if not counts:
        return
    table = Table(title=title, title_justify="left")
    for column in (owner, "reason", "count"):
        table.add_column(column)
    for (name, reason), count in sorted(counts.items()):
        table.add_row(name, reason, f"{count:,}")
    console.print(table)


@ingest.command("compact")
@click.option("--sources", default="all", show_default=True, help="Comma-separated sources, or all.")
@click.option("--max-rows", default=1_000_000, show_default=True, type=int,
              help="Largest number of landed rows merged into one run of batches.")
def ingest_compact(sources: str, max_rows: int) -> None:
    """Merge small committed batches (files and commit markers) of every partition; safe beside a running ingestor."""
    from jixiao.ingestors.landing import LandingZone

    chosen = {contracts.topic(s) for s in chosen_sources(sources)}
    zone = LandingZone(settings())
    results = [zone.compact(topic, partition, max_rows) for topic, partition in zone.partitions() if topic in chosen]
    console.print(f"compacted {sum(r.runs for r in results):,} runs in {len(results)} partitions: markers "
                  f"{sum(r.markers_before for r in results):,} → {sum(r.markers_after for r in results):,}, files "
                  f"{sum(r.files_before for r in results):,} → {sum(r.files_after for r in results):,}")


COMMANDS = [ingest]
