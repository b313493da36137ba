"""The sentiment artefact this build applies (models/text.py): the current one, or on first use one trained from the
real corpus and the rated 好差评 comments. Its own node, needing only the staged comments, so a first build trains it
while dbt still stages the posts and tickets int_text__sentiment applies it to."""
from jixiao.models.build import sentiment_model


def model(dbt, session):
    return sentiment_model(dbt.ref("stg_service_review__reviews"))
