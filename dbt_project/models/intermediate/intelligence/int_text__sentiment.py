"""Sentiment of every public-opinion post, 12345 ticket and 好差评 comment (models/text.py, jieba + the sentiment artefact)."""
from jixiao.models.registry import ensure
from jixiao.models.text import SENTIMENT, sentiment_rows


def model(dbt, session):
    dbt.config(materialized="table")
    reviews = dbt.ref("stg_service_review__reviews").df()
    artefact = ensure(SENTIMENT, {"stg_service_review__reviews": reviews})
    rows = sentiment_rows(artefact.model, dbt.ref("stg_public_opinion__posts").df(),
                          dbt.ref("stg_hotline_12345__tickets_created").df(), reviews)
    rows["model_version"] = artefact.version
    return rows
