"""信访: petition cases opened and closed; the planted health bureau's 医疗纠纷 cases pile up and drag."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.sources.hotline_12345 import categories_for
from jixiao.simulator.text import petition_texts
from jixiao.simulator.world import DAY_S, Month, World, times

SOURCE = "petition"
CASES_PER_DEPT_MONTH = 0.2
STATUTORY_DAYS = 60


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Cases of one month; closure time grows as latent performance falls (statutory limit 60 days)."""
    rng = world.rng
    counts = world.counts(CASES_PER_DEPT_MONTH, month, world.activity)
    abnormal = plan.med_dept is not None and month.index in plan.med_months
    extra = 0
    if abnormal:
        factor = plan.cfg["medical_dispute_anomaly"]["factor"]
        extra = 2 + rng.poisson(CASES_PER_DEPT_MONTH * world.volume * world.activity[plan.med_dept] * factor)
    dept_idx = np.concatenate([np.repeat(np.arange(len(world)), counts), np.full(extra, plan.med_dept or 0)])
    n = len(dept_idx)
    latent = world.latent[dept_idx]
    opened = times(rng, month, n, weekend=0.2, hours="office")
    category = np.array(categories_for(world, dept_idx), dtype=object)
    health = world.types[dept_idx] == "WJW"
    category[(health & (rng.random(n) < 0.5)) | (np.arange(n) >= n - extra)] = "医疗纠纷"
    days = rng.gamma(2.0, 4 + 22 * (1 - latent))
    disputed = abnormal & (dept_idx == plan.med_dept) & (category == "医疗纠纷")
    days[disputed] = rng.uniform(STATUTORY_DAYS + 10, 150, int(disputed.sum()))
    closed = opened + (days * DAY_S).astype("int64")
    satisfied = np.where(rng.random(n) < 0.15, None, rng.random(n) < 0.35 + 0.6 * latent)
    repeat_visit = rng.random(n) < 0.05 + 0.3 * (1 - latent) + 0.3 * disputed
    case_ids = world.ids("XF", n)
    categories = category.tolist()
    batch.emit(world, SOURCE, "case_opened", opened, dept_idx, [
        {"case_id": c, "category": k, "text": t}
        for c, k, t in zip(case_ids, categories, petition_texts(rng, categories))])
    batch.emit(world, SOURCE, "case_closed", closed, dept_idx, [
        {"case_id": c, "on_time": o, "satisfied": None if s is None else bool(s), "repeat_visit": r}
        for c, o, s, r in zip(case_ids, (days <= STATUTORY_DAYS).tolist(), satisfied.tolist(), repeat_visit.tolist())])
