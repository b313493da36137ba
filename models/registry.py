"""Every model the platform trains, the warehouse relations it learns from, and how to (re)train it.

``train(names)`` (what ``jixiao train`` and the retraining DAG call) reads the published warehouse;
``ensure(name, frames)`` is what the build's dbt Python models call: it loads the current artefact, or
trains one from the frames the model already read when none exists yet (first use). An artefact
written by another scikit-learn version is never loaded (StaleArtefact): retrain it.
"""
from __future__ import annotations

import importlib
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import duckdb
import pandas as pd

from jixiao.models import artefacts, integrity, lagging, retraining, text
from jixiao.models.artefacts import Artefact, ArtefactError, StaleArtefact
from jixiao.runtime.config import Settings, settings
from jixiao.runtime.processes import helpers

Frames = dict[str, pd.DataFrame]
T = TypeVar("T")


def _integrity(frames: Frames):
    confirmed = set(frames["int_audit__confirmed_tenders"]["tender_id"].astype(str))
    return integrity.train(frames["int_procurement__tender_features"], confirmed)


def _sentiment(frames: Frames):
    return text.train_sentiment(frames["stg_service_review__reviews"])


def _topic(frames: Frames):
    tickets = frames["stg_hotline_12345__tickets_created"]
    return text.train_classifier(tickets["ticket_text"], tickets["category"])


def _routing(frames: Frames):
    tickets = frames["stg_hotline_12345__tickets_created"]
    types = frames["dim_department"].set_index("dept_code")["dept_type"]
    return text.train_classifier(tickets["ticket_text"], tickets["dept_code"].map(types))


def _lagging(frames: Frames):
    return lagging.train(frames["fct_dept_score"])


class NothingToLearn(ArtefactError):
    """The training data holds nothing to learn from yet (no rows, a single class)."""


@dataclass(frozen=True)
class Spec:
    name: str
    relations: tuple[str, ...]
    fit: Callable[[Frames], tuple[object, dict]]


SPECS = {spec.name: spec for spec in (
    Spec(integrity.NAME, ("intermediate.int_procurement__tender_features", "intermediate.int_audit__confirmed_tenders"),
         _integrity),
    Spec(text.SENTIMENT, ("staging.stg_service_review__reviews",), _sentiment),
    Spec(text.TOPIC, ("staging.stg_hotline_12345__tickets_created",), _topic),
    Spec(text.ROUTING, ("staging.stg_hotline_12345__tickets_created", "marts.dim_department"), _routing),
    Spec(lagging.NAME, ("marts.fct_dept_score",), _lagging),
)}
"""Model name → the warehouse relations (schema.table) it learns from and its fitting function."""


def fit(name: str, frames: Frames, cfg: Settings | None = None) -> Artefact | None:
    """Train ``name`` on ``frames`` (relation name without schema → DataFrame) into a candidate, gate it, and
    promote it when it passes; the promoted artefact, or None (nothing promoted) when there is nothing to learn
    from yet (no rows, a single class) or the candidate failed its gate (its ``gate.json`` says why).

    While the build's helper processes run (:func:`jixiao.runtime.processes.helper_processes`), one of them trains
    and this thread waits without holding the interpreter lock the build's other dbt thread needs."""
    cfg = cfg or settings()
    return artefacts.load(name, cfg) if _trained(name, frames, cfg) else None


def _trained(name: str, frames: Frames, cfg: Settings) -> bool:
    """Train, gate and promote ``name`` in a helper process if the build's helpers run, else here; promoted?"""
    pool = helpers()
    ahead = text.tokens_ahead() if name == text.SENTIMENT else {}
    if pool is None:
        return _train_and_promote(name, frames, cfg, ahead)
    return pool.submit(_train_and_promote, name, frames, cfg, ahead).result()


def _train_and_promote(name: str, frames: Frames, cfg: Settings, tokens_ahead: dict) -> bool:
    text.use_tokens(tokens_ahead)
    trainer = TRAINERS[name].on(frames)
    try:
        candidate = retraining.train_candidate(trainer, cfg, retraining.version_for("first-use"))
    except NothingToLearn:
        return False
    if not retraining.check_gate(trainer, candidate, cfg).passed:
        return False
    retraining.promote(candidate, cfg)
    return True


def applying_version(name: str, version: str, function: Callable[..., T], *args,
                     cfg: Settings | None = None) -> Future[T]:
    """``function(model, *args)`` with version ``version`` of ``name``: in a helper process while the build's helpers
    run (each loads the artefact from its folder once), else here; a future of its result, so several can run at
    once. This process loads the model only if no helper runs."""
    pool = helpers()
    if pool is not None:
        return pool.submit(_apply, name, str(artefacts.version_folder(name, version, cfg)), function, args)
    return _done(function(artefacts.load_version(name, version, cfg).model, *args))


def _done(result: T) -> Future[T]:
    done: Future[T] = Future()
    done.set_result(result)
    return done


