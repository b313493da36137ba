"""The engine's result per department × period × spec item, both trees, with and without 容错 exemptions
(scoring/department.py): the item fact every score mart is derived from. Values the data-validity rules take
out (fct_scoring_exclusion: zombie months, held outliers) are excluded from every window, with their reason."""
from jixiao.scoring.department import ITEM_SCHEMA, empty_table_sql, score_departments


def model(dbt, session):
    values = dbt.ref("fct_indicator_value").df()
    if values.empty:
        return session.sql(empty_table_sql(ITEM_SCHEMA))
    goals = dbt.ref("ref_goals").df().merge(dbt.ref("ref_missions").df(), on="mission_code")
    return score_departments(values, dbt.ref("dim_department").df(), dbt.ref("ref_exemptions").df(), goals,
                             exclusions=dbt.ref("fct_scoring_exclusion").df())
