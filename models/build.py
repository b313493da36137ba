"""What the build's dbt Python models call: each takes the frames (or, for the text models, the DuckDB relations)
its model read and returns the table; the text models keep their rows in DuckDB, send only distinct texts
through scikit-learn and read only the columns a first training needs (a string column costs DuckDB about
0.2 µs a value to hand to pandas: seconds over the millions of rows at M). Their results per distinct text are
incremental tables (``*_by_text``): a build sends through a model only the texts its last build did not score
with the current artefact, and joins the results back to the rows.

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
from jixiao.models.registry import applying_version, ensure, ensure_version

TENDER_RISK = {"tender_id": "string", "dept_code": "string", "period": "string", "winner_id": "string",
               "procurement_method": "string", "ceiling_price": "float64", "award_price": "float64",
               **{name: "float64" for name in FEATURES}, "anomaly_score": "float64", "red_flag_score": "float64",
               "supervised_score": "float64",
               "risk_score": "float64", "top_features": "string", "risk_percentile": "float64", "is_flagged": "bool",
               "is_audit_confirmed": "bool", "model_version": "string"}
SENTIMENT_MODEL = {"model_name": "string", "model_version": "string", "trained_at": "string"}
SENTIMENT_TEXTS = {"text": "string", "negative_probability": "float64", "model_version": "string"}
SENTIMENT = {"text_source": "string", "text_id": "string", "dept_code": "string", "period": "string",
             "negative_probability": "float64", "is_negative": "bool", "model_version": "string"}
ROUTING = {"ticket_id": "string", "dept_code": "string", "period": "string", "category": "string",
           "assigned_dept_type": "string", "predicted_topic": "string", "topic_probability": "float64",
           "topic_model_version": "string", "routed_dept_type": "string", "routing_probability": "float64",
           "routing_model_version": "string", "topic_matches": "bool", "routing_matches": "bool"}
TICKET_TEXTS = {"text": "string", "predicted_topic": "string", "topic_probability": "float64",
                "topic_model_version": "string", "routed_dept_type": "string", "routing_probability": "float64",
                "routing_model_version": "string"}
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


def _texts(posts: duckdb.DuckDBPyRelation, tickets: duckdb.DuckDBPyRelation,
           reviews: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Every post, ticket and 好差评 comment: text_source, text_id, dept_code, period, text."""
    return posts.project("'post' as text_source, post_id::varchar as text_id, dept_code, "
                         "strftime(occurred_at_local, '%Y-%m') as period, post_text as text").union(
        tickets.project("'ticket', ticket_id::varchar, dept_code, strftime(created_at_local, '%Y-%m'), "
                        "ticket_text")).union(
        reviews.project("'review_comment', review_id::varchar, dept_code, strftime(occurred_at_local, '%Y-%m'), "
                        "review_comment"))


def _unscored(session: duckdb.DuckDBPyConnection, texts: duckdb.DuckDBPyRelation, this, stale: str,
              versions: list[str]) -> pd.Series:
    """The distinct ``texts`` (a relation of one column, text) an incremental model's table ``this`` does not hold,
    after deleting from it the rows ``stale`` selects (a SQL condition on the ``versions`` parameters: rows scored by
    an artefact that is no longer current). ``this`` None (a first or full-refresh build): every text."""
    if this is not None:
        session.execute(f"delete from {this} where {stale}", versions)
        texts = texts.join(session.sql(f"select text from {this}"), "text", how="anti")
    return texts.df()["text"].astype(object)


def sentiment_by_text(session: duckdb.DuckDBPyConnection, model: duckdb.DuckDBPyRelation,
                      posts: duckdb.DuckDBPyRelation, tickets: duckdb.DuckDBPyRelation,
                      reviews: duckdb.DuckDBPyRelation, this=None) -> pd.DataFrame:
    """The rows to append to the table of P(negative) per distinct non-blank text (SENTIMENT_TEXTS), by the artefact
    ``model`` names (:func:`sentiment_model`). Incremental: with ``this`` (the table the last build left), rows of
    another artefact version are deleted and only texts it does not hold go through the model, so one more day
    scores only that day's new texts (90,882 distinct texts among 3.48M at M: templated text repeats)."""
    [(version,)] = model.project("model_version").limit(1).fetchall()
    if version is None:
        return typed(None, SENTIMENT_TEXTS)
    texts = _texts(posts, tickets, reviews).filter("text is not null").project("text").distinct()
    new = _unscored(session, texts, this, "model_version is distinct from ?", [version])
    new = new[new.str.strip().ne("")]
    if new.empty:
        return typed(None, SENTIMENT_TEXTS)
    probabilities = applying_version(text.SENTIMENT, version, text.negative_probability, new)
    return typed(pd.DataFrame({"text": new.to_numpy(), "negative_probability": probabilities.result(),
                               "model_version": version}), SENTIMENT_TEXTS)


