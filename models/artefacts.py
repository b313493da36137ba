"""Trained artefacts: one folder per model under ``$JX_HOME/models/<name>/``, one numbered version per training.

Each version is ``v<N>/model.joblib`` plus ``v<N>/meta.json`` (training window, row and label counts,
metrics, library versions, when); ``<name>/CURRENT`` names the version in use. An artefact written by
another scikit-learn version is refused before it is unpickled (pickles do not cross versions safely):
the error says which versions and how to retrain.
"""
from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import joblib

from jixiao.runtime.config import Settings, settings

LIBRARIES = ("scikit-learn", "numpy", "pandas", "jieba", "joblib")


class ArtefactError(RuntimeError):
    """No usable artefact: missing, or written by other library versions."""


class StaleArtefact(ArtefactError):
    """The artefact was trained with another scikit-learn version."""


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in LIBRARIES}}


def models_dir(cfg: Settings | None = None) -> Path:
    return (cfg or settings()).home / "models"


@dataclass
class Artefact:
    """A loaded model object and its metadata."""

    name: str
    version: int
    model: object
    meta: dict


def save(name: str, model: object, meta: dict, cfg: Settings | None = None) -> Artefact:
    """Write a new version of ``name`` and make it current; ``meta`` gets library versions and a timestamp."""
    folder = models_dir(cfg) / name
    folder.mkdir(parents=True, exist_ok=True)
    versions = [int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit()]
    version = max(versions, default=0) + 1
    target = folder / f"v{version}"
    tmp = folder / f".v{version}.tmp"
    tmp.mkdir()
    meta = {"name": name, "version": version, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "libraries": library_versions(), **meta}
    joblib.dump(model, tmp / "model.joblib", compress=3)
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, target)
    current = folder / ".CURRENT.tmp"
    current.write_text(f"v{version}\n", encoding="utf-8")
    os.replace(current, folder / "CURRENT")
    return Artefact(name, version, model, meta)


def current_meta(name: str, cfg: Settings | None = None) -> dict | None:
    """The metadata of the current version of ``name`` (None when it was never trained)."""
    pointer = models_dir(cfg) / name / "CURRENT"
    if not pointer.exists():
        return None
    return json.loads((pointer.parent / pointer.read_text(encoding="utf-8").strip() / "meta.json").read_text("utf-8"))


def check_compatible(meta: dict, where: Path) -> None:
    """Refuse an artefact written by another scikit-learn version, with what to do about it."""
    trained = meta.get("libraries", {}).get("scikit-learn")
    installed = metadata.version("scikit-learn")
    if trained != installed:
        raise StaleArtefact(f"model artefact {where} was trained with scikit-learn {trained}, but {installed} is "
                            f"installed; refusing to load it — retrain with `jixiao train` (or delete {where.parent})")


def load(name: str, cfg: Settings | None = None) -> Artefact:
    """The current version of ``name``; ArtefactError when there is none, StaleArtefact for another sklearn."""
    meta = current_meta(name, cfg)
    folder = models_dir(cfg) / name
    if meta is None:
        raise ArtefactError(f"no trained {name} model under {folder}: run `jixiao train`")
    where = folder / f"v{meta['version']}"
    check_compatible(meta, where)
    return Artefact(name, meta["version"], joblib.load(where / "model.joblib"), meta)
