"""The build's ledger step and marts: the shared platform's ledger verifies (against Kafka) in the published marts;
a tampered fund becomes alerts on its custodian and on the department whose record was changed."""
from __future__ import annotations

import re
import shutil

import orjson
import pytest

from jixiao.ledger import Ledger, verify, write_results
from jixiao.runtime.config import settings
from jixiao.warehouse import Candidate, dbt_build
from ledger_helpers import SMALL_ANCHORS, disbursement_id, lines, with_record, write

pytestmark = pytest.mark.kafka


def test_the_published_marts_show_every_fund_verified_against_kafka(simulated_platform):
    ledger = Ledger.of(simulated_platform.cfg)  # appended by the demo-like run's DAG (its ledger step)
    with simulated_platform.connect() as con:
        rows = con.execute("select fund_type, fund_name, entries, is_verified, verification_status, checked_against_kafka,"
                           " anchors_in_log, anchors_in_topic, responsible_dept_codes, dept_codes"
                           " from marts.fct_ledger_verification order by fund_type").fetchall()
        departments = {code for (code,) in con.execute("select dept_code from marts.dim_department").fetchall()}
        alerts = con.execute("select count(*) from marts.fct_ledger_alert").fetchone()[0]
    assert [row[0] for row in rows] == sorted(ledger.funds)
    for fund, name, entries, ok, status, kafka, in_log, in_topic, responsible, disbursing in rows:
        chain = lines(ledger.chain_path(fund))
        assert (name, entries) == (ledger.config.funds[fund], len(chain))
        assert entries > 50 and ok and status == "校验通过" and kafka and in_log == in_topic > 0 and responsible == []
        assert disbursing == sorted({orjson.loads(line)["record"]["dept_code"] for line in chain}) and \
            set(disbursing) <= departments
    assert alerts == 0
    assert (simulated_platform.cfg.marts_dir / "fct_ledger_verification.parquet").exists()


def test_a_tampered_fund_is_a_red_flag_on_its_custodian_and_the_implicated_department(
        simulated_platform, platform_ledger, kafka_broker, jx_home):
    cfg = settings()
    shutil.copytree(platform_ledger, cfg.home / "ledger")
    ledger = Ledger(cfg.home / "ledger", SMALL_ANCHORS)
    fund = ledger.funds[1]
    chain = lines(ledger.chain_path(fund))
    chain[20] = with_record(chain[20], amount="1.00")
    write(ledger.chain_path(fund), chain)
    cfg.warehouse_dir.mkdir(parents=True)
    shutil.copyfile(simulated_platform.cfg.warehouse_path, cfg.warehouse_path)
    candidate = Candidate(cfg).start()
    write_results(candidate.path, verify(ledger, cfg), ledger.config)
    dbt_build(candidate, select=["stg_ledger__verification_results+"])

    with candidate.connect(read_only=True) as con:
        verification = con.execute(
            "select fund_type, is_verified, tamper_kind, tamper_kind_name, first_bad_seq, first_bad_disbursement_id,"
            " responsible_dept_codes from marts.fct_ledger_verification order by is_verified").fetchall()
        alerts = con.execute("select alert_key, alert_type, severity, dept_code, period, title, detail, evidence,"
                             " raised_at, responsibility from marts.fct_ledger_alert order by dept_code").fetchall()
        custodian = con.execute("select dept_code from marts.dim_department where dept_type = 'CZJ' "
                                "and level = 'province'").fetchone()[0]
    implicated = orjson.loads(chain[20])["record"]["dept_code"]
    responsible = sorted({custodian, implicated})
    assert verification[0] == (fund, False, "changed", "篡改", 20, disbursement_id(chain[20]), responsible)
    assert verification[1][1] is True  # the other fund is untouched
    assert [alert[3] for alert in alerts] == responsible
    assert len({alert[0] for alert in alerts}) == len(alerts)
    for key, alert_type, severity, dept, period, title, detail, evidence, raised_at, role in alerts:
        assert (alert_type, severity) == ("ledger_tamper", "high") and re.fullmatch(r"\d{4}-\d{2}", period)
        assert "篡改" in title and disbursement_id(chain[20]) in detail and raised_at is not None
        assert orjson.loads(evidence)["first_bad_seq"] == 20
        assert role == ("implicated" if dept == implicated else "custodian")
