"""Artefacts are versioned with their metadata, and one written by another scikit-learn version is refused clearly."""
from __future__ import annotations

import json
from importlib import metadata

import pandas as pd
import pytest

from jixiao.models import artefacts, registry
from jixiao.models.artefacts import ArtefactError, StaleArtefact
from jixiao.runtime.config import settings


def test_versions_count_up_and_carry_their_metadata(jx_home):
    first = artefacts.save("demo", {"w": 1}, {"training_window": {"first_period": "2026-01"}, "metrics": {"auc": 0.9}})
    second = artefacts.save("demo", {"w": 2}, {"metrics": {"auc": 0.95}})
    assert (first.version, second.version) == (1, 2)
    loaded = artefacts.load("demo")
    assert loaded.version == 2 and loaded.model == {"w": 2}
    meta = json.loads((jx_home / "models" / "demo" / "v1" / "meta.json").read_text("utf-8"))
    assert meta["training_window"] == {"first_period": "2026-01"} and meta["metrics"] == {"auc": 0.9}
    assert meta["libraries"]["scikit-learn"] == metadata.version("scikit-learn")
    assert {"numpy", "pandas", "jieba", "python"} <= set(meta["libraries"])


def test_a_missing_artefact_says_how_to_train(jx_home):
    with pytest.raises(ArtefactError, match="jixiao train"):
        artefacts.load("integrity")


def _make_stale(name: str) -> None:
    folder = settings().home / "models" / name / "v1"
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "model.joblib").write_bytes(b"not a pickle this version could read")


def test_a_stale_version_artefact_is_refused_before_unpickling(jx_home):
    artefacts.save("integrity", {"w": 1}, {"metrics": {}})
    _make_stale("integrity")
    installed = metadata.version("scikit-learn")
    with pytest.raises(StaleArtefact) as refused:
        artefacts.load("integrity")
    message = str(refused.value)
    assert "0.24.2" in message and installed in message and "jixiao train" in message


def test_the_build_does_not_silently_retrain_over_a_stale_artefact(jx_home):
    artefacts.save("lagging", {"w": 1}, {"metrics": {}})
    _make_stale("lagging")
    scores = pd.DataFrame(columns=["dept_code", "period", "overall_score"])
    with pytest.raises(StaleArtefact):
        registry.ensure("lagging", {"fct_dept_score": scores})
    assert sorted(p.name for p in (jx_home / "models" / "lagging").glob("v*")) == ["v1"]


def test_ensure_trains_on_first_use_and_reuses_afterwards(jx_home):
    periods = [f"2026-{m:02d}" for m in range(1, 9)]
    rows = [{"dept_code": f"D{d}", "period": p, "overall_score": 50.0 + 5 * d + (m % 3), "mission_score": 70.0,
             "strategy_score": 70.0, "public_score": 70.0, "process_score": 70.0, "growth_score": 70.0,
             "rank_in_type": 1, "n_scored_in_type": 6} for d in range(6) for m, p in enumerate(periods)]
    frames = {"fct_dept_score": pd.DataFrame(rows)}
    first = registry.ensure("lagging", frames)
    again = registry.ensure("lagging", frames)
    assert first.version == again.version == 1
    assert again.meta["training_window"] == {"first_period": "2026-01", "last_period": "2026-08"}
