"""The text models' incremental inference (models/build.py) on a real DuckDB, with a counting stand-in for the
artefacts: only the texts the table from the last build does not hold go through a model, and a new artefact version
scores every text again. The real artefacts inside a real incremental build: tests/department_scoring."""
from __future__ import annotations

from concurrent.futures import Future

import duckdb
import numpy as np
import pandas as pd
import pytest

from jixiao.models import build

SENT_TO_MODELS: list[tuple[str, str, list[str]]] = []


def _fake_applying_version(name, version, function, texts):
    """Record which texts went to which artefact version; P(negative) = 0.9 for texts with 差, else 0.1."""
    SENT_TO_MODELS.append((name, version, list(texts)))
    result = Future()
    if function is build.text.negative_probability:
        result.set_result(np.where(texts.str.contains("差"), 0.9, 0.1))
    else:
        result.set_result((np.array([f"{name}:{t}" for t in texts], dtype=object), np.full(len(texts), 0.8)))
    return result


@pytest.fixture
def con(monkeypatch):
    SENT_TO_MODELS.clear()
    monkeypatch.setattr(build, "applying_version", _fake_applying_version)
    with duckdb.connect() as connection:
        yield connection


def _sources(con, posts: list[str], tickets: list[str | None], reviews: list[str]):
    when = pd.Timestamp("2026-03-05 10:00")

    def frame(column: str, ids: str, time: str, values: list) -> duckdb.DuckDBPyRelation:
        return con.from_df(pd.DataFrame({ids: [f"{ids}-{i}" for i in range(len(values))], "dept_code": "D1",
                                         time: when, column: pd.Series(values, dtype=object)}))

    return (frame("post_text", "post_id", "occurred_at_local", posts),
            frame("ticket_text", "ticket_id", "created_at_local", tickets),
            frame("review_comment", "review_id", "occurred_at_local", reviews))


def _store(con, rows: pd.DataFrame, table: str, first: bool) -> None:
    """What dbt's incremental append does with a model's rows."""
    if first:
        con.from_df(rows).create(table)
    else:
        con.from_df(rows).insert_into(table)


def _sentiment(con, version: str, sources, this: str | None) -> pd.DataFrame:
    model = con.from_df(pd.DataFrame({"model_name": ["sentiment"], "model_version": [version], "trained_at": [None]}))
    rows = build.sentiment_by_text(con, model, *sources, this=this)
    _store(con, rows, "sentiment_by_text", this is None)
    return rows


def test_one_more_day_sends_only_its_new_texts_through_the_sentiment_model(con):
    first = _sentiment(con, "v1", _sources(con, ["服务很差", "办事很快"], ["路灯坏了"], ["办事很快", "  "]), None)
    assert sorted(first["text"]) == ["办事很快", "服务很差", "路灯坏了"], "distinct, blank texts left out"
    sources = _sources(con, ["服务很差", "办事很快", "态度差"], ["路灯坏了", None], ["办事很快", "  "])
    _sentiment(con, "v1", sources, "sentiment_by_text")
    assert [sorted(sent) for _, _, sent in SENT_TO_MODELS] == [["办事很快", "服务很差", "路灯坏了"], ["态度差"]]
    rows = build.text_sentiment(con.table("sentiment_by_text"), *sources).df()
    assert len(rows) == 5, "every non-blank row, its text scored once"
    assert dict(zip(rows["text_id"], rows["is_negative"])) == {
        "post_id-0": True, "post_id-1": False, "post_id-2": True, "ticket_id-0": False, "review_id-0": False}
    assert set(rows.columns) == set(build.SENTIMENT)


def test_a_new_sentiment_artefact_scores_every_text_again(con):
    sources = _sources(con, ["服务很差", "办事很快"], [], [])
    _sentiment(con, "v1", sources, None)
    _sentiment(con, "v2", sources, "sentiment_by_text")
    assert [(version, sorted(sent)) for _, version, sent in SENT_TO_MODELS] == [
        ("v1", ["办事很快", "服务很差"]), ("v2", ["办事很快", "服务很差"])]
    stored = con.execute("select model_version, count(*) from sentiment_by_text group by all").fetchall()
    assert stored == [("v2", 2)], "the rows of the replaced version are gone"