@lru_cache(maxsize=8)
def _artefact_at(name: str, folder: str) -> Artefact:
    return artefacts.load_folder(name, Path(folder))


def _apply(name: str, folder: str, function: Callable, args: tuple):
    return function(_artefact_at(name, folder).model, *args)


def untrained(cfg: Settings | None = None) -> list[str]:
    """The models with no promoted artefact yet: a build trains them on first use."""
    return [name for name in SPECS if artefacts.current_folder(name, cfg) is None]


def warm_helper() -> None:
    """What a build's helper process loads as it starts: the models' and the scoring's libraries, jieba's dictionary."""
    importlib.import_module("jixiao.scoring.department")
    text.warm()


def ensure(name: str, frames: Frames | Callable[[], Frames], cfg: Settings | None = None) -> Artefact | None:
    """The promoted artefact of ``name``, trained from ``frames`` first if there is none (StaleArtefact is raised).
    ``frames`` may be a function returning them, called only when training.

    None while there is nothing to train on, or while no candidate has passed the gate.
    """
    try:
        return artefacts.load(name, cfg)
    except StaleArtefact:
        raise
    except ArtefactError:
        return fit(name, frames() if callable(frames) else frames, cfg)


def ensure_version(name: str, frames: Frames | Callable[[], Frames],
                   cfg: Settings | None = None) -> tuple[str, dict] | None:
    """:func:`ensure` without loading the model: the promoted version of ``name`` and its metadata, trained from
    ``frames`` first if there is none; None as :func:`ensure`. Refuses another scikit-learn's artefact
    (StaleArtefact) from its metadata; the model's own format is checked where it is loaded."""
    cfg = cfg or settings()
    if artefacts.current_folder(name, cfg) is None and not _trained(name, frames() if callable(frames) else frames, cfg):
        return None
    folder, meta = artefacts.current_folder(name, cfg), artefacts.current_meta(name, cfg)
    artefacts.check_compatible(meta, folder)
    return folder.name, meta


def read_frames(con: duckdb.DuckDBPyConnection, relations) -> Frames:
    return {relation.split(".")[1]: con.execute(f"select * from {relation}").df() for relation in relations}


def train(names: tuple[str, ...] | None = None, cfg: Settings | None = None,
          on_model: Callable[[str, retraining.GateDecision | None], None] | None = None) -> list[retraining.GateDecision]:
    """Retrain ``names`` (default: all) from the published warehouse, each into a candidate behind its gate
    (promoted only when it passes, as the retraining DAG does); return the gate decisions.

    ``on_model(name, decision)`` is called after each model (decision None: not enough data, skipped).
    """
    cfg = cfg or settings()
    names = names or tuple(SPECS)
    unknown = sorted(set(names) - set(SPECS))
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; models: {', '.join(SPECS)}")
    if not cfg.warehouse_path.exists():
        raise ArtefactError(f"no published warehouse at {cfg.warehouse_path}: run `jixiao build` first")
    decisions = []
    for name in names:
        try:
            candidate = retraining.train_candidate(TRAINERS[name], cfg, retraining.version_for("jixiao-train"))
        except NothingToLearn:
            decision = None
        else:
            decision = retraining.check_gate(TRAINERS[name], candidate, cfg)
            if decision.passed:
                retraining.promote(candidate, cfg)
            decisions.append(decision)
        if on_model:
            on_model(name, decision)
    return decisions


@dataclass(frozen=True)
class Trainer:
    """One model for the retraining DAG: train on the published warehouse into a folder, return held-out metrics.

    ``gate``: the held-out metrics a candidate must reach (higher is better) before it is promoted.
    """

    name: str
    gate: dict[str, float]
    tolerance: float = 0.02
    frames: Frames | None = field(default=None, compare=False, repr=False)

    def on(self, frames: Frames) -> "Trainer":
        """This trainer learning from ``frames`` (what a dbt model already read) instead of the published warehouse."""
        return replace(self, frames=frames)

    def train(self, cfg: Settings, out_dir) -> dict[str, float]:
        frames = self.frames
        if frames is None:
            with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
                frames = read_frames(con, SPECS[self.name].relations)
        started = time.monotonic()
        model, meta = SPECS[self.name].fit(frames)
        if model is None:
            raise NothingToLearn(f"not enough data to train {self.name} yet")
        meta["training_seconds"] = round(time.monotonic() - started, 2)
        artefacts.write(out_dir, model, {"name": self.name, **meta})
        return {k: float(v) for k, v in meta["metrics"].items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


TRAINERS = {t.name: t for t in (
    Trainer(integrity.NAME, {"served_auc_on_audit_labels": 0.8}),
    Trainer(text.SENTIMENT, {"held_out_real_accuracy": 0.8}),
    Trainer(text.TOPIC, {"held_out_accuracy": 0.8}),
    Trainer(text.ROUTING, {"held_out_top3_accuracy": 0.5}),
    Trainer(lagging.NAME, {"time_ordered_auc": 0.7}),
)}
"""The models as the retraining DAG's registry (``jixiao.models:TRAINERS``)."""
