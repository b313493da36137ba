"""``jixiao report``: the site, chosen PDFs, the browser check, and one-line answers to wrong input."""
from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner
from report_warehouse import make_warehouse

from jixiao.cli import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("JX_HOME", str(tmp_path / "home"))
    make_warehouse(tmp_path / "home" / "warehouse" / "jixiao.duckdb", departments=4)
    return tmp_path / "home"


def test_report_renders_the_latest_period_and_prints_pdfs_of_a_tier(home):
    with duckdb.connect(str(home / "warehouse" / "jixiao.duckdb"), read_only=True) as con:
        diagnosis = sorted(r[0] for r in con.execute(
            "select dept_code from marts.fct_dept_tier where period = '2026-02' and tier_code = 'diagnosis'").fetchall())
    assert diagnosis, "the hand-made warehouse should put someone in 组织健康度诊断"
    result = CliRunner().invoke(main, ["report", "--tier", "diagnosis", "--check"])
    assert result.exit_code == 0, result.output
    assert "wrote 4 department pages for 2026-02" in result.output
    assert sorted(p.stem for p in (home / "reports" / "pdf" / "2026-02").glob("*.pdf")) == diagnosis
    assert (home / "reports" / "screenshots" / "index.png").exists()


def test_report_answers_wrong_input_in_one_line(home):
    runner = CliRunner()
    result = runner.invoke(main, ["report", "--period", "1999-01"])
    assert result.exit_code == 1 and "no scores for 1999-01" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["report", "--pdf", "--dept", "NOPE"])
    assert result.exit_code == 1 and "unknown department NOPE" in result.output
