"""Trained artefacts: one folder per model under ``$JX_HOME/models/<name>/``, one numbered version per training.

Each version is ``v<N>/model.joblib`` plus ``v<N>/meta.json`` (training window, row and label counts,
metrics, library versions, when); ``<name>/CURRENT`` names the version in use, unless the retraining
DAG's gate has promoted a candidate (``<name>/current.json``), which then wins. An artefact written by
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
    meta = write(tmp, model, {"name": name, "version": version, **meta})
    os.replace(tmp, target)
    current = folder / ".CURRENT.tmp"
    current.write_text(f"v{version}\n", encoding="utf-8")
    os.replace(current, folder / "CURRENT")
    return Artefact(name, version, model, meta)


def write(folder: Path, model: object, meta: dict) -> dict:
    """Write ``model.joblib`` and ``meta.json`` (with library versions and a timestamp) into ``folder``."""
    meta = {**meta, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "libraries": library_versions()}
    joblib.dump(model, folder / "model.joblib", compress=3)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return meta


def current_folder(name: str, cfg: Settings | None = None) -> Path | None:
    """The folder of the artefact in use: the one the retraining gate promoted (``current.json``, see the
    retraining DAG) if any, else ``v<N>`` named by ``CURRENT``; None when ``name`` was never trained."""
    folder = models_dir(cfg) / name
    promoted = folder / "current.json"
    if promoted.exists():
        return Path(json.loads(promoted.read_text(encoding="utf-8"))["path"])
    pointer = folder / "CURRENT"
    return folder / pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


def current_meta(name: str, cfg: Settings | None = None) -> dict | None:
    """The metadata of the artefact in use (None when it was never trained)."""
    where = current_folder(name, cfg)
    return None if where is None else json.loads((where / "meta.json").read_text("utf-8"))


def check_compatible(meta: dict, where: Path) -> None:
    """Refuse an artefact written by another scikit-learn version, with what to do about it."""
    trained = meta.get("libraries", {}).get("scikit-learn")
    installed = metadata.version("scikit-learn")
    if trained != installed:
        raise StaleArtefact(f"model artefact {where} was trained with scikit-learn {trained}, but {installed} is "
                            f"installed; refusing to load it — retrain with `jixiao train` (or delete {where.parent})")


def load(name: str, cfg: Settings | None = None) -> Artefact:
    """The current version of ``name``; ArtefactError when there is none, StaleArtefact for another sklearn."""
    where = current_folder(name, cfg)
    if where is None:
        raise ArtefactError(f"no trained {name} model under {models_dir(cfg) / name}: run `jixiao train`")
    meta = json.loads((where / "meta.json").read_text("utf-8"))
    check_compatible(meta, where)
    return Artefact(name, meta.get("version", 0), joblib.load(where / "model.joblib"), meta)
