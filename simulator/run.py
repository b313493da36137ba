"""Run the simulator: a seeded province emits a number of months of events into a sink."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jixiao.runtime.config import settings
from jixiao.simulator import planted
from jixiao.simulator.month import MonthEvents
from jixiao.simulator.province import load_province
from jixiao.simulator.sources import (appraisal, approval, audit, finance, gov_oa, hotline_12345, petition, procurement,
                               project_progress, public_opinion, service_review)
from jixiao.simulator.world import SCALES, TZ, Month, World, month_bounds

GENERATORS = (gov_oa, hotline_12345, service_review, finance, procurement, audit, petition, project_progress,
              public_opinion, approval, appraisal)
"""One module per source system, called in this order every month (audit after procurement)."""
DEFAULT = object()


def default_truth_path() -> Path:
    """Where the ground truth goes unless told otherwise: ``$JX_HOME/simulator/ground_truth.json``."""
    return settings().simulator_dir / "ground_truth.json"


def simulate(sink, scale: str = "S", seed: int = 7, start: str = "2026-01", months: int = 12,
             truth_path: Path | None = DEFAULT, progress: bool = True,
             planted_overrides: dict | None = None, variant: str | None = None) -> dict[str, int]:
    """Generate ``months`` months from ``start`` (YYYY-MM) at ``scale``; return messages written per source.

    Messages include planted duplicates and malformed records. The planted truth goes to ``truth_path``
    (default :func:`default_truth_path`; None writes none) — evaluation only, no pipeline stage reads it.
    ``planted_overrides`` ({case: {key: value}}) adjusts ``config/planted.yaml`` for this run, on top of
    a named ``variant`` (``config/variants/<name>.yaml``, e.g. ``hard_procurement``).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    first = datetime.strptime(start, "%Y-%m").replace(tzinfo=TZ)
    world = World(load_province(cities=SCALES[scale].cities), np.random.default_rng(seed), SCALES[scale].volume)
    overrides = planted.variant(variant) if variant else {}
    for case, values in (planted_overrides or {}).items():
        overrides[case] = {**overrides.get(case, {}), **values}
    plan = planted.plan(world, planted.load_config(overrides=overrides), months)
    written: dict[str, int] = {}
    pending, late = MonthEvents(), MonthEvents()
    columns = [TextColumn("[bold]simulate[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("months", total=months)
        for m in range(months):
            month = Month(m, *month_bounds(first, m))
            batch = MonthEvents()
            plan.start_month(world, month)
            for source in GENERATORS:
                source.generate(world, month, batch, plan)
            batch.extend(pending)
            batch, pending = batch.split(month.end_s)  # what is still pending at the end never happened
            batch = planted.inject_stream_faults(world, plan, batch, late, month)
            if m == months - 1:
                batch.extend(late)
            else:
                due, late = late.split(month.end_s)
                batch.extend(due)
            _write(sink, batch, written)
            bar.update(task, advance=1, description=f"{month.period} ({sum(written.values()):,} messages)")
    sink.close()
    if truth_path is DEFAULT:
        truth_path = default_truth_path()
    if truth_path is not None:
        first_month = Month(0, *month_bounds(first, 0))
        _write_truth(Path(truth_path), world, plan.hidden, plan.truth(world, first_month), scale, seed, start, months,
                     variant)
    return written


def _write(sink, batch: MonthEvents, written: dict[str, int]) -> None:
    sources, keys, values, instants = batch.encoded()
    sink.write_many(sources, keys, values, instants)
    for source, count in Counter(sources).items():
        written[source] = written.get(source, 0) + count


def _write_truth(path: Path, world: World, hidden: list[np.ndarray], cases: dict, scale: str, seed: int, start: str,
                 months: int, variant: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    truth = {
        "scale": scale, "seed": seed, "start": start, "months": months, **({"variant": variant} if variant else {}),
        # mean hidden performance over the simulated months (per month: ``hidden_performance``)
        "latent_performance": {code: round(float(p), 6) for code, p in zip(world.codes, np.mean(hidden, axis=0))},
        "spending_efficiency": {code: round(float(e), 6) for code, e in zip(world.codes, world.efficiency)},
        **cases,
    }
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
