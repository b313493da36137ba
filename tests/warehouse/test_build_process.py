"""The build process's runtime settings: the garbage collector's thresholds while the steps run, the native thread
pools while dbt runs."""
from __future__ import annotations

import gc
from contextlib import nullcontext

import pytest
from threadpoolctl import threadpool_info

from jixiao import pipeline, warehouse
from jixiao.models import text
from jixiao.runtime.config import settings
from jixiao.runtime.processes import BUILD_YOUNG_GC_THRESHOLD, native_threads_per_node


def _recording(seen: list, fail: bool = False):
    def run(candidate, progress):
        seen.append(gc.get_threshold())
        if fail:
            raise RuntimeError("step failed")
        return {}
    return run


def test_build_steps_run_with_fewer_young_collections_and_the_thresholds_come_back(jx_home, monkeypatch):
    before = gc.get_threshold()
    seen: list = []
    monkeypatch.setattr(pipeline, "BUILD_STEPS", (pipeline.Step("a", "a", _recording(seen)),
                                                  pipeline.Step("b", "b", _recording(seen))))
    pipeline.build(settings())
    assert seen == [(BUILD_YOUNG_GC_THRESHOLD, *before[1:])] * 2
    assert gc.get_threshold() == before

    monkeypatch.setattr(pipeline, "BUILD_STEPS", (pipeline.Step("a", "a", _recording(seen, fail=True)),))
    with pytest.raises(RuntimeError):
        pipeline.run_step("a", settings())
    assert seen[-1] == (BUILD_YOUNG_GC_THRESHOLD, *before[1:]) and gc.get_threshold() == before


def _pool_threads() -> dict[str, int]:
    return {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()}


@pytest.mark.parametrize(("cores", "nodes", "threads"), [(2, 2, 1), (1, 2, 1), (8, 2, 4), (9, 2, 4), (4, 1, 4)])
def test_each_node_running_at_once_gets_its_share_of_the_cores(cores, nodes, threads):
    assert native_threads_per_node(nodes, available=cores) == threads


def test_dbt_runs_with_the_native_pools_cut_to_a_nodes_share_and_they_come_back(jx_home, monkeypatch):
    seen: list[dict[str, int]] = []
    monkeypatch.setattr(text, "corpus_tokens_ahead", lambda wanted: nullcontext())
    monkeypatch.setattr(warehouse, "dbt_build", lambda candidate, select, on_node: seen.append(_pool_threads()))
    monkeypatch.setattr(warehouse, "dbt_threads", lambda: 4)
    monkeypatch.setattr(pipeline, "native_threads_per_node", lambda nodes: {4: 1}[nodes])
    before = _pool_threads()
    assert len(before) >= 2, "scikit-learn's native pools (OpenBLAS, OpenMP) are loaded with jixiao.models.text"
    pipeline.build(settings(), skip=tuple(name for name in pipeline.STEP_NAMES if name != "dbt"))
    assert seen == [{path: 1 for path in before}]
    assert _pool_threads() == before


def test_the_node_count_is_the_concurrency_dbt_builds_with(simulated_platform):
    log = (simulated_platform.cfg.home / "dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert f"Concurrency: {warehouse.dbt_threads()} threads (target='build')" in log
