"""The compact dedup window: the last N distinct ids, oldest evicted first, rebuilt from the landing zone; and the
landing worker's dedup through it (within a slice, across slices, past the window, after a restart)."""
from __future__ import annotations

import numpy as np
import orjson
import pytest

from ingest_helpers import TOPIC, hotline_event
from jixiao.ingestors.dedup import UNKNOWN_DIGEST, DedupWindow, id_hashes
from jixiao.ingestors.landing import LandingZone
from jixiao.ingestors.worker import Worker
from jixiao.runtime.config import settings


def _add(window: DedupWindow, ids: list[str], first_offset: int = 0, digest: int = 7) -> None:
    window.add(id_hashes(ids), np.arange(first_offset, first_offset + len(ids), dtype=np.int64),
               np.full(len(ids), digest, np.int64))


def _held(window: DedupWindow, ids: list[str]) -> list[bool]:
    return (window.find(id_hashes(ids)) >= 0).tolist()


def test_the_window_keeps_the_last_n_ids_and_evicts_the_oldest_first():
    window = DedupWindow(3)
    _add(window, ["a", "b"])
    assert _held(window, ["a", "b", "c"]) == [True, True, False]
    _add(window, ["c", "d"], first_offset=2)
    assert len(window) == 3
    assert _held(window, ["a", "b", "c", "d"]) == [False, True, True, True]
    at = window.find(id_hashes(["d"]))[0]
    assert (window.offsets[at], window.digests[at]) == (3, 7)
    _add(window, ["a"], first_offset=4)  # an evicted id is new again
    assert _held(window, ["a", "b", "c", "d"]) == [True, False, True, True]


def test_a_slice_larger_than_the_window_keeps_its_newest_ids():
    window = DedupWindow(2)
    _add(window, ["x"])
    _add(window, ["a", "b", "c"], first_offset=1)
    assert _held(window, ["x", "a", "b", "c"]) == [False, False, True, True]
    assert len(window) == 2 and sorted(window.offsets.tolist()) == [2, 3]


def test_the_window_rebuilt_from_the_landing_zone_keeps_the_newest_landing_of_each_id():
    recent = [("a", 11, 0), ("b", None, 1), ("a", 12, 2), ("c", 13, 3)]
    window = DedupWindow(3, recent)
    assert _held(window, ["a", "b", "c"]) == [True, True, True]
    a, b = window.find(id_hashes(["a", "b"]))
    assert (window.offsets[a], window.digests[a]) == (2, 12)
    assert window.digests[b] == UNKNOWN_DIGEST
    _add(window, ["d"], first_offset=4)  # evicts b, the oldest id still held
    assert _held(window, ["a", "b", "c", "d"]) == [True, False, True, True]
    assert _held(DedupWindow(2, recent), ["a", "b", "c"]) == [True, False, True], "only the newest `size` are read"


def test_a_window_holds_at_least_one_id():
    with pytest.raises(ValueError, match="at least one id"):
        DedupWindow(0)


def _record(i: int, text: str = "小区路灯不亮") -> bytes:
    return orjson.dumps(hotline_event(i, text))


def _land(worker: Worker, first_offset: int, values: list[bytes]) -> None:
    state = worker.states[(TOPIC, 0)]
    offsets = list(range(first_offset, first_offset + len(values)))
    worker.land(state, offsets, [None] * len(values), [None] * len(values), values)


def test_the_worker_drops_re_sends_and_dead_letters_changed_ones_within_and_across_slices_and_after_a_restart(jx_home):
    cfg = settings()
    worker = Worker(cfg, dedup_window=3)
    assert worker.assign(TOPIC, 0) == 0
    _land(worker, 0, [_record(1), _record(2), _record(1), _record(2, "路灯又坏了")])  # within one slice
    _land(worker, 4, [_record(3), _record(1), _record(4), _record(5)])  # 1 is still held; 4 and 5 evict 1 and 2
    _land(worker, 8, [_record(1, "换了内容也算新的")])  # past the window: a new event
    state = worker.states[(TOPIC, 0)]
    batch = state.batch
    assert batch.duplicates == 2
    assert state.per_reason == {"conflicting_duplicate": 1}
    assert worker.commit(TOPIC, 0, release=True)[0] == "committed"

    restarted = Worker(cfg, dedup_window=3)
    assert restarted.assign(TOPIC, 0) == 9
    _land(restarted, 9, [_record(5), _record(4, "不同的内容"), _record(2)])
    state = restarted.states[(TOPIC, 0)]
    assert state.batch.duplicates == 1 and state.per_reason == {"conflicting_duplicate": 1}
    assert restarted.commit(TOPIC, 0, release=True)[0] == "committed"

    landed = LandingZone(cfg).recent_events(TOPIC, 0, 100)
    assert [(event_id[-2:], offset) for event_id, _, offset in landed] == [
        ("01", 0), ("02", 1), ("03", 4), ("04", 6), ("05", 7), ("01", 8), ("02", 11)]
