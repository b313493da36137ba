"""Ledger throughput: append, verify (clean and tampered), prove — on a synthetic chain of N disbursements.

    .venv/bin/python -m benchmarks.ledger.bench_verify --entries 1000000

Records look like the real ones (canonical JSON, Chinese payee, ~330 bytes); all go to one fund, so the
chain is one file of N lines. Verification reads only the anchor log (the Kafka check adds one topic read,
not per-entry work). Prints entries/s for each phase and the ledger's size on disk.
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from jixiao.ledger import Ledger, LedgerConfig, prove, verify
from jixiao.ledger.append import append_records
from jixiao.ledger.canonical import canonical
from jixiao.ledger.source import Disbursements
from jixiao.runtime.config import settings

FUND = "special_poverty_alleviation"
PAYEES = ["杭州市西湖区农业发展有限公司", "温州新鑫水利水电有限公司", "丽水市莲都区乡村振兴投资有限公司", "衢州绿源农业合作社"]


def synthetic_records(n: int, seed: int = 6962) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        disbursement_id = f"ZF{i:010d}"
        out.append((disbursement_id, canonical({
            "amount": f"{rng.lognormvariate(12, 1.3):.2f}", "dept_code": f"ZJ-C{rng.randrange(11):02d}-NYNCJ",
            "disbursement_id": disbursement_id, "event_id": f"finance-{i:09d}", "fund_type": FUND,
            "kafka": f"jx.src.finance.v1+{i % 3}+{i // 3}",
            "occurred_at": f"2026-{1 + i * 12 // n:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00+08:00",
            "payee": rng.choice(PAYEES), "project_id": f"CZ2026-{rng.randrange(100000):06d}"})))
    return out


def _timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _change_one_amount(path: Path, position: int) -> None:
    """Tamper in place: change the amount of one entry (same length, so nothing else moves)."""
    with open(path, "r+b") as handle:
        for _ in range(position):
            handle.readline()
        start = handle.tell()
        line = handle.readline()
        at = line.index(b'"amount":"') + 10
        digit = line[at:at + 1]
        handle.seek(start + at)
        handle.write(b"9" if digit != b"9" else b"8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, help="where to build the ledger (default: a temporary folder)")
    args = parser.parse_args()
    cfg = settings()
    root = args.dir or Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    shutil.rmtree(root, ignore_errors=True)
    config = replace(LedgerConfig.load(), funds={FUND: "财政专项扶贫资金"})
    ledger = Ledger(root, config)
    n = args.entries
    console = Console()
    records, seconds_make = _timed(lambda: synthetic_records(n))
    _, seconds_append = _timed(lambda: append_records(cfg, ledger, lambda known: Disbursements({FUND: records}, 0, 0)))
    del records
    size_mb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
    clean, seconds_verify = _timed(lambda: verify(ledger, cfg, use_topic=False))
    assert clean.ok, [f.finding for f in clean.funds]
    _, seconds_prove = _timed(lambda: prove(ledger, f"ZF{n // 2:010d}"))
    _change_one_amount(ledger.chain_path(FUND), n // 2)
    tampered, seconds_tampered = _timed(lambda: verify(ledger, cfg, use_topic=False))
    finding = tampered.funds[0].finding
    assert finding is not None and finding.kind == "changed" and finding.seq == n // 2, finding

    table = Table("phase", "seconds", "entries/s", title=f"ledger of {n:,} entries, {size_mb:,.0f} MB on disk")
    for phase, seconds in (("append (canonical records → chain + anchors, fsync per 5,000)", seconds_append),
                           ("verify, untouched (chain + anchor log)", seconds_verify),
                           ("verify, one amount changed (found + located)", seconds_tampered)):
        table.add_row(phase, f"{seconds:.2f}", f"{n / seconds:,.0f}")
    table.add_row("prove one disbursement (audit path to the latest anchor)", f"{seconds_prove:.2f}", "")
    table.add_row("(making the synthetic records)", f"{seconds_make:.2f}", "")
    console.print(table)
    console.print(f"tampered run found: {finding.describe()}")
    if args.dir is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
