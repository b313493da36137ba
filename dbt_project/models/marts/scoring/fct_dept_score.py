"""Published department scores per month, quarter and year: composite, five dimensions, 360 parts, overall,
grade and ranks, all on the published (四舍五入) figures (scoring/department.py)."""
from jixiao.scoring.department import SCORE_SCHEMA, dept_score_table, empty_table_sql


def model(dbt, session):
    items = dbt.ref("fct_dept_score_contribution").df()
    if items.empty:
        return session.sql(empty_table_sql(SCORE_SCHEMA))
    return dept_score_table(items, dbt.ref("dim_department").df())
