"""Trained artefacts: one folder per model under ``$JX_HOME/models/<name>/``, one candidate per training.

Each candidate is ``candidates/<version>/model.joblib`` plus ``meta.json`` (training window, row and label
counts, metrics, library versions, when) and the gate's ``metrics.json``/``gate.json``; ``current.json``
points at the promoted one (see :mod:`jixiao.models.retraining`), the only one inference loads. An artefact
written by another scikit-learn version is refused before it is unpickled (pickles do not cross versions
safely): the error says which versions and how to retrain.
"""
from __future__ import annotations

import json
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
    version: str
    model: object
    meta: dict
    folder: Path


def write(folder: Path, model: object, meta: dict) -> dict:
    """Write ``model.joblib`` and ``meta.json`` (with library versions and a timestamp) into ``folder``."""
    meta = {**meta, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "libraries": library_versions()}
    if getattr(type(model), "FORMAT", None) is not None:  # a model class that says which design it is
        meta["format"] = type(model).FORMAT
    joblib.dump(model, folder / "model.joblib", compress=3)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return meta


def current_folder(name: str, cfg: Settings | None = None) -> Path | None:
    """The folder of the promoted artefact of ``name``; None when none was ever promoted."""
    pointer = models_dir(cfg) / name / "current.json"
    return Path(json.loads(pointer.read_text(encoding="utf-8"))["path"]) if pointer.exists() else None


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
    return load_folder(name, where)


def version_folder(name: str, version: str, cfg: Settings | None = None) -> Path:
    """The folder of version ``version`` of ``name``, promoted now or not."""
    return models_dir(cfg) / name / "candidates" / version


def load_version(name: str, version: str, cfg: Settings | None = None) -> Artefact:
    """Version ``version`` of ``name``, promoted now or not (what an earlier node of the same build used)."""
    return load_folder(name, version_folder(name, version, cfg))


def load_folder(name: str, where: Path) -> Artefact:
    """The artefact of ``name`` in the folder ``where`` (StaleArtefact for another sklearn or format)."""
    meta = json.loads((where / "meta.json").read_text("utf-8"))
    check_compatible(meta, where)
    model = joblib.load(where / "model.joblib")
    expected = getattr(type(model), "FORMAT", None)
    if expected is not None and meta.get("format") != expected:
        raise StaleArtefact(f"model artefact {where} has format {meta.get('format')}, but this jixiao's {name} model "
                            f"is format {expected}; refusing to use it — retrain with `jixiao train` "
                            f"(or delete {where.parent})")
    return Artefact(name, where.name, model, meta, where)
