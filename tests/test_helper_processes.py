"""The build's helper processes: started at once, warmed, with their share of native threads, gone afterwards;
none in a daemonic process."""
from __future__ import annotations

import multiprocessing

from threadpoolctl import threadpool_info

from jixiao.models import text
from jixiao.runtime import processes
from jixiao.runtime.processes import helper_processes, helpers


def test_helpers_start_at_once_warmed_with_their_native_share_and_end_with_the_body():
    assert helpers() is None
    with helper_processes(2, warm=(text.warm,), native_limit=1) as pool:
        assert helpers() is pool
        assert len(multiprocessing.active_children()) == 2, "both started on entry, not on first use"
        warmed = pool.submit(eval, "__import__('jixiao.models.text', fromlist=['_'])._tokenizer.cache_info()"
                                   ".currsize").result()
        assert warmed == 1, "the warm function ran in the helper"
        pools = pool.submit(threadpool_info).result()
        assert pools and {p["num_threads"] for p in pools} == {1}
    assert helpers() is None
    assert multiprocessing.active_children() == []


def test_no_helpers_for_no_workers_nor_in_a_daemonic_process(monkeypatch):
    with helper_processes(0) as pool:
        assert pool is None and helpers() is None

    class Daemonic:
        daemon = True

    monkeypatch.setattr(processes.multiprocessing, "current_process", lambda: Daemonic())
    with helper_processes(2) as pool:
        assert pool is None and helpers() is None
