"""Alert marts are found by name, checked for the standard columns and unioned into marts.fct_alert."""
from __future__ import annotations

import json

import duckdb
import pytest
from alert_sources import add_alert_mart, alerts

from jixiao.alerts import ALERT_COLUMNS, AlertMartError, alert_marts, collect_alerts


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_every_alert_mart_is_collected_with_its_source(con):
    add_alert_mart(con, "fct_rule_alert", alerts("rule", 3))
    add_alert_mart(con, "fct_ledger_alert", [{"alert_key": "ledger:0", "evidence": {"seq": 7}}])
    con.execute("create table marts.fct_dept_score as select 'ZJ-X' as dept_code")  # not an alert mart
    result = collect_alerts(con)
    assert result == {"sources": ["fct_ledger_alert", "fct_rule_alert"], "alerts": 4,
                      "by_source": {"fct_rule_alert": 3, "fct_ledger_alert": 1}}
    columns = con.execute("select column_name, data_type from information_schema.columns "
                          "where table_name = 'fct_alert' order by ordinal_position").fetchall()
    assert [c for c, _ in columns] == [*ALERT_COLUMNS, "source_table"]
    assert dict(columns)["raised_at"] == "TIMESTAMP WITH TIME ZONE"
    evidence = con.execute("select evidence from marts.fct_alert where alert_key = 'ledger:0'").fetchone()[0]
    assert json.loads(evidence) == {"seq": 7}


def test_no_alert_mart_gives_an_empty_fct_alert_with_the_standard_columns(con):
    assert collect_alerts(con) == {"sources": [], "alerts": 0, "by_source": {}}
    assert con.execute("select count(*) from marts.fct_alert").fetchone()[0] == 0
    assert alert_marts(con) == []


def test_a_mart_named_like_an_alert_mart_without_the_columns_blocks(con):
    con.execute("create schema marts")
    con.execute("create table marts.fct_model_alert as select 'k' as alert_key, 'high' as severity")
    with pytest.raises(AlertMartError, match="fct_model_alert .* lacks alert_type, dept_code"):
        collect_alerts(con)


def test_a_key_raised_twice_blocks_naming_it(con):
    add_alert_mart(con, "fct_rule_alert", alerts("dup", 2))
    add_alert_mart(con, "fct_model_alert", [{"alert_key": "dup:1"}])
    with pytest.raises(AlertMartError, match=r"repeated alert_key \(e.g. dup:1\)"):
        collect_alerts(con)


def test_an_empty_key_or_evidence_that_is_not_json_blocks(con):
    add_alert_mart(con, "fct_rule_alert", [{"alert_key": ""}])
    con.execute("create table marts.fct_model_alert as select * from marts.fct_rule_alert limit 0")
    con.execute("alter table marts.fct_model_alert alter evidence type varchar")
    con.execute("insert into marts.fct_model_alert select 'm:1', alert_type, severity, dept_code, period, title, "
                "detail, '{not json', raised_at, 1 from marts.fct_rule_alert")
    with pytest.raises(AlertMartError) as error:
        collect_alerts(con)
    assert "empty alert_key" in str(error.value) and "evidence that is not JSON (e.g. m:1)" in str(error.value)
