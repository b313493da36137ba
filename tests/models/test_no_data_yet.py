"""Before any data has landed, every model returns a typed empty table and saves no artefact; data then trains them."""
from __future__ import annotations

import duckdb
import pandas as pd

from jixiao.models import build
from jixiao.models.procurement import tender_features

EMPTY = {"occurred_at": "datetime64[ns]", "occurred_at_local": "datetime64[ns]", "event_id": object, "dept_code": object}


def _empty(**columns) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in {**EMPTY, **columns}.items()})


def test_empty_inputs_give_typed_empty_tables_and_no_artefacts(jx_home):
    features = build.features(tender_features(
        _empty(tender_id=object, ceiling_price=float, procurement_method=object),
        _empty(tender_id=object, bidder_id=object, bid_price=float),
        _empty(tender_id=object, winner_id=object, award_price=float)))
    assert features.empty
    risk = build.tender_risk(features, pd.DataFrame({"tender_id": pd.Series(dtype=object)}))
    assert risk.empty and list(risk.columns) == list(build.TENDER_RISK)
    assert str(risk["top_features"].dtype) == "string"
    tickets = _empty(ticket_id=object, ticket_text=object, category=object, created_at="datetime64[ns]",
                     created_at_local="datetime64[ns]")
    con = duckdb.connect()
    departments = con.from_df(pd.DataFrame({"dept_code": pd.Series(dtype=object), "dept_type": pd.Series(dtype=object)}))
    predicted = build.ticket_predictions_by_text(con, con.from_df(tickets), departments)
    assert predicted.empty and list(predicted.columns) == list(build.TICKET_TEXTS)
    routing = build.ticket_routing(con.from_df(tickets), departments, con.from_df(predicted)).df()
    assert routing.empty and list(routing.columns) == list(build.ROUTING)
    model = con.from_df(build.typed(pd.DataFrame({"model_name": ["sentiment"], "model_version": [None],
                                                  "trained_at": [None]}), build.SENTIMENT_MODEL))
    texts = [con.from_df(_empty(post_id=object, post_text=object)), con.from_df(tickets),
             con.from_df(_empty(review_id=object, review_comment=object))]
    scored = build.sentiment_by_text(con, model, *texts)
    assert scored.empty and list(scored.columns) == list(build.SENTIMENT_TEXTS)
    sentiment = build.text_sentiment(con.from_df(scored), *texts).df()
    assert sentiment.empty and list(sentiment.columns) == list(build.SENTIMENT)
    scores = pd.DataFrame({c: pd.Series(dtype=float) for c in ("overall_score", "rank_in_peer_group", "n_scored_in_peer_group",
                                                               "mission_score", "strategy_score", "public_score",
                                                               "process_score", "growth_score")})
    scores["dept_code"], scores["period"], scores["period_type"] = (pd.Series(dtype=object),) * 3
    lagging = build.lagging_risk(scores)
    assert lagging.empty and list(lagging.columns) == list(build.LAGGING)
    assert not (jx_home / "models").exists() or not any((jx_home / "models").iterdir())
