"""Published department scores per month, quarter and year: composite, five dimensions, 360 parts, overall,
grade and ranks, all on the published (四舍五入) figures (scoring/department.py).

Incremental by period like fct_dept_score_contribution, whose ``inputs_digest`` it carries: a period's scores,
grades and ranks come from that period's items alone, so a period whose items kept their digest keeps its rows."""
from jixiao.scoring.department import SCORE_INPUTS, SCORE_SCHEMA, dept_score_table, empty_table_sql
from jixiao.scoring.digests import replace_changed_periods

SCHEMA = {**SCORE_SCHEMA, "inputs_digest": "varchar"}
KEYS = ["period_type", "period"]


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append", on_schema_change="append_new_columns")
    contribution = dbt.ref("fct_dept_score_contribution")
    digests = contribution.query("items", "select distinct period_type, period, inputs_digest from items").df()
    periods = replace_changed_periods(session, dbt.this, digests) if dbt.is_incremental else None
    inputs = contribution.filter("tree = 'overall'").project(", ".join(SCORE_INPUTS))
    if periods is None:
        items = inputs.df()
    else:
        session.register("jx_periods_to_score", periods)
        items = inputs.query("items", "select items.* from items join jx_periods_to_score using (period_type, "
                                      "period)").df()
        session.unregister("jx_periods_to_score")
    if items.empty:
        return session.sql(empty_table_sql(SCHEMA))
    return dept_score_table(items, dbt.ref("dim_department").df()).merge(digests, on=KEYS)
