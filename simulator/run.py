"""Run the simulator: a seeded province emits a number of months of events into a sink."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simulator.month import MonthEvents
from simulator.province import load_province
from simulator.sources import hotline_12345
from simulator.world import SCALES, TZ, World, month_bounds

GENERATORS = {hotline_12345.SOURCE: hotline_12345.generate}


def simulate(sink, scale: str = "S", seed: int = 7, start: str = "2026-01", months: int = 12,
             truth_path: Path | None = None, progress: bool = True) -> dict[str, int]:
    """Generate ``months`` months from ``start`` (YYYY-MM) at ``scale``; return events written per source.

    The planted truth goes to ``truth_path`` (evaluation only; no pipeline stage may read it).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    first = datetime.strptime(start, "%Y-%m").replace(tzinfo=TZ)
    world = World(load_province(), np.random.default_rng(seed), SCALES[scale])
    written: dict[str, int] = {}
    columns = [TextColumn("[bold]simulate[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("months", total=months)
        for m in range(months):
            month_start, month_end = month_bounds(first, m)
            batch = MonthEvents()
            for generate in GENERATORS.values():
                batch.extend(generate(world, month_start, month_end))
            for source, key, value in batch.encoded():
                sink.write(source, key, value)
                written[source] = written.get(source, 0) + 1
            bar.update(task, advance=1, description=f"{month_start:%Y-%m} ({sum(written.values()):,} events)")
    sink.close()
    if truth_path is not None:
        _write_truth(truth_path, world, scale, seed, start, months)
    return written


def _write_truth(path: Path, world: World, scale: str, seed: int, start: str, months: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    truth = {
        "scale": scale, "seed": seed, "start": start, "months": months,
        "latent_performance": {d.dept_code: round(float(p), 6)
                               for d, p in zip(world.province.departments, world.latent)},
    }
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
