"""What the build's dbt Python models call: each takes the frames (or, for the text models, the DuckDB relations)
its model read and returns the table; the text models keep their rows in DuckDB, send only distinct texts
through scikit-learn and read only the columns a first training needs (a string column costs DuckDB about
0.2 µs a value to hand to pandas: seconds over the millions of rows at M).

Every function loads its artefact, or trains it on first use (:func:`jixiao.models.registry.ensure`); with
nothing to learn from yet (an empty landing zone, a single class) it returns a typed empty table and saves
no artefact, so the next build with data trains one. Text columns go out as pandas strings, so empty
tables keep their VARCHAR columns.
"""
from __future__ import annotations

from functools import cache

import duckdb
import pandas as pd

from jixiao.models import integrity, lagging, text
from jixiao.models.procurement import FEATURES
from jixiao.models.registry import applying, applying_version, ensure, ensure_version

TENDER_RISK = {"tender_id": "string", "dept_code": "string", "period": "string", "winner_id": "string",
               "procurement_method": "string", "ceiling_price": "float64", "award_price": "float64",
               **{name: "float64" for name in FEATURES}, "anomaly_score": "float64", "red_flag_score": "float64",
               "supervised_score": "float64",
               "risk_score": "float64", "top_features": "string", "risk_percentile": "float64", "is_flagged": "bool",
               "is_audit_confirmed": "bool", "model_version": "string"}
SENTIMENT_MODEL = {"model_name": "string", "model_version": "string", "trained_at": "string"}
SENTIMENT = {"text_source": "string", "text_id": "string", "dept_code": "string", "period": "string",
             "negative_probability": "float64", "is_negative": "bool", "model_version": "string"}
ROUTING = {"ticket_id": "string", "dept_code": "string", "period": "string", "category": "string",
           "assigned_dept_type": "string", "predicted_topic": "string", "topic_probability": "float64",
           "topic_model_version": "string", "routed_dept_type": "string", "routing_probability": "float64",
           "routing_model_version": "string", "topic_matches": "bool", "routing_matches": "bool"}
LAGGING = {"dept_code": "string", "period": "string", "predicted_period": "string", "overall_score": "float64",
           "is_bottom": "float64", "bottom_months_3": "float64", "lagging_probability": "float64",
           "next_bottom": "float64", "model_version": "string"}


def typed(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns, in order and types (an empty frame when ``frame`` is None)."""
    if frame is None:
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in schema.items()})
    return frame[list(schema)].astype(schema)


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """The tender features with string ids (int_procurement__tender_features)."""
    return frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})


def tender_risk(features: pd.DataFrame, confirmed: pd.DataFrame) -> pd.DataFrame:
    artefact = ensure(integrity.NAME, {"int_procurement__tender_features": features,
                                       "int_audit__confirmed_tenders": confirmed})
    if artefact is None or features.empty:
        return typed(None, TENDER_RISK)
    scored = integrity.score_tenders(artefact.model, features, set(confirmed["tender_id"].astype(str)))
    scored["model_version"] = artefact.version
    return typed(scored, TENDER_RISK)


def sentiment_model(reviews: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """One row (SENTIMENT_MODEL): the sentiment artefact the build applies, trained first if there is none. Its own
    node, which needs only the staged 好差评 comments: a first build trains it while dbt is still staging the posts
    and tickets the sentiment node applies it to."""
    current = ensure_version(text.SENTIMENT,
                             lambda: {"stg_service_review__reviews": reviews.project("review_comment, rating").df()})
    version, meta = current or (None, {})
    return typed(pd.DataFrame({"model_name": [text.SENTIMENT], "model_version": [version],
                               "trained_at": [meta.get("trained_at")]}), SENTIMENT_MODEL)


def text_sentiment(session: duckdb.DuckDBPyConnection, model: duckdb.DuckDBPyRelation, posts: duckdb.DuckDBPyRelation,
                   tickets: duckdb.DuckDBPyRelation, reviews: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """One row per non-blank post, ticket and 好差评 comment (SENTIMENT), by the artefact ``model`` names
    (:func:`sentiment_model`). The rows stay in DuckDB: only the distinct texts (90,882 of 3.48M at M: templated
    text repeats) go through the model, and their probabilities are joined back."""
    [(version,)] = model.project("model_version").limit(1).fetchall()
    if version is None:
        return session.from_df(typed(None, SENTIMENT))
    texts = posts.project("'post' as text_source, post_id::varchar as text_id, dept_code, "
                          "strftime(occurred_at_local, '%Y-%m') as period, post_text as text").union(
        tickets.project("'ticket', ticket_id::varchar, dept_code, strftime(created_at_local, '%Y-%m'), "
                        "ticket_text")).union(
        reviews.project("'review_comment', review_id::varchar, dept_code, strftime(occurred_at_local, '%Y-%m'), "
                        "review_comment"))
    distinct = texts.filter("text is not null").project("text").distinct().df()["text"].astype(object)
    distinct = distinct[distinct.str.strip().ne("")]
    probabilities = applying_version(text.SENTIMENT, version, text.negative_probability, distinct)
    scored = session.from_df(pd.DataFrame({"text": distinct.to_numpy(), "negative_probability": probabilities.result()}))
    return texts.join(scored, "text").project(
        "text_source, text_id, dept_code, period, negative_probability, negative_probability >= 0.5 as is_negative, "
        f"'{version}' as model_version")


def ticket_routing(session: duckdb.DuckDBPyConnection, tickets: duckdb.DuckDBPyRelation,
                   departments: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation | pd.DataFrame:
    """One row per ticket (ROUTING; a ticket id sent twice as different events: its earliest). The rows stay in
    DuckDB: only the distinct ticket texts go through the two classifiers, and their predictions are joined back."""
    frames = cache(lambda: {"stg_hotline_12345__tickets_created": tickets.project("ticket_text, category, dept_code").df(),
                            "dim_department": departments.project("dept_code, dept_type").df()})
    topic, routing = ensure(text.TOPIC, frames), ensure(text.ROUTING, frames)
    if topic is None or routing is None or len(tickets) == 0:
        return typed(None, ROUTING)
    rows = tickets.query("tickets", """
        select ticket_id, dept_code, strftime(created_at_local, '%Y-%m') as period, category,
               coalesce(ticket_text, '') as text
        from tickets
        qualify row_number() over (partition by ticket_id order by created_at, event_id) = 1""")
    texts = rows.project("text").distinct().df()["text"].astype(object)
    topics, routes = applying(topic, text.predict, texts), applying(routing, text.predict, texts)
    predicted = session.from_df(text.ticket_predictions(texts, topics.result(), routes.result()))
    return rows.join(departments.project("dept_code, dept_type as assigned_dept_type"), "dept_code", how="left") \
        .join(predicted, "text").project(
            "ticket_id, dept_code, period, category, assigned_dept_type, predicted_topic, topic_probability, "
            f"'{topic.version}' as topic_model_version, routed_dept_type, routing_probability, "
            f"'{routing.version}' as routing_model_version, coalesce(predicted_topic = category, false) as topic_matches, "
            "coalesce(routed_dept_type = assigned_dept_type, false) as routing_matches")


def lagging_risk(scores: pd.DataFrame) -> pd.DataFrame:
    artefact = ensure(lagging.NAME, {"fct_dept_score": scores})
    if artefact is None:
        return typed(None, LAGGING)
    rows = lagging.score(artefact.model, scores)
    rows["model_version"] = artefact.version
    return typed(rows, LAGGING)

