"""The build process's runtime settings: the garbage collector's thresholds while the steps run."""
from __future__ import annotations

import gc

import pytest

from jixiao import pipeline
from jixiao.runtime.config import settings
from jixiao.runtime.processes import BUILD_YOUNG_GC_THRESHOLD


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
