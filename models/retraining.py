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

Artefacts live under ``$JX_HOME/models/<name>/``: ``candidates/<version>/`` (artefact + ``metrics.json``)
and ``current.json``, the pointer to the promoted version, replaced atomically; inference loads what
``current_artefact`` returns, so a candidate is never used before it passed the gate.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

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
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', run_id)[-60:]}"


def train_candidate(trainer: Trainer, cfg: Settings, version: str) -> TrainedCandidate:
    """Train into ``candidates/<version>/`` (written under a temporary name, renamed when complete)."""
    candidates = model_dir(cfg, trainer.name) / "candidates"
    final = candidates / version
    staging = candidates / f".{version}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    staging.mkdir(parents=True)
    metrics = {k: float(v) for k, v in trainer.train(cfg, staging).items()}
    missing = [m for m in trainer.gate if m not in metrics]
    if missing:
        raise ValueError(f"trainer {trainer.name} returned no {', '.join(missing)} (its gate needs them)")
    (staging / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    os.rename(staging, final)
    return TrainedCandidate(trainer.name, version, str(final), metrics)


def current_artefact(cfg: Settings, name: str) -> dict | None:
    """The promoted version of a model (``version``, ``path``, ``metrics``, ``promoted_at``), or None."""
    pointer = model_dir(cfg, name) / "current.json"
    return json.loads(pointer.read_text(encoding="utf-8")) if pointer.exists() else None


def check_gate(trainer: Trainer, candidate: TrainedCandidate, cfg: Settings) -> GateDecision:
    """Pass when every gate metric reaches its floor and none falls below the promoted one by more than tolerance."""
    promoted = current_artefact(cfg, trainer.name)
    reasons = [f"{metric} {candidate.metrics[metric]:.4f} < floor {floor:.4f}"
               for metric, floor in trainer.gate.items() if candidate.metrics[metric] < floor]
    if promoted:
        reasons += [f"{metric} {candidate.metrics[metric]:.4f} < promoted {promoted['metrics'][metric]:.4f} "
                    f"− tolerance {trainer.tolerance}"
                    for metric in trainer.gate if metric in promoted["metrics"]
                    and candidate.metrics[metric] < promoted["metrics"][metric] - trainer.tolerance]
    return GateDecision(trainer.name, candidate.version, not reasons, reasons,
                        promoted["metrics"] if promoted else None)


def promote(candidate: TrainedCandidate, cfg: Settings) -> dict:
    """Point ``current.json`` at the candidate (atomic replace); return the new pointer."""
    pointer = {**asdict(candidate), "promoted_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    target = model_dir(cfg, candidate.name) / "current.json"
    tmp = target.with_name(".current.json.tmp")
    tmp.write_text(json.dumps(pointer, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return pointer
