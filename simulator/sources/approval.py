"""行政审批/企业开办/跨省通办: applications (joint ones involve several departments) and their completion."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.world import DAY_S, Month, World, times

SOURCE = "approval"
APPLICATIONS_PER_DEPT_MONTH = 1.0
# item type → (lead department types, co-department types for joint approval, statutory days, 跨省通办)
ITEMS = {
    "企业开办": (("XZSP",), ("SCJG", "SWUJ", "GAJ", "RSJ"), 3, False),
    "工程建设项目施工许可": (("XZSP", "ZJJ"), ("ZRZYJ", "STHJJ", "YJGLJ"), 20, False),
    "食品经营许可": (("SCJG", "XZSP"), (), 10, False),
    "医疗机构执业登记": (("WJW",), ("YBJ",), 20, False),
    "社保关系转移（跨省通办）": (("RSJ",), ("YBJ",), 15, True),
    "户口迁移（跨省通办）": (("GAJ",), (), 10, True),
    "异地就医备案（跨省通办）": (("YBJ",), (), 5, True),
    "婚姻登记": (("MZJ",), (), 1, False),
    "建设项目环评审批": (("STHJJ",), ("ZRZYJ",), 30, False),
    "道路运输经营许可": (("JTYSJ",), ("GAJ",), 20, False),
    "不动产登记": (("ZRZYJ",), ("SWUJ",), 5, False),
    "涉税事项办理（跨省通办）": (("SWUJ",), (), 5, True),
}


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    leads, items = [], []
    for item, (lead_types, _, _, _) in ITEMS.items():
        owners = np.flatnonzero(np.isin(world.types, lead_types))
        count = world.counts(APPLICATIONS_PER_DEPT_MONTH / 2, month, world.activity)[owners]
        leads.append(np.repeat(owners, count))
        items += [item] * int(count.sum())
    dept_idx = np.concatenate(leads).astype(int)
    n = len(dept_idx)
    latent = world.latent[dept_idx]
    applied = times(rng, month, n, weekend=0.1, hours="office")
    by_region_type = {(r, t): i for i, (r, t) in enumerate(zip(world.regions.tolist(), world.types.tolist()))}
    joint_draw = (rng.random(n) < 0.35 + 0.4 * latent).tolist()
    # 跨省通办: items listed as such mostly are; any other item may be offered cross-province by a well-run office
    cross_draw = rng.random(n)
    cross_chance = np.where([ITEMS[i][3] for i in items], 0.8, 0.05 + 0.35 * latent)
    cross_draw = (cross_draw < cross_chance).tolist()
    involved, statutory, cross = [], [], []
    for d, item, j, c in zip(dept_idx.tolist(), items, joint_draw, cross_draw):
        _, co_types, days, _ = ITEMS[item]
        co = [by_region_type[world.regions[d], t] for t in co_types if (world.regions[d], t) in by_region_type] if j else []
        involved.append([world.codes[d]] + [world.codes[i] for i in co])
        statutory.append(days)
        cross.append(bool(c))
    statutory_arr = np.array(statutory)
    days_taken = statutory_arr * rng.uniform(0.1, 1.35 - 0.6 * latent)
    done = applied + (days_taken * DAY_S).astype("int64")
    app_ids = world.ids("SP", n, width=10)
    batch.emit(world, SOURCE, "application", applied, dept_idx, [
        {"app_id": a, "item_type": i, "depts_involved": d, "statutory_days": s}
        for a, i, d, s in zip(app_ids, items, involved, statutory)])
    online = (rng.random(n) < 0.45 + 0.5 * latent).tolist()
    batch.emit(world, SOURCE, "approval_done", done, dept_idx, [
        {"app_id": a, "joint": len(d) > 1, "online": o, "cross_province": c}
        for a, d, o, c in zip(app_ids, involved, online, cross)])
