"""审计: routine findings and their rectification, plus findings confirming planted bid rigging.

A confirmed collusion finding (category 围标串标) references its tender: the only labels a model may learn from.
"""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.world import DAY_S, Month, World, times

SOURCE = "audit"
FINDINGS_PER_DEPT_MONTH = 0.03
CATEGORIES = np.array(["预算执行不到位", "违规发放津补贴", "政府采购程序不规范", "专项资金挤占挪用", "国有资产管理不规范",
                       "工程项目超概算"])
SEVERITIES = np.array(["low", "medium", "high"])


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    dept_idx = np.repeat(np.arange(len(world)), world.counts(FINDINGS_PER_DEPT_MONTH, month,
                                                             1.5 - world.latent, seasonal=False))
    n = len(dept_idx)
    found = times(rng, month, n, weekend=0.02, hours="office")
    amount = np.round(rng.lognormal(np.log(3e5), 1.5, n), 2)
    severity = rng.choice(SEVERITIES, n, p=[0.5, 0.35, 0.15])
    category = rng.choice(CATEGORIES, n)
    tender = [None] * n

    queued = world.state.get("audit_confirmations", [])
    due = [c for c in queued if c[0] < month.end_s]
    world.state["audit_confirmations"] = [c for c in queued if c[0] >= month.end_s]
    if due:
        found = np.concatenate([found, [c[0] for c in due]])
        dept_idx = np.concatenate([dept_idx, [c[1] for c in due]]).astype(int)
        amount = np.concatenate([amount, [c[3] for c in due]])
        severity = np.concatenate([severity, ["high"] * len(due)])
        category = np.concatenate([category, ["围标串标"] * len(due)])
        tender += [c[2] for c in due]
        for ring in plan.rings:
            ring.confirmed_tender_ids += [c[2] for c in due if c[2] in set(ring.tender_ids)]
    finding_ids = world.ids("SJ", len(dept_idx), width=7)
    batch.emit(world, SOURCE, "finding", found, dept_idx, [
        {"finding_id": f, "category": c, "amount_involved": a, "severity": s, "tender_id": t}
        for f, c, a, s, t in zip(finding_ids, category.tolist(), amount.tolist(), severity.tolist(), tender)])
    fixed = np.flatnonzero(rng.random(len(dept_idx)) < 0.35 + 0.6 * world.latent[dept_idx])
    fixed_at = found[fixed] + rng.integers(20, 150, len(fixed)) * DAY_S
    recovered = np.round(amount[fixed] * rng.uniform(0.3, 1.0, len(fixed)), 2)
    batch.emit(world, SOURCE, "finding_rectified", fixed_at, dept_idx[fixed], [
        {"finding_id": finding_ids[i], "amount_recovered": r} for i, r in zip(fixed.tolist(), recovered.tolist())])