def text_sentiment(scored: duckdb.DuckDBPyRelation, posts: duckdb.DuckDBPyRelation,
                   tickets: duckdb.DuckDBPyRelation, reviews: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """One row per non-blank post, ticket and 好差评 comment (SENTIMENT): its text's probability in ``scored``
    (:func:`sentiment_by_text`) joined back. The rows stay in DuckDB."""
    return _texts(posts, tickets, reviews).join(scored, "text").project(
        "text_source, text_id, dept_code, period, negative_probability, negative_probability >= 0.5 as is_negative, "
        "model_version")


def ticket_predictions_by_text(session: duckdb.DuckDBPyConnection, tickets: duckdb.DuckDBPyRelation,
                               departments: duckdb.DuckDBPyRelation, this=None) -> pd.DataFrame:
    """The rows to append to the table of predicted topic and department type per distinct ticket text
    (TICKET_TEXTS; a missing text counts as ''), by the current ticket_topic and ticket_routing artefacts, trained
    first if there are none. Incremental as :func:`sentiment_by_text`: rows of a replaced version of either
    artefact are deleted, and only texts the table does not hold go through the two classifiers."""
    frames = cache(lambda: {"stg_hotline_12345__tickets_created": tickets.project("ticket_text, category, dept_code").df(),
                            "dim_department": departments.project("dept_code, dept_type").df()})
    topic, routing = ensure_version(text.TOPIC, frames), ensure_version(text.ROUTING, frames)
    if topic is None or routing is None or len(tickets) == 0:
        return typed(None, TICKET_TEXTS)
    (topic_version, _), (routing_version, _) = topic, routing
    texts = tickets.project("coalesce(ticket_text, '') as text").distinct()
    new = _unscored(session, texts, this,
                    "topic_model_version is distinct from ? or routing_model_version is distinct from ?",
                    [topic_version, routing_version])
    if new.empty:
        return typed(None, TICKET_TEXTS)
    topics = applying_version(text.TOPIC, topic_version, text.predict, new)
    routes = applying_version(text.ROUTING, routing_version, text.predict, new)
    predicted = text.ticket_predictions(new, topics.result(), routes.result())
    predicted["topic_model_version"], predicted["routing_model_version"] = topic_version, routing_version
    return typed(predicted, TICKET_TEXTS)


def ticket_routing(tickets: duckdb.DuckDBPyRelation, departments: duckdb.DuckDBPyRelation,
                   predicted: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """One row per ticket (ROUTING; a ticket id sent twice as different events: its earliest) with its text's
    predictions in ``predicted`` (:func:`ticket_predictions_by_text`) joined back. The rows stay in DuckDB."""
    rows = tickets.query("tickets", """
        select ticket_id, dept_code, strftime(created_at_local, '%Y-%m') as period, category,
               coalesce(ticket_text, '') as text
        from tickets
        qualify row_number() over (partition by ticket_id order by created_at, event_id) = 1""")
    return rows.join(departments.project("dept_code, dept_type as assigned_dept_type"), "dept_code", how="left") \
        .join(predicted, "text").project(
            "ticket_id, dept_code, period, category, assigned_dept_type, predicted_topic, topic_probability, "
            "topic_model_version, routed_dept_type, routing_probability, routing_model_version, "
            "coalesce(predicted_topic = category, false) as topic_matches, "
            "coalesce(routed_dept_type = assigned_dept_type, false) as routing_matches")


def lagging_risk(scores: pd.DataFrame) -> pd.DataFrame:
    artefact = ensure(lagging.NAME, {"fct_dept_score": scores})
    if artefact is None:
        return typed(None, LAGGING)
    rows = lagging.score(artefact.model, scores)
    rows["model_version"] = artefact.version
    return typed(rows, LAGGING)

