"""P(negative) of every distinct post, ticket and 好差评 comment text (models/text.py, jieba + the sentiment artefact
int_text__sentiment_model names). Incremental: a build sends through the model only the texts this table does not
hold yet; a new artefact version scores every text again. ``dbt build --full-refresh`` scores every text."""
from jixiao.models.build import sentiment_by_text


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    return sentiment_by_text(session, dbt.ref("int_text__sentiment_model"), dbt.ref("stg_public_opinion__posts"),
                             dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("stg_service_review__reviews"),
                             dbt.this if dbt.is_incremental else None)
