"""Probability that each department is in the bottom tier next month, from its past months (models/lagging.py)."""
from jixiao.models.build import lagging_risk


def model(dbt, session):
    return lagging_risk(dbt.ref("fct_dept_score").df())
