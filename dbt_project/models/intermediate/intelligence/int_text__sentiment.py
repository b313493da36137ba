"""Sentiment of every public-opinion post, 12345 ticket and 好差评 comment: its text's probability from
int_text__sentiment_by_text joined back to the rows."""
from jixiao.models.build import text_sentiment


def model(dbt, session):
    dbt.config(materialized="table")
    return text_sentiment(dbt.ref("int_text__sentiment_by_text"), dbt.ref("stg_public_opinion__posts"),
                          dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("stg_service_review__reviews"))
