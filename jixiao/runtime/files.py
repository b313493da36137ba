"""Durable file-system steps shared by the stages that publish or log to files (landing zone, warehouse,
ledger, review decisions)."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (files created, renamed or removed in it) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_folder(folder: Path) -> None:
    """``mkdir -p`` that fsyncs the parent of every folder it creates, so a new folder survives a crash."""
    if folder.is_dir():
        return
    make_folder(folder.parent)
    try:
        folder.mkdir()
    except FileExistsError:
        return
    fsync_folder(folder.parent)


def append_lines(path: Path, data: bytes) -> None:
    """Append whole lines and make them durable (file and, when it is new, its folder)."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_folder(path.parent)


def tree_digest(root: Path, suffixes: tuple[str, ...], skipped_names: Iterable[str] = (),
                skipped_paths: Iterable[Path] = ()) -> str:
    """SHA-256 over the files under ``root`` whose name ends with one of ``suffixes``, each with its path relative to
    ``root``, in a fixed order. Folders named in ``skipped_names``, hidden folders (a venv, .git) and the folders
    ``skipped_paths`` are not entered."""
    names, paths = set(skipped_names), {path.resolve() for path in skipped_paths}
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in names and not d.startswith(".")
                               and Path(folder, d).resolve() not in paths)
        for name in sorted(f for f in files if f.endswith(suffixes)):
            path = Path(folder, name)
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
