"""Predicted topic and department type of every distinct 12345 ticket text (models/text.py, jieba + the
ticket_topic and ticket_routing artefacts, trained here on first use). Incremental: a build sends through the two
classifiers only the texts this table does not hold yet; a new version of either artefact predicts every text
again. ``dbt build --full-refresh`` predicts every text."""
from jixiao.models.build import ticket_predictions_by_text


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    return ticket_predictions_by_text(session, dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("ref_departments"),
                                      dbt.this if dbt.is_incremental else None)
