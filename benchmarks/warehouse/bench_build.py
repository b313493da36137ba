"""Warehouse build time: a full ``jixiao build`` at a given scale, then a build after one more day, then a full
build again from the landing zone with the models already trained (the first build trains five models on first
use), per step, against a floor measured in the same run.

    jixiao simulate --scale M --months 13 --to jsonl DIR     # 12 months + the month the extra day comes from
    python benchmarks/warehouse/bench_build.py DIR --months 12
    python benchmarks/warehouse/bench_build.py DIR --full-only                # the first full build alone
    python benchmarks/warehouse/bench_build.py HOME/landing                   # a landing zone (e.g. bench_endtoend --home HOME):
                                                                              # copied, then the first full build alone

The floor is one hand-written DuckDB pass over the landing zone that does what any computation of the indicator
values must at least do: read every landed event, parse its JSON payload, drop duplicate event ids and aggregate
per source × department × business month × event type (counts, distinct subjects, sums and averages of the
numeric payload fields). It does not compute the 41 catalogue indicators themselves, so it is a lower bound.

The simulated JSON lines are checked with the ingestor's validator (malformed ones dropped, as the
dead-letter store would take them) and their free text masked as the ingestor masks it, then landed with
DuckDB's bulk JSON reader straight into the landing-zone layout (``source=/dt=/*.parquet``, the landing
columns): this times dbt, not the ingestor (``benchmarks/ingest`` measures that). Duplicates stay in and are removed by the
staging models as in production. Everything is written under a temporary JX_HOME.

The months land into each source's partition 0 as a running platform lands them: offsets in the order of
occurrence, one batch (one ``ingested_at``) per business day, the last a day before the extra day's batch, whose
offsets follow theirs. The extra day's build stages the rows past the offsets it holds and the last batch it read
again (``landing_events``): the day, and the day before.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import click
import duckdb
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jixiao import contracts  # noqa: E402
from jixiao.ingestors.masking import mask_text  # noqa: E402
from jixiao.ingestors.validate import Rejected, decode  # noqa: E402
from jixiao.runtime.config import settings  # noqa: E402

COLUMNS = ("{event_id: 'VARCHAR', source: 'VARCHAR', event_type: 'VARCHAR', occurred_at: 'TIMESTAMPTZ', "
           "dept_code: 'VARCHAR', schema_version: 'SMALLINT', payload: 'JSON'}")


def land(jsonl_dir: Path, landing: Path, first_day: date, end_day: date, batch: str, landed_hours_ago: int,
         first_offsets: dict[str, int] | None = None) -> dict[str, int]:
    """Land the events with business date in [first_day, end_day), each source's offsets from ``first_offsets``
    (else 0) on in the order of occurrence, as one batch per business date: the last one's ``ingested_at``
    ``landed_hours_ago`` hours back, each earlier one a day before the next; return the rows landed per source."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'Asia/Shanghai'")
    con.execute(f"""
        create temp table events as
        select *, occurred_at::date as dt
        from read_json('{jsonl_dir}/*.jsonl', format = 'newline_delimited', columns = {COLUMNS},
                       ignore_errors = true, maximum_object_size = 1048576)
        where event_id is not null and occurred_at is not null
          and occurred_at::date >= date '{first_day}' and occurred_at::date < date '{end_day}'
    """)
    con.execute("create temp table first_offsets (source varchar, first_offset bigint)")
    if first_offsets:
        con.executemany("insert into first_offsets values (?, ?)", list(first_offsets.items()))
    con.execute(f"""
        copy (
            select event_id, event_type, occurred_at, dept_code, schema_version, payload::varchar as payload,
                   []::varchar[] as person_keys, 'jx.src.' || source || '.v1' as kafka_topic, 0 as kafka_partition,
                   coalesce(first_offset, 0) + row_number() over (partition by source order by occurred_at, event_id)
                       - 1 as kafka_offset,
                   occurred_at as kafka_timestamp,
                   now() - interval ({landed_hours_ago}) hour
                       - to_days(date_diff('day', dt, date '{end_day}') - 1) as ingested_at,
                   null::bigint as content_hash, source, strftime(dt, '%Y-%m-%d') as dt
            from events left join first_offsets using (source)
        ) to '{landing}' (format parquet, partition_by (source, dt), filename_pattern '{batch}_{{i}}',
                         overwrite_or_ignore true, compression zstd)
    """)
    rows = dict(con.execute("select source, count(*) from events group by source").fetchall())
    con.close()
    return rows


FLOOR = """
with events as (
    select distinct on (event_id) source, dept_code, event_type, event_id,
           date_trunc('month', timezone('Asia/Shanghai', occurred_at)) as month, payload::json as payload
    from read_parquet('{landing}/source=*/dt=*/*.parquet', hive_partitioning = true)
)
select source, dept_code, month, event_type, count(*) as events,
       count(distinct coalesce(payload ->> '$.ticket_id', payload ->> '$.case_id', payload ->> '$.project_id',
                               payload ->> '$.tender_id', payload ->> '$.application_id', event_id)) as subjects,
       sum(try_cast(payload ->> '$.amount' as double)) as amount,
       avg(try_cast(payload ->> '$.score' as double)) as score,
       avg(try_cast(payload ->> '$.rating' as double)) as rating,
       avg(try_cast(payload ->> '$.value' as double)) as reported_value
from events group by all
"""


