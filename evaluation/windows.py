"""The figures behind the monthly window (scoring/DEPARTMENT.md, "Periods"): the published warehouse's
``fct_indicator_value`` scored again with each candidate window, measured against the simulator's truth.

    .venv/bin/python -m jixiao.evaluation.windows [--candidates 1 2 3 4 5 6 12 12:0.7 12:0.8 12:0.85]

A candidate is ``MONTHS`` (equal weights) or ``MONTHS:DECAY`` (a month k months back weighs DECAY ** k). For
each: Spearman(monthly score, hidden performance) lowest and median month, the grade-change share among
departments whose hidden performance is constant, and how many months the planted drop takes to show.
"""
from __future__ import annotations

import argparse
import copy
import json

import duckdb
from rich.console import Console
from rich.table import Table

from jixiao.evaluation.run import truth_file
from jixiao.evaluation.scores import drop_lag, grade_changes, hidden_by_period, period_spearman
from jixiao.runtime.config import settings
from jixiao.scoring.department import dept_score_table, load_config, score_departments


def window_figures(con: duckdb.DuckDBPyConnection, truth: dict, candidates: list[str]) -> list[dict]:
    """One row of figures per candidate monthly window (``MONTHS`` or ``MONTHS:DECAY``)."""
    values = con.execute("select * from marts.fct_indicator_value").df()
    departments = con.execute("select * from marts.dim_department").df()
    exemptions = con.execute("select * from reference.ref_exemptions").df()
    goals = con.execute("select * from reference.ref_goals join reference.ref_missions using (mission_code)").df()
    hidden = hidden_by_period(truth)
    rows = []
    for candidate in candidates:
        window, _, decay = candidate.partition(":")
        config = copy.deepcopy(load_config())
        config["periods"] = {"types": ["month"], "month_window": int(window), "month_decay": float(decay) if decay else None}
        items = score_departments(values, departments, exemptions, goals, config=config)
        scores = dept_score_table(items[items["tree"] == "overall"], departments, config)
        spearman = period_spearman(scores, hidden, "month")
        changed, transitions = grade_changes(scores, hidden)
        rows.append({"window": candidate, "spearman_lowest": round(float(spearman.min()), 3),
                     "spearman_median": round(float(spearman.median()), 3),
                     "grade_change_share": round(changed / max(transitions, 1), 3),
                     "drop_lag": drop_lag(scores, truth["performance_drop"]) if truth.get("performance_drop") else None})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+",
                        default=["1", "2", "3", "4", "5", "6", "12", "12:0.7", "12:0.75", "12:0.8", "12:0.85"])
    args = parser.parse_args()
    cfg = settings()
    truth = json.loads(truth_file(cfg).read_text(encoding="utf-8"))
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        rows = window_figures(con, truth, args.candidates)
    table = Table(title="monthly window: validity, stability, responsiveness", title_justify="left")
    for column in rows[0]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*("never" if v is None else str(v) for v in row.values()))
    Console().print(table)


if __name__ == "__main__":
    main()
