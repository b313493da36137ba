"""The build process's runtime settings: the garbage collector's thresholds while the steps run, the native thread
pools while dbt runs, and dbt's parse shared by the instances of one checkout."""
from __future__ import annotations

import gc
import json
import os
from contextlib import nullcontext
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

from jixiao import pipeline, warehouse
from jixiao.models import registry, text
from jixiao.runtime.config import settings
from jixiao.runtime.processes import BUILD_YOUNG_GC_THRESHOLD, native_threads_per_node
from jixiao.warehouse import dbt, schedule
from jixiao.warehouse.candidate import Candidate


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
    monkeypatch.setattr(pipeline, "helper_processes", lambda workers, warm, native_limit: nullcontext())
    monkeypatch.setattr(warehouse, "dbt_build", lambda candidate, select, on_node: seen.append(_pool_threads()))
    monkeypatch.setattr(warehouse, "dbt_threads", lambda: 4)
    monkeypatch.setattr(pipeline, "native_threads_per_node", lambda nodes: {4: 1}[nodes])
    before = _pool_threads()
    assert len(before) >= 2, "scikit-learn's native pools (OpenBLAS, OpenMP) are loaded with jixiao.models.text"
    pipeline.build(settings(), skip=tuple(name for name in pipeline.STEP_NAMES if name != "dbt"))
    assert seen == [{path: 1 for path in before}]
    assert _pool_threads() == before


def test_a_full_build_runs_dbt_with_a_helper_per_node_a_selective_one_none(
        jx_home, monkeypatch):
    started: list[tuple[int, int]] = []

    def helpers(workers, warm, native_limit):
        started.append((workers, native_limit))
        return nullcontext()

    monkeypatch.setattr(pipeline, "helper_processes", helpers)
    monkeypatch.setattr(text, "corpus_tokens_ahead", lambda wanted: started.append(wanted) or nullcontext())
    monkeypatch.setattr(warehouse, "dbt_build", lambda candidate, select, on_node: None)
    monkeypatch.setattr(warehouse, "dbt_threads", lambda: 3)
    monkeypatch.setattr(pipeline, "native_threads_per_node", lambda nodes: {3: 2}[nodes])
    others = tuple(name for name in pipeline.STEP_NAMES if name != "dbt")
    pipeline.build(settings(), skip=others)
    pipeline.build(settings(), skip=others, select=["source:landing.hotline_12345+"])  # a --follow cycle
    monkeypatch.setattr(registry, "untrained", lambda cfg: [])
    pipeline.build(settings(), skip=others)
    assert started == [(3, 2), True, (0, 2), False, (3, 2), False], \
        "a full build with every model trained still hands the inference and the scoring to helpers"


def test_the_node_count_is_the_concurrency_dbt_builds_with(simulated_platform):
    log = (simulated_platform.cfg.home / "dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert f"Concurrency: {warehouse.dbt_threads()} threads (target='build')" in log


def test_a_build_records_its_node_times_for_the_order_of_the_next(simulated_platform):
    manifest = json.loads((simulated_platform.cfg.home / "dbt" / "target" / "manifest.json").read_text("utf-8"))
    costs = schedule.load_costs(simulated_platform.cfg.home / "dbt" / "target" / schedule.COSTS_FILE)
    built = {node for node, spec in manifest["nodes"].items() if spec["resource_type"] in ("model", "seed", "test")
             and spec["config"].get("enabled", True)}
    assert built and built <= set(costs), "every model, seed and data test of the build has its time recorded"
    tests = sorted(seconds for node, seconds in costs.items() if node.startswith("test."))
    assert costs["model.jixiao.fct_dept_score_contribution"] > tests[len(tests) // 2], "the node's own time"


def _parse_lines(home) -> list[str]:
    log = (home / "dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    return [line.split(": ", 1)[1] for line in log.splitlines() if "partial parsing" in line.lower()]


def test_a_new_instance_starts_from_the_parse_of_an_earlier_one_and_reads_its_own_files(tmp_path, monkeypatch):
    monkeypatch.setenv("JX_CACHE", str(tmp_path / "cache"))
    cwd = Path.cwd()

    def parse(home: Path) -> None:
        monkeypatch.setenv("JX_HOME", str(home))
        cfg = settings()
        candidate = Candidate(cfg)
        dbt.run_dbt(["parse"], candidate)
        assert Path.cwd() == cwd and os.environ["JX_HOME"] == str(home), "the working directory and env come back"
        assert "JX_LANDING_DIR" not in os.environ

    parse(tmp_path / "first")
    assert _parse_lines(tmp_path / "first") == ["Unable to do partial parsing because saved manifest not found. "
                                                "Starting full parse."]
    parse(tmp_path / "second")
    second = _parse_lines(tmp_path / "second")
    assert second[0] == "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed.", second
    assert not [line for line in second if "full parse" in line], "the second instance reused the first's parse"
    manifest = json.loads((tmp_path / "second" / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8"))
    source = manifest["sources"]["source.jixiao.landing.hotline_12345"]
    assert source["meta"]["external_location"].startswith("read_parquet('landing/source={name}/"), \
        "the landing zone is read relative to the instance's home, the working directory while dbt runs"