def floor_seconds(landing: Path) -> tuple[float, int]:
    """The hand-written floor pass (see the module docstring): seconds and result rows."""
    started = time.monotonic()
    with duckdb.connect() as con:
        rows = con.execute(f"select count(*) from ({FLOOR.format(landing=landing)})").fetchone()[0]
    return time.monotonic() - started, rows


def keep_valid(jsonl_dir: Path, out_dir: Path) -> tuple[int, int]:
    """Write the lines that pass the contracts into ``out_dir``, their personal data in free text masked as the
    ingestor masks it; return (kept, rejected). Unmasked, every text naming a person is distinct, and the text
    models' inference, which works on distinct texts, takes many times longer than on landed data (at M, the
    routing node 436 s instead of about 25 s)."""
    out_dir.mkdir(parents=True)
    kept = rejected = 0
    for path in sorted(jsonl_dir.glob("*.jsonl")):
        source = contracts.source_of_topic(path.stem)
        with open(path, "rb") as lines, open(out_dir / path.name, "wb") as valid:
            for line in lines:
                try:
                    event = decode(line.rstrip(b"\n"), source)
                except Rejected:
                    rejected += 1
                    continue
                masked = False
                for name in contracts.pii_text_fields(source, event["event_type"]):
                    if event["payload"].get(name):
                        event["payload"][name] = mask_text(event["payload"][name])[0]
                        masked = True
                valid.write(orjson.dumps(event) + b"\n" if masked else line)
                kept += 1
    return kept, rejected


@click.command()
@click.argument("jsonl_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--start", default="2026-01", show_default=True, help="First simulated month, YYYY-MM.")
@click.option("--months", default=12, show_default=True, help="Months in the full build; the day after is the increment.")
@click.option("--full-only", is_flag=True, help="Only the first full build and the floor (always so from a landing zone).")
def main(jsonl_dir: Path, start: str, months: int, full_only: bool) -> None:
    from jixiao.pipeline import build

    year, month = map(int, start.split("-"))
    first = date(year, month, 1)
    end = date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1)
    home = Path(tempfile.mkdtemp(prefix="jx-bench-build-"))
    os.environ["JX_HOME"] = str(home)
    cfg = settings()
    if any(jsonl_dir.glob("source=*")):
        shutil.copytree(jsonl_dir, cfg.landing_dir)
        with duckdb.connect() as con:
            rows = con.execute(f"select count(*) from read_parquet('{cfg.landing_dir}/source=*/dt=*/*.parquet')").fetchone()[0]
        print(f"copied the landing zone {jsonl_dir}: {rows:,} landed rows")
        full_only = True
    else:
        started = time.monotonic()
        kept, rejected = keep_valid(jsonl_dir, home / "valid")
        jsonl_dir = home / "valid"
        history = land(jsonl_dir, cfg.landing_dir, first, end, "full", landed_hours_ago=24)
        rows = sum(history.values())
        print(f"validated {kept + rejected:,} lines ({rejected:,} malformed dropped); landed {rows:,} events "
              f"({first} – {end}) in {time.monotonic() - started:.0f}s (bulk, not the ingestor)")
    full = build(cfg)
    floor_full, floor_rows = floor_seconds(cfg.landing_dir)
    builds = {"full": full}
    if not full_only:
        one_more_day = date.fromordinal(end.toordinal() + 1)
        extra = sum(land(jsonl_dir, cfg.landing_dir, end, one_more_day, "day", landed_hours_ago=0,
                         first_offsets=history).values())
        builds["+1 day"] = build(cfg)
        shutil.rmtree(cfg.warehouse_dir)  # every model again from the landing zone; the trained models stay
        builds["rebuilt"] = build(cfg)
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        facts = con.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    size_mb = cfg.warehouse_path.stat().st_size / 2**20
    print(f"{'step':<16}" + "".join(f"{name:>9}" for name in builds))
    for step in full.seconds:
        print(f"{step:<16}" + "".join(f"{b.seconds.get(step, 0.0):>8.1f}s" for b in builds.values()))
    print(f"{'total':<16}" + "".join(f"{b.total_seconds:>8.1f}s" for b in builds.values()))
    print(f"full build          : {full.total_seconds:7.1f}s  ({rows / full.total_seconds:,.0f} events/s; "
          f"{facts:,} indicator values; warehouse {size_mb:,.0f} MiB)")
    print(f"floor (one SQL pass): {floor_full:7.1f}s  ({floor_rows:,} aggregate rows)  → full / floor "
          f"{full.total_seconds / floor_full:.1f}×, dbt / floor {full.seconds.get('dbt', 0.0) / floor_full:.1f}×")
    if not full_only:
        incremental, rebuilt = builds["+1 day"], builds["rebuilt"]
        print(f"one more day        : {incremental.total_seconds:7.1f}s  ({extra:,} new events on {end}) → "
              f"{100 * incremental.total_seconds / full.total_seconds:.0f}% of the full build")
        print(f"rebuilt             : {rebuilt.total_seconds:7.1f}s  (no warehouse, the models trained by the first "
              f"build, dbt docs current) → one more day is {100 * incremental.total_seconds / rebuilt.total_seconds:.0f}% of it")
    print(f"(JX_HOME {home})")


if __name__ == "__main__":
    main()
