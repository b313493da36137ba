"""The engine's result per department × period × spec item, both trees, with and without 容错 exemptions
(scoring/department.py): the item fact every score mart is derived from. Values the data-validity rules take
out (fct_scoring_exclusion: zombie months, held outliers) are excluded from every window, with their reason.

Incremental by period: each row carries its period's ``inputs_digest`` (scoring/digests.py); a build scores
again only the periods whose digest changed (their rows are deleted, the new ones appended) and removes
periods that no longer exist. ``dbt build --full-refresh`` (or a table from before the digest) scores every period.
The periods to score are spread over ``JX_SCORING_WORKERS`` processes. The indicator values are read as an Arrow
table: the same frame as ``.df()``, in a sixth of the time."""
from jixiao.runtime.config import settings
from jixiao.scoring.department import ITEM_SCHEMA, empty_table_sql, load_config, score_departments_in_parallel
from jixiao.scoring.digests import period_digests, replace_changed_periods, shared_digest

SCHEMA = {**ITEM_SCHEMA, "inputs_digest": "varchar"}


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append", on_schema_change="append_new_columns")
    values = dbt.ref("fct_indicator_value").to_arrow_table().to_pandas()
    config = load_config()
    departments, exemptions = dbt.ref("dim_department").df(), dbt.ref("ref_exemptions").df()
    exclusions = dbt.ref("fct_scoring_exclusion").df()
    goals = dbt.ref("ref_goals").df().merge(dbt.ref("ref_missions").df(), on="mission_code")
    digests = period_digests(values, exclusions, shared_digest(departments, exemptions, goals, config), config)
    periods = replace_changed_periods(session, dbt.this, digests) if dbt.is_incremental else None
    if values.empty:
        return session.sql(empty_table_sql(SCHEMA))
    items = score_departments_in_parallel(values, departments, exemptions, goals, exclusions, config,
                                          digests if periods is None else periods, settings().scoring_workers)
    if items.empty:
        return session.sql(empty_table_sql(SCHEMA))
    return items.merge(digests, on=["period_type", "period"])
