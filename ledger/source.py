"""Special-fund disbursements from the committed landing zone, as ledger records.

A disbursement names its project; the project's ``budget_allocated`` event names its fund. Only files of
committed batches are read (those a commit marker of ``jx.src.finance.v1`` covers): a crashed batch's
leftovers never reach the ledger. A disbursement whose project's budget has not landed yet is held back
(counted as pending) and picked up by a later run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from jixiao.ingestors.landing import LandingZone
from jixiao.ledger.canonical import canonical, decimal_amount
from jixiao.runtime.config import BUSINESS_TZ, Settings

SOURCE = "finance"
BUSINESS = ZoneInfo(BUSINESS_TZ)
_PAYLOAD = json.JSONDecoder(parse_float=Decimal)
"""Reads a payload's numbers exactly (one decoder for every record: ``json.loads`` builds one each call)."""


@dataclass
class Disbursements:
    """New records per fund in append order, and what was held back or already there."""

    records: dict[str, list[tuple[str, bytes]]]  # fund → [(disbursement_id, canonical record)]
    pending: int  # project's budget not landed (yet)
    already: int  # landed again, or already in the ledger: adds nothing


def committed_files(cfg: Settings) -> list[Path]:
    """The finance landing files of committed batches (the landing zone shows nothing else)."""
    return LandingZone(cfg).data_files(SOURCE)


QUERY = """
with events as (
    select event_id, event_type, occurred_at, dept_code, payload, kafka_topic, kafka_partition, kafka_offset
    from read_parquet($files)
    where event_type in ('budget_allocated', 'disbursement')
),
funds as (
    select payload ->> '$.project_id' as project_id,
           arg_min(payload ->> '$.fund_type', (occurred_at, event_id)) as fund_type
    from events where event_type = 'budget_allocated'
    group by all
),
disbursements as (
    select e.*, payload ->> '$.disbursement_id' as disbursement_id, f.fund_type
    from events e left join funds f on f.project_id = e.payload ->> '$.project_id'
    where e.event_type = 'disbursement'
)
select * from disbursements
where fund_type is null or list_contains($funds, fund_type)
"""


def record_of(row: dict) -> bytes:
    """The canonical ledger record of one landed disbursement event."""
    payload = _PAYLOAD.decode(row["payload"])
    occurred = row["occurred_at"].astimezone(BUSINESS)
    return canonical({
        "amount": decimal_amount(payload["amount"]),
        "dept_code": row["dept_code"],
        "disbursement_id": payload["disbursement_id"],
        "event_id": row["event_id"],
        "fund_type": row["fund_type"],
        "kafka": f"{row['kafka_topic']}+{row['kafka_partition']}+{row['kafka_offset']}",
        "occurred_at": occurred.isoformat(),
        "payee": payload["payee"],
        "project_id": payload["project_id"],
    })


def new_disbursements(cfg: Settings, funds: list[str], known_ids: set[str]) -> Disbursements:
    """Committed special-fund disbursements not in the ledger yet, grouped by fund, oldest first. DuckDB leaves out
    the ids already in the ledger, so only the new rows come to Python (at M the ledger holds 331,849 entries and
    one more day adds a few hundred)."""
    files = committed_files(cfg)
    result = Disbursements({fund: [] for fund in funds}, 0, 0)
    if not files:
        return result
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.register("known", pa.table({"disbursement_id": pa.array(list(known_ids), pa.string())}))
        con.execute(f"create temp table landed as {QUERY}", {"files": [str(f) for f in files], "funds": funds})
        con.execute("create temp table new as "
                    "select * from landed anti join known using (disbursement_id) where fund_type is not null")
        result.pending, not_new = con.execute("select count(*) filter (where fund_type is null), "
                                              "count(*) filter (where fund_type is not null) from landed").fetchone()
        cursor = con.execute("select * from new order by occurred_at, disbursement_id, kafka_partition, kafka_offset")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values)) for values in cursor.fetchall()]
    result.already = not_new - len(rows)
    seen = set()
    for row in rows:
        if row["disbursement_id"] in seen:
            result.already += 1
        else:
            seen.add(row["disbursement_id"])
            result.records[row["fund_type"]].append((row["disbursement_id"], record_of(row)))
    return result
