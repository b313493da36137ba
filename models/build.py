"""What the build's dbt Python models call: each takes the frames its model read and returns the table.

Every function loads its artefact, or trains it on first use (:func:`jixiao.models.registry.ensure`); with
nothing to learn from yet (an empty landing zone, a single class) it returns a typed empty table and saves
no artefact, so the next build with data trains one. Text columns go out as pandas strings, so empty
tables keep their VARCHAR columns.
"""
from __future__ import annotations

import pandas as pd

from jixiao.models import integrity, lagging, text
from jixiao.models.procurement import FEATURES
from jixiao.models.registry import ensure

TENDER_RISK = {"tender_id": "string", "dept_code": "string", "period": "string", "winner_id": "string",
               "procurement_method": "string", "ceiling_price": "float64", "award_price": "float64",
               **{name: "float64" for name in FEATURES}, "anomaly_score": "float64", "red_flag_score": "float64",
               "supervised_score": "float64",
               "risk_score": "float64", "top_features": "string", "risk_percentile": "float64", "is_flagged": "bool",
               "is_audit_confirmed": "bool", "model_version": "string"}
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


def text_sentiment(posts: pd.DataFrame, tickets: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    artefact = ensure(text.SENTIMENT, {"stg_service_review__reviews": reviews})
    rows = text.sentiment_rows(artefact.model, posts, tickets, reviews)
    rows["model_version"] = artefact.version
    return typed(rows, SENTIMENT)


def ticket_routing(tickets: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    frames = {"stg_hotline_12345__tickets_created": tickets, "dim_department": departments}
    topic, routing = ensure(text.TOPIC, frames), ensure(text.ROUTING, frames)
    if topic is None or routing is None or tickets.empty:
        return typed(None, ROUTING)
    return typed(text.routing_rows(topic, routing, tickets, departments), ROUTING)


def lagging_risk(scores: pd.DataFrame) -> pd.DataFrame:
    artefact = ensure(lagging.NAME, {"fct_dept_score": scores})
    if artefact is None:
        return typed(None, LAGGING)
    rows = lagging.score(artefact.model, scores)
    rows["model_version"] = artefact.version
    return typed(rows, LAGGING)

