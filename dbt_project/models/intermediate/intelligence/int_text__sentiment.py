"""Sentiment of every public-opinion post, 12345 ticket and 好差评 comment (models/text.py, jieba + the sentiment
artefact int_text__sentiment_model names)."""
from jixiao.models.build import text_sentiment


def model(dbt, session):
    dbt.config(materialized="table")
    return text_sentiment(session, dbt.ref("int_text__sentiment_model"), dbt.ref("stg_public_opinion__posts"),
                          dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("stg_service_review__reviews"))
