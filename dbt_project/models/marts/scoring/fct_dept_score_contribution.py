"""The engine's result per department × period × spec item, both trees, with and without 容错 exemptions
(scoring/department.py): the item fact every score mart is derived from. Values the data-validity rules take
out (fct_scoring_exclusion: zombie months, held outliers) are excluded from every window, with their reason.

Incremental by period: each row carries its period's ``inputs_digest`` (scoring/digests.py); a build scores
again only the periods whose digest changed (their rows are deleted, the new ones appended) and removes
periods that no longer exist. ``dbt build --full-refresh`` (or a table from before the digest) scores every period."""
import pandas as pd

from jixiao.scoring.department import ITEM_SCHEMA, empty_table_sql, load_config, score_departments
from jixiao.scoring.digests import period_digests, periods_to_score, shared_digest

SCHEMA = {**ITEM_SCHEMA, "inputs_digest": "varchar"}


def _delete_periods(session, this, periods) -> None:
    """Remove the stored rows of ``periods`` (period_type, period), or all rows (None), before the append."""
    if periods is None:
        session.execute(f"delete from {this}")
    elif len(periods):
        session.register("periods_to_replace", periods)
        session.execute(f"delete from {this} where (period_type, period) in "
                        "(select (period_type, period) from periods_to_replace)")
        session.unregister("periods_to_replace")


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append", on_schema_change="append_new_columns")
    values = dbt.ref("fct_indicator_value").df()
    if values.empty:
        if dbt.is_incremental:
            _delete_periods(session, dbt.this, None)
        return session.sql(empty_table_sql(SCHEMA))
    config = load_config()
    departments, exemptions = dbt.ref("dim_department").df(), dbt.ref("ref_exemptions").df()
    exclusions = dbt.ref("fct_scoring_exclusion").df()
    goals = dbt.ref("ref_goals").df().merge(dbt.ref("ref_missions").df(), on="mission_code")
    digests = period_digests(values, exclusions, shared_digest(departments, exemptions, goals, config), config)
    periods = None
    if dbt.is_incremental and "inputs_digest" in session.sql(f"select * from {dbt.this} limit 0").columns:
        stored = session.sql(f"select distinct period_type, period, inputs_digest from {dbt.this}").df()
        periods, gone = periods_to_score(digests, stored)
        _delete_periods(session, dbt.this, periods if gone.empty else pd.concat([periods, gone]))
    elif dbt.is_incremental:
        _delete_periods(session, dbt.this, None)
    items = score_departments(values, departments, exemptions, goals, exclusions=exclusions, config=config,
                              periods=periods)
    if items.empty:
        return session.sql(empty_table_sql(SCHEMA))
    return items.merge(digests, on=["period_type", "period"])
