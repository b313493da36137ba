"""Department score per month: composite, five dimensions, 360 components, overall, grade, ranks (scoring/department.py)."""
from jixiao.scoring.department import SCORE_SCHEMA, dept_score_table, empty_table_sql


def model(dbt, session):
    items = dbt.ref("int_dept_scoring__items").df()
    if items.empty:
        return session.sql(empty_table_sql(SCORE_SCHEMA))
    return dept_score_table(items, dbt.ref("dim_department").df())
