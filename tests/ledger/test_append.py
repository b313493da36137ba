"""Appending: from committed landing data only, each disbursement once, torn tails repaired in the open, a tampered
fund frozen, anchors published to Kafka (later, when no broker answered)."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from jixiao.ingestors.landing import LandingZone, file_stem, pending_path
from jixiao.ledger import Ledger, append_from_landing, verify
from jixiao.ledger.anchors import read_topic
from jixiao.ledger.source import committed_files
from jixiao.runtime.config import settings
from landing_fixture import land
from ledger_helpers import SMALL_ANCHORS, ids, lines, with_record, write

pytestmark = pytest.mark.kafka

SHANGHAI = timezone(timedelta(hours=8))
FUND = "special_poverty_alleviation"


class Finance:
    """Hand-made finance envelopes with sequential event ids."""

    def __init__(self):
        self.count = 0

    def event(self, event_type: str, day: int, payload: dict, dept: str = "ZJ-HZ-NYNCJ") -> dict:
        self.count += 1
        return {"event_id": f"finance-t{self.count:05d}", "source": "finance", "event_type": event_type,
                "occurred_at": datetime(2026, 3, day, 10, tzinfo=SHANGHAI).isoformat(), "dept_code": dept,
                "schema_version": 1, "payload": payload}

    def budget(self, project: str, fund: str, day: int = 1) -> dict:
        return self.event("budget_allocated", day, {"project_id": project, "fund_type": fund, "amount": 1e6,
                                                    "fiscal_year": 2026})

    def disbursement(self, disbursement_id: str, project: str, day: int, amount=12000.5, payee="乡村道路施工队") -> dict:
        return self.event("disbursement", day, {"disbursement_id": disbursement_id, "project_id": project,
                                                "amount": amount, "payee": payee})


@pytest.fixture
def home(jx_home, kafka_broker):
    return settings()


def test_appending_again_adds_nothing(platform_ledger, simulated_platform, tmp_path):
    shutil.copytree(platform_ledger, tmp_path / "ledger")
    ledger = Ledger(tmp_path / "ledger", SMALL_ANCHORS)
    before = {f: (ledger.chain_path(f).read_bytes(), ledger.anchor_path(f).read_bytes()) for f in ledger.funds}
    report = append_from_landing(simulated_platform.cfg, ledger)
    assert sum(report.appended.values()) == 0 and report.already == sum(report.entries.values()) > 100
    assert before == {f: (ledger.chain_path(f).read_bytes(), ledger.anchor_path(f).read_bytes()) for f in ledger.funds}


def test_the_platform_ledger_holds_each_special_fund_disbursement_it_landed_once(platform_ledger, simulated_platform):
    """Against the warehouse's own reading of the landing zone (dbt staging), not the ledger's query."""
    with simulated_platform.connect() as con:
        expected = dict(con.execute(
            "select d.disbursement_id, any_value(b.fund_type) from staging.stg_finance__disbursements d "
            "join staging.stg_finance__budget_allocations b using (project_id) where b.is_special_fund "
            "group by all").fetchall())
    ledger = Ledger(platform_ledger, SMALL_ANCHORS)
    held = {fund: ids(ledger.chain_path(fund)) for fund in ledger.funds}
    assert sum(map(len, held.values())) == len({i for fund_ids in held.values() for i in fund_ids})
    assert {i: fund for fund, fund_ids in held.items() for i in fund_ids} == expected


def test_a_redelivered_disbursement_adds_nothing_and_one_without_a_budget_waits(home):
    finance = Finance()
    land([finance.budget("P-1", FUND), finance.budget("P-2", "general"),
          finance.disbursement("ZF-1", "P-1", 3), finance.disbursement("ZF-2", "P-2", 4),
          finance.disbursement("ZF-3", "P-9", 5)], home)
    first = append_from_landing(home)
    assert first.appended[FUND] == 1 and first.pending == 1
    # ZF-1 delivered again under a new event id (and altered), the budget of P-9 lands, with a new disbursement
    land([finance.disbursement("ZF-1", "P-1", 6, amount=99.0, payee="另一收款方"),
          finance.budget("P-9", FUND), finance.disbursement("ZF-4", "P-1", 7)], home)
    second = append_from_landing(home)
    assert (second.appended[FUND], second.already, second.pending) == (2, 2, 0)  # ZF-1 landed twice by now
    ledger = Ledger.of(home)
    assert ids(ledger.chain_path(FUND)) == ["ZF-1", "ZF-3", "ZF-4"]
    assert b'"amount":"12000.50"' in lines(ledger.chain_path(FUND))[0]  # the first delivery stays
    assert verify(ledger, home).ok


def test_only_committed_batches_reach_the_ledger(home):
    finance = Finance()
    land([finance.budget("P-1", FUND), finance.disbursement("ZF-1", "P-1", 3)], home)
    committed = committed_files(home)
    assert len(committed) == 2  # one batch, a file per business date
    # A batch written under its pending name whose commit marker was never written (a crash).
    uncommitted = pending_path(committed[1].with_name(file_stem("jx.src.finance.v1", 0, 2, 3) + ".parquet"))
    shutil.copyfile(committed[1], uncommitted)
    assert committed_files(home) == committed
    report = append_from_landing(home)
    assert report.appended[FUND] == 1 and LandingZone(home).next_offset("jx.src.finance.v1", 0) == 2


def test_a_torn_last_line_is_removed_in_the_open_and_appending_resumes(home):
    finance = Finance()
    land([finance.budget("P-1", FUND)] + [finance.disbursement(f"ZF-{i}", "P-1", 1 + i) for i in range(5)], home)
    append_from_landing(home)
    ledger = Ledger.of(home)
    path = ledger.chain_path(FUND)
    whole = lines(path)
    torn = b'{"hash":"5f0e2a9c41d7","prev":"'  # what a crash leaves of a line being written
    path.write_bytes(path.read_bytes() + torn)
    land([finance.disbursement("ZF-5", "P-1", 20)], home)
    report = append_from_landing(home)
    assert report.appended[FUND] == 1 and lines(path)[:5] == whole and ids(path)[-1] == "ZF-5"
    assert [(r["file"], r["offset"], bytes.fromhex(r["removed_hex"])) for r in report.repairs] == \
        [("chain.jsonl", len(b"".join(whole)), torn)]
    result = verify(ledger, home).funds[0]
    assert result.ok and result.repairs == 1


def test_a_tampered_fund_is_frozen_while_the_others_keep_growing(home):
    finance = Finance()
    other = "special_rural_revitalization"
    land([finance.budget("P-1", FUND), finance.budget("P-2", other), finance.disbursement("ZF-1", "P-1", 2),
          finance.disbursement("ZF-2", "P-1", 3), finance.disbursement("ZF-3", "P-2", 3)], home)
    append_from_landing(home)
    ledger = Ledger.of(home)
    chain = lines(ledger.chain_path(FUND))
    write(ledger.chain_path(FUND), [with_record(chain[0], amount="1.00")] + chain[1:])
    land([finance.disbursement("ZF-4", "P-1", 9), finance.disbursement("ZF-5", "P-2", 9)], home)
    report = append_from_landing(home)
    assert report.frozen[FUND].kind == "changed" and report.appended == {other: 1}
    assert ids(ledger.chain_path(FUND)) == ["ZF-1", "ZF-2"] and ids(ledger.chain_path(other)) == ["ZF-3", "ZF-5"]


def test_anchors_wait_for_a_broker_and_are_published_by_the_next_append(home):
    finance = Finance()
    land([finance.budget("P-1", FUND)] + [finance.disbursement(f"ZF-{i}", "P-1", 1 + i % 28) for i in range(250)], home)
    nobody = replace(home, kafka_port=1)  # no broker answers there
    ledger = Ledger(home.home / "ledger", SMALL_ANCHORS)
    report = append_from_landing(nobody, ledger)
    assert report.published is None and report.anchored[FUND] == 16  # 15 × 16 entries, then 250
    assert FUND not in read_topic(home, SMALL_ANCHORS.anchor_topic, ledger.ledger_id)
    offline = verify(ledger, nobody)
    assert offline.ok and not offline.topic_checked
    report = append_from_landing(home, ledger)
    assert report.published == 16 and sum(report.appended.values()) == 0
    online = verify(ledger, home)
    assert online.ok and online.topic_checked and online.funds[0].anchors_in_topic == 16
