"""Department scoring by the composite engine: one row per department × month × spec item (scoring/department.py)."""
from jixiao.scoring.department import ITEM_SCHEMA, empty_table_sql, score_departments


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("fct_indicator_value").df()
    if values.empty:
        return session.sql(empty_table_sql(ITEM_SCHEMA))
    return score_departments(
        values,
        dbt.ref("dim_department").df(),
        dbt.ref("int_appraisal__checked_scores").filter("accepted").df(),
        dbt.ref("ref_exemptions").df(),
        dbt.ref("ref_goals").df(),
        exclusions=dbt.ref("fct_scoring_exclusion").df(),
    )
