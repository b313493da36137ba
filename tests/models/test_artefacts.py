"""Artefacts are versioned candidates behind a metric gate, carry their metadata, and one written by another
scikit-learn version is refused clearly."""
from __future__ import annotations

import json
from importlib import metadata

import pandas as pd
import pytest

from jixiao.models import artefacts, lagging, registry
from jixiao.models.artefacts import ArtefactError, StaleArtefact
from jixiao.models.integrity import IntegrityModel
from jixiao.models.procurement import FEATURES
from jixiao.runtime.processes import helper_processes


def _scores() -> dict[str, pd.DataFrame]:
    periods = [f"2026-{m:02d}" for m in range(1, 9)]
    rows = [{"dept_code": f"D{d}", "period": p, "overall_score": 50.0 + 5 * d + (m % 3), "mission_score": 70.0,
             "strategy_score": 70.0, "public_score": 70.0, "process_score": 70.0, "growth_score": 70.0,
             "rank_in_peer_group": 1, "n_scored_in_peer_group": 6, "period_type": "month"} for d in range(6) for m, p in enumerate(periods)]
    return {"fct_dept_score": pd.DataFrame(rows)}


def _candidates(home, name: str) -> list[str]:
    return sorted(p.name for p in (home / "models" / name / "candidates").iterdir())


def test_each_training_is_a_candidate_with_its_metadata_and_only_the_promoted_one_loads(jx_home):
    first = registry.fit("lagging", _scores())
    second = registry.fit("lagging", _scores())
    assert first.version < second.version and _candidates(jx_home, "lagging") == [first.version, second.version]
    loaded = artefacts.load("lagging")
    assert loaded.version == second.version
    meta = loaded.meta
    assert meta["training_window"] == {"first_period": "2026-01", "last_period": "2026-08"}
    assert meta["libraries"]["scikit-learn"] == metadata.version("scikit-learn")
    assert {"numpy", "pandas", "jieba", "python"} <= set(meta["libraries"])
    gate = json.loads((jx_home / "models" / "lagging" / "candidates" / second.version / "gate.json").read_text())
    assert gate["passed"] is True


def test_a_missing_artefact_says_how_to_train(jx_home):
    with pytest.raises(ArtefactError, match="jixiao train"):
        artefacts.load("integrity")


def test_a_candidate_below_its_gate_is_never_used(jx_home, monkeypatch):
    strict = registry.TRAINERS["lagging"].__class__("lagging", {"time_ordered_auc": 1.01})
    monkeypatch.setitem(registry.TRAINERS, "lagging", strict)
    assert registry.ensure("lagging", _scores()) is None
    [version] = _candidates(jx_home, "lagging")
    gate = json.loads((jx_home / "models" / "lagging" / "candidates" / version / "gate.json").read_text())
    assert gate["passed"] is False and "time_ordered_auc" in gate["reasons"][0]
    with pytest.raises(ArtefactError):
        artefacts.load("lagging")


def _make_stale(name: str) -> None:
    folder = artefacts.current_folder(name)
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "model.joblib").write_bytes(b"not a pickle this version could read")


def test_a_stale_version_artefact_is_refused_before_unpickling(jx_home):
    registry.fit("lagging", _scores())
    _make_stale("lagging")
    installed = metadata.version("scikit-learn")
    with pytest.raises(StaleArtefact) as refused:
        artefacts.load("lagging")
    message = str(refused.value)
    assert "0.24.2" in message and installed in message and "jixiao train" in message


def test_the_build_does_not_silently_retrain_over_a_stale_artefact(jx_home):
    registry.fit("lagging", _scores())
    _make_stale("lagging")
    before = _candidates(jx_home, "lagging")
    with pytest.raises(StaleArtefact):
        registry.ensure("lagging", _scores())
    assert _candidates(jx_home, "lagging") == before


def test_an_artefact_of_an_earlier_model_design_is_refused_clearly(jx_home):
    features = pd.DataFrame({name: [float(i % 7) for i in range(40)] for name in FEATURES})
    features["tender_id"], features["period"] = [f"T{i:02d}" for i in range(40)], "2026-05"
    frames = {"int_procurement__tender_features": features,
              "int_audit__confirmed_tenders": pd.DataFrame({"tender_id": ["T00", "T07", "T14", "T21"]})}
    trained = registry.fit("integrity", frames)
    assert trained is not None and trained.meta["format"] == IntegrityModel.FORMAT
    folder = artefacts.current_folder("integrity")
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    meta["format"] = IntegrityModel.FORMAT - 1
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StaleArtefact) as refused:
        artefacts.load("integrity")
    assert f"format {IntegrityModel.FORMAT - 1}" in str(refused.value) and "jixiao train" in str(refused.value)


def test_ensure_trains_on_first_use_and_reuses_afterwards(jx_home):
    first = registry.ensure("lagging", _scores())
    again = registry.ensure("lagging", _scores())
    assert first.version == again.version and len(_candidates(jx_home, "lagging")) == 1


def test_a_model_trained_and_applied_in_a_helper_process_is_the_one_trained_here(jx_home):
    here = registry.fit("lagging", _scores())
    scores = _scores()["fct_dept_score"]
    with helper_processes(1) as pool:
        there = registry.fit("lagging", _scores())
        applied = registry.applying_version("lagging", there.version, lagging.score, scores).result()
        loaded = pool.submit(eval, "__import__('jixiao.models.registry', fromlist=['_'])._artefact_at.cache_info()"
                                   ".currsize").result()
    assert there.version > here.version and there.folder.name == there.version
    assert there.meta["metrics"] == here.meta["metrics"]
    assert loaded == 1, "the helper loaded the artefact from its folder and applied it there"
    pd.testing.assert_frame_equal(applied, lagging.score(here.model, scores))
    assert registry.applying_version("lagging", here.version, lagging.score, scores).result().equals(applied), \
        "without helpers: applied here"


def test_the_promoted_version_is_found_or_trained_without_loading_the_model_and_applied_by_version(jx_home):
    scores = _scores()["fct_dept_score"]
    version, meta = registry.ensure_version("lagging", _scores())  # none yet: trained
    trained = artefacts.load("lagging")
    assert version == trained.version and meta == trained.meta
    assert registry.ensure_version("lagging", lambda: pytest.fail("trained again")) == (version, meta)
    expected = lagging.score(trained.model, scores)
    pd.testing.assert_frame_equal(registry.applying_version("lagging", version, lagging.score, scores).result(), expected)
    with helper_processes(1):
        there = registry.applying_version("lagging", version, lagging.score, scores).result()
    pd.testing.assert_frame_equal(there, expected)
    _make_stale("lagging")  # the model file is unreadable too: refused from the metadata, never unpickled
    with pytest.raises(StaleArtefact, match="jixiao train"):
        registry.ensure_version("lagging", _scores())
