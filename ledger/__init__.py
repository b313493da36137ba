"""The tamper-evident ledger of special-fund disbursements (专项资金拨付存证): hash chains per fund,
Merkle anchors in a log and on Kafka, verification that names the first bad entry. See docs/ledger.md."""
from __future__ import annotations

from pathlib import Path

from jixiao.ledger.append import AppendReport, append_from_landing
from jixiao.ledger.proof import InclusionProof, prove
from jixiao.ledger.results import write_results
from jixiao.ledger.store import Ledger, LedgerConfig
from jixiao.ledger.verify import KINDS, Finding, FundVerification, VerificationReport, verify
from jixiao.runtime.config import Settings


def append_and_verify(cfg: Settings, database: Path) -> dict:
    """The build step: append what landed, verify every fund, write the results into ``database``."""
    ledger = Ledger.of(cfg)
    appended = append_from_landing(cfg, ledger)
    report = verify(ledger, cfg)
    write_results(database, report, ledger.config)
    return {"appended": sum(appended.appended.values()), "entries": report.entries,
            "anchors_checked_in_kafka": report.topic_checked,
            "failing": [f.finding.describe() for f in report.funds if f.finding]}


__all__ = ["KINDS", "AppendReport", "Finding", "FundVerification", "InclusionProof", "Ledger", "LedgerConfig",
           "VerificationReport", "append_and_verify", "append_from_landing", "prove", "verify", "write_results"]
