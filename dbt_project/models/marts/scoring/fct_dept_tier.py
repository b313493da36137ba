"""Result-use tier of each department and period, with its rule, reason and partner (scoring/tiers.py)."""
from jixiao.scoring.department import empty_table_sql
from jixiao.scoring.tiers import TIER_SCHEMA, assign_tiers


def model(dbt, session):
    scores = dbt.ref("fct_dept_score").df()
    if scores.empty:
        return session.sql(empty_table_sql(TIER_SCHEMA))
    return assign_tiers(scores)
