"""Same seed → byte-identical output (topics and truth); a different seed → different output."""
from __future__ import annotations

from simrun import run_to


def _files(run) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(run.folder.glob("*.jsonl"))}


def test_same_seed_is_byte_identical_and_other_seeds_differ(tmp_path):
    first = run_to(tmp_path / "a", seed=5, months=2)
    again = run_to(tmp_path / "b", seed=5, months=2)
    other = run_to(tmp_path / "c", seed=6, months=2)
    assert _files(first) == _files(again)
    assert first.truth == again.truth
    assert first.produced == again.produced
    different = _files(other)
    busy = [name for name, data in _files(first).items() if data.count(b"\n") >= 10]
    assert len(busy) >= 9
    assert all(different[name] != _files(first)[name] for name in busy)
