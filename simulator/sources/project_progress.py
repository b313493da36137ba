"""重点项目进度: major projects of investment-heavy departments report a monthly milestone."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.world import DAY_S, Month, World, iso_dates, times

SOURCE = "project_progress"
PROJECT_TYPES = ("FGW", "ZJJ", "JTYSJ", "SLJ", "NYNCJ", "JYJ", "WJW")
PROJECTS_PER_DEPT = 1.5


def _launch(world: World) -> dict:
    """The portfolio of major projects, created once: start month, duration, planned investment."""
    rng = world.rng
    owners = np.flatnonzero(np.isin(world.types, PROJECT_TYPES))
    dept_idx = np.repeat(owners, rng.poisson(PROJECTS_PER_DEPT * world.volume, len(owners)))
    n = len(dept_idx)
    return {"dept_idx": dept_idx, "project_ids": world.ids("XM", n, width=7),
            "first_month": rng.integers(-18, 6, n), "duration": rng.integers(8, 37, n),
            "investment": np.round(rng.lognormal(np.log(2e8), 1.0, n), -4),
            "pace": np.clip(0.65 + 0.4 * world.latent[dept_idx] + rng.normal(0, 0.05, n), 0.4, 1.05)}


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    if SOURCE not in world.state:
        world.state[SOURCE] = _launch(world)
    projects = world.state[SOURCE]
    elapsed = month.index - projects["first_month"] + 1
    live = np.flatnonzero((elapsed >= 1) & (elapsed <= projects["duration"] + 6))
    dept_idx = projects["dept_idx"][live]
    n = len(live)
    planned_pct = np.minimum(100.0, 100.0 * elapsed[live] / projects["duration"][live])
    progress = np.round(np.clip(planned_pct * projects["pace"][live] + rng.normal(0, 2, n), 0, 100), 1)
    planned_date = month.start_s + 14 * DAY_S
    reached = progress >= 0.95 * planned_pct
    # days late: better-run departments finish more milestones on or before the planned date
    days_late = rng.integers(-5, 25, n) - np.rint(20 * world.latent[dept_idx]).astype(int)
    actual = planned_date + days_late * DAY_S
    actual_dates = iso_dates(actual)
    planned = iso_dates(np.array([planned_date]))[0]
    batch.emit(world, SOURCE, "milestone", times(rng, month, n, weekend=0.05, hours="office"), dept_idx, [
        {"project_id": projects["project_ids"][p], "milestone_id": f"{projects['project_ids'][p]}-{month.period}",
         "planned_date": planned, "actual_date": a if r else None,
         "progress_pct": g, "investment_done": round(float(projects["investment"][p]) * g / 100, 2)}
        for p, a, r, g in zip(live.tolist(), actual_dates, reached.tolist(), progress.tolist())])
