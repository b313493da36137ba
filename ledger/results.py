"""Verification results into the warehouse: ``ledger.verification_result``, read by the ledger marts."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from jixiao.ledger.store import LedgerConfig
from jixiao.ledger.verify import KINDS, VerificationReport

SCHEMA = "ledger"
TABLE = "verification_result"
COLUMNS = pa.schema([
    ("ledger_id", pa.string()),
    ("fund_type", pa.string()),
    ("fund_name", pa.string()),
    ("entries", pa.int64()),
    ("verified_entries", pa.int64()),
    ("is_verified", pa.bool_()),
    ("tamper_kind", pa.string()),
    ("tamper_kind_name", pa.string()),
    ("first_bad_seq", pa.int64()),
    ("last_bad_seq", pa.int64()),
    ("first_bad_disbursement_id", pa.string()),
    ("implicated_dept_codes", pa.list_(pa.string())),
    ("finding_detail", pa.string()),
    ("anchors_in_log", pa.int64()),
    ("anchors_in_topic", pa.int64()),
    ("unanchored_entries", pa.int64()),
    ("last_anchor_size", pa.int64()),
    ("last_anchor_root", pa.string()),
    ("repairs", pa.int64()),
    ("custodian_dept_type", pa.string()),
    ("custodian_level", pa.string()),
    ("checked_at", pa.string()),
    ("seconds", pa.float64()),
])


def result_rows(report: VerificationReport, config: LedgerConfig) -> pa.Table:
    rows = []
    for fund in report.funds:
        finding = fund.finding
        rows.append({
            "ledger_id": fund.ledger_id, "fund_type": fund.fund, "fund_name": fund.fund_name,
            "entries": fund.entries, "verified_entries": fund.verified_entries, "is_verified": fund.ok,
            "tamper_kind": finding.kind if finding else None,
            "tamper_kind_name": KINDS[finding.kind] if finding else None,
            "first_bad_seq": finding.seq if finding else None,
            "last_bad_seq": finding.last_seq if finding else None,
            "first_bad_disbursement_id": finding.disbursement_id if finding else None,
            "implicated_dept_codes": list(finding.dept_codes) if finding else [],
            "finding_detail": finding.detail if finding else None,
            "anchors_in_log": fund.anchors_in_log, "anchors_in_topic": fund.anchors_in_topic,
            "unanchored_entries": fund.unanchored, "last_anchor_size": fund.last_anchor_size,
            "last_anchor_root": fund.last_anchor_root, "repairs": fund.repairs,
            "custodian_dept_type": config.custodian_dept_type, "custodian_level": config.custodian_level,
            "checked_at": fund.checked_at, "seconds": fund.seconds,
        })
    return pa.Table.from_pylist(rows, schema=COLUMNS)


def write_results(database: Path, report: VerificationReport, config: LedgerConfig) -> None:
    """Replace ``ledger.verification_result`` in the (candidate) warehouse file with this verification."""
    table = result_rows(report, config)
    with duckdb.connect(str(database)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.register("verification", table)
        con.execute(f"create or replace table {SCHEMA}.{TABLE} as "
                    "select * replace (checked_at::timestamptz as checked_at) from verification")
