"""Retraining with a metric gate: train a candidate artefact, check its metrics, promote it only if it passes.

The interface a model provides (``jixiao.models.TRAINERS``, a mapping name → trainer; the DAG
``jixiao_retrain`` and ``jixiao train`` use it)::

    class Trainer(Protocol):
        name: str
        gate: dict[str, float]     # held-out metric → the least a candidate must reach (higher is better)
        tolerance: float           # how much below the promoted model's metric a candidate may fall

        def train(self, cfg: Settings, out_dir: Path) -> dict[str, float]:
            '''Train on the published warehouse, write the artefact (and its metadata) into out_dir,
            return the held-out metrics (every metric named in ``gate`` among them).'''

Artefacts live under ``$JX_HOME/models/<name>/``: ``candidates/<version>/`` (artefact, ``metrics.json``,
``gate.json``) and ``current.json``, the pointer to the promoted version, replaced atomically; inference
loads what ``current_artefact`` returns, so a candidate is never used before it passed the gate. The
build step ``model_versions`` turns them into ``marts.fct_model_version``.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import duckdb

from jixiao.runtime.config import Settings

DEFAULT_REGISTRY = "jixiao.models:TRAINERS"


class Trainer(Protocol):
    name: str
    gate: dict[str, float]
    tolerance: float

    def train(self, cfg: Settings, out_dir: Path) -> dict[str, float]: ...


@dataclass(frozen=True)
class TrainedCandidate:
    name: str
    version: str
    path: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class GateDecision:
    name: str
    version: str
    passed: bool
    reasons: list[str]
    promoted_metrics: dict[str, float] | None


def load_trainers(registry: str = DEFAULT_REGISTRY) -> dict[str, Trainer]:
    """The trainers of a ``module:attribute`` registry (a mapping name → trainer)."""
    module_name, _, attribute = registry.partition(":")
    try:
        trainers = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        raise LookupError(f"{registry} does not exist: the model code must provide it "
                          "(see jixiao.models.retraining for the interface)") from None
    return dict(trainers)


def model_dir(cfg: Settings, name: str) -> Path:
    return cfg.home / "models" / name


def version_for(run_id: str) -> str:
    """A folder-safe, sortable version name for a training run."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', run_id)[-60:]}"


def train_candidate(trainer: Trainer, cfg: Settings, version: str) -> TrainedCandidate:
    """Train into ``candidates/<version>/`` (written under a temporary name, renamed when complete)."""
    candidates = model_dir(cfg, trainer.name) / "candidates"
    final = candidates / version
    staging = candidates / f".{version}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        metrics = {k: float(v) for k, v in trainer.train(cfg, staging).items()}
    except BaseException:  # nothing to learn, or a failure: leave no half-written candidate (nor empty folders)
        shutil.rmtree(staging, ignore_errors=True)
        for folder in (candidates, candidates.parent):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    (staging / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    os.rename(staging, final)
    return TrainedCandidate(trainer.name, version, str(final), metrics)


def current_artefact(cfg: Settings, name: str) -> dict | None:
    """The promoted version of a model (``version``, ``path``, ``metrics``, ``promoted_at``), or None."""
    pointer = model_dir(cfg, name) / "current.json"
    return json.loads(pointer.read_text(encoding="utf-8")) if pointer.exists() else None


def check_gate(trainer: Trainer, candidate: TrainedCandidate, cfg: Settings) -> GateDecision:
    """Pass when every gate metric was measured and reaches its floor (a NaN does not) and none falls below the
    promoted one by more than tolerance.

    The decision is kept beside the candidate (``gate.json``).
    """
    promoted = current_artefact(cfg, trainer.name)
    measured = candidate.metrics
    reasons = [f"{metric} not measured (e.g. no labels yet)" for metric in trainer.gate if metric not in measured]
    reasons += [f"{metric} {measured[metric]:.4f} < floor {floor:.4f}" for metric, floor in trainer.gate.items()
                if metric in measured and not measured[metric] >= floor]  # NaN fails
    if promoted:
        reasons += [f"{metric} {candidate.metrics[metric]:.4f} < promoted {promoted['metrics'][metric]:.4f} "
                    f"− tolerance {trainer.tolerance}"
                    for metric in trainer.gate if metric in promoted["metrics"] and metric in measured
                    and candidate.metrics[metric] < promoted["metrics"][metric] - trainer.tolerance]
    decision = GateDecision(trainer.name, candidate.version, not reasons, reasons,
                            promoted["metrics"] if promoted else None)
    Path(candidate.path, "gate.json").write_text(json.dumps(asdict(decision), indent=1), encoding="utf-8")
    return decision


def promote(candidate: TrainedCandidate, cfg: Settings) -> dict:
    """Point ``current.json`` at the candidate (atomic replace); return the new pointer."""
    pointer = {**asdict(candidate), "promoted_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    target = model_dir(cfg, candidate.name) / "current.json"
    tmp = target.with_name(".current.json.tmp")
    tmp.write_text(json.dumps(pointer, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return pointer


MODEL_VERSION_COLUMNS = """
    model varchar, version varchar, trained_at timestamptz, metrics json, gate_passed boolean, gate_reasons json,
    in_use boolean
"""


def load_model_versions(con: duckdb.DuckDBPyConnection, cfg: Settings) -> dict:
    """Build ``marts.fct_model_version``: every trained candidate, its metrics, gate decision, and the one in use."""
    rows = []
    for metrics in sorted((cfg.home / "models").glob("*/candidates/*/metrics.json")):
        folder, name = metrics.parent, metrics.parent.parent.parent.name
        gate = json.loads((folder / "gate.json").read_text(encoding="utf-8")) if (folder / "gate.json").exists() \
            else {"passed": None, "reasons": []}
        current = current_artefact(cfg, name)
        rows.append((name, folder.name, datetime.fromtimestamp(metrics.stat().st_mtime, timezone.utc),
                     metrics.read_text(encoding="utf-8"), gate["passed"], json.dumps(gate["reasons"], ensure_ascii=False),
                     bool(current and current["version"] == folder.name)))
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.fct_model_version ({MODEL_VERSION_COLUMNS})")
    if rows:
        con.executemany("insert into marts.fct_model_version values (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("comment on table marts.fct_model_version is '模型版本：每个候选模型的指标、准入门槛结论及当前使用版本 "
                "(every trained model candidate: metrics, gate decision, the version in use)'")
    return {"versions": len(rows), "in_use": sorted(r[0] for r in rows if r[6])}