def test_ticket_predictions_are_made_once_per_new_text_and_again_for_a_new_version(con, monkeypatch):
    versions = {"ticket_topic": "v1", "ticket_routing": "v1"}
    monkeypatch.setattr(build, "ensure_version", lambda name, frames: (versions[name], {}))
    departments = con.from_df(pd.DataFrame({"dept_code": ["D1"], "dept_type": ["ZJJ"]}))

    def predictions(tickets: list[str | None], this: str | None) -> pd.DataFrame:
        _, ticket_rows, _ = _sources(con, [], tickets, [])
        rows = build.ticket_predictions_by_text(con, ticket_rows, departments, this)
        _store(con, rows, "by_text", this is None)
        return build.ticket_routing(ticket_rows.project("*, event_id: ticket_id, created_at: created_at_local, category: '城市管理'"),
                                    departments, con.table("by_text")).df()

    first = predictions(["路灯坏了", None], None)
    again = predictions(["路灯坏了", None, "噪音扰民"], "by_text")
    versions["ticket_routing"] = "v2"
    predictions(["路灯坏了"], "by_text")
    sent = [(name, version, sorted(texts)) for name, version, texts in SENT_TO_MODELS]
    assert sent == [("ticket_topic", "v1", ["", "路灯坏了"]), ("ticket_routing", "v1", ["", "路灯坏了"]),
                    ("ticket_topic", "v1", ["噪音扰民"]), ("ticket_routing", "v1", ["噪音扰民"]),
                    ("ticket_topic", "v1", ["路灯坏了"]), ("ticket_routing", "v2", ["路灯坏了"])]
    assert len(first) == 2 and len(again) == 3 and set(again.columns) == set(build.ROUTING)
    assert dict(zip(again["ticket_id"], again["routed_dept_type"])) == {
        "ticket_id-0": "ticket_routing:路灯坏了", "ticket_id-1": "ticket_routing:", "ticket_id-2": "ticket_routing:噪音扰民"}
    assert con.execute("select distinct routing_model_version from by_text").fetchall() == [("v2",)]


def test_real_ticket_classifiers_are_trained_once_and_applied_to_new_texts_only(jx_home):
    """The real path: the two classifiers trained on first use (registry), applied by version, and a second build's
    call predicting only its new text, with the same predictions for the texts it keeps."""
    problems = {"噪音扰民": ("城市管理", "CGJ"), "路灯损坏": ("城市管理", "CGJ"), "过期食品": ("市场监管", "SCJG"),
                "虚假宣传": ("市场监管", "SCJG")}
    places = ["小区", "道路", "学校", "医院", "公园", "菜场", "广场", "车站"]
    texts = [f"{place}{problem}" for place in places for problem in problems] * 2
    departments = pd.DataFrame({"dept_code": ["D-CGJ", "D-SCJG"], "dept_type": ["CGJ", "SCJG"]})
    with duckdb.connect() as con:
        def tickets(rows: list[str]) -> duckdb.DuckDBPyRelation:
            return con.from_df(pd.DataFrame({
                "ticket_id": [f"T{i}" for i in range(len(rows))], "event_id": [f"E{i}" for i in range(len(rows))],
                "ticket_text": rows, "category": [problems[t[2:]][0] if t[2:] in problems else "城市管理" for t in rows],
                "dept_code": [f"D-{problems[t[2:]][1]}" if t[2:] in problems else "D-CGJ" for t in rows],
                "created_at": pd.Timestamp("2026-03-05"), "created_at_local": pd.Timestamp("2026-03-05")}))

        first = build.ticket_predictions_by_text(con, tickets(texts), con.from_df(departments))
        _store(con, first, "by_text", True)
        stored = con.table("by_text").df()
        second = build.ticket_predictions_by_text(con, tickets(texts + ["小区噪音扰民到深夜"]), con.from_df(departments),
                                                  "by_text")
        _store(con, second, "by_text", False)
        routed = build.ticket_routing(tickets(texts + ["小区噪音扰民到深夜"]), con.from_df(departments),
                                      con.table("by_text")).df()
        after = con.table("by_text").df()
    assert sorted(first["text"]) == sorted(set(texts)) and list(second["text"]) == ["小区噪音扰民到深夜"]
    assert second["topic_model_version"].tolist() == first["topic_model_version"].unique().tolist()
    assert (second["predicted_topic"] == "城市管理").all() and (second["routed_dept_type"] == "CGJ").all()
    assert len(routed) == len(texts) + 1 and routed["topic_matches"].mean() == 1.0
    kept = after[after["text"].isin(stored["text"])].sort_values("text").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, stored.sort_values("text").reset_index(drop=True))
