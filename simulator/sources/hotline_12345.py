"""12345热线: tickets created and closed; on-time closure and satisfaction follow latent performance."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.text import CATEGORIES, ticket_texts
from jixiao.simulator.world import Month, World, times

SOURCE = "hotline_12345"
TICKETS_PER_DEPT_MONTH = 1.0
CATEGORY_OF_TYPE = {"SCJG": "市场监管", "WJW": "医疗卫生", "CGJ": "城市管理", "RSJ": "劳动保障", "ZJJ": "住房建设",
                    "JYJ": "教育", "JTYSJ": "交通运输", "XZSP": "营商环境", "MZJ": "社会保障", "YBJ": "社会保障",
                    "STHJJ": "生态环境"}


def categories_for(world: World, dept_idx: np.ndarray) -> list[str]:
    """The usual complaint category of each department's type (random for types without one)."""
    random = CATEGORIES[world.rng.integers(0, len(CATEGORIES), len(dept_idx))].tolist()
    return [CATEGORY_OF_TYPE.get(t, r) for t, r in zip(world.types[dept_idx].tolist(), random)]


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Tickets of one month: a ``ticket_created`` and a ``ticket_closed`` 2 hours to 20 days later."""
    rng = world.rng
    dept_idx = np.repeat(np.arange(len(world)), world.counts(TICKETS_PER_DEPT_MONTH, month, world.activity))
    n = len(dept_idx)
    latent = world.latent[dept_idx]
    created = times(rng, month, n, weekend=0.6)
    on_time = rng.random(n) < 0.55 + 0.44 * latent
    hours_to_close = np.where(on_time, rng.uniform(2, 5 * 24, n), rng.uniform(5 * 24, 20 * 24, n))
    closed = created + (hours_to_close * 3600).astype("int64")
    resolved = (rng.random(n) < 0.7 + 0.29 * latent).tolist()
    rated = rng.random(n) < 0.8
    satisfaction = np.clip(np.rint(1 + 4 * latent + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    satisfaction = [int(s) if r else None for s, r in zip(satisfaction.tolist(), rated.tolist())]
    ticket_ids = world.ids("RX", n, width=10)
    category = categories_for(world, dept_idx)
    texts = ticket_texts(rng, category)
    depts = [world.codes[i] for i in dept_idx.tolist()]
    batch.emit(world, SOURCE, "ticket_created", created, dept_idx, [
        {"ticket_id": t, "category": c, "text": x, "assigned_dept": d}
        for t, c, x, d in zip(ticket_ids, category, texts, depts)])
    batch.emit(world, SOURCE, "ticket_closed", closed, dept_idx, [
        {"ticket_id": t, "resolved": r, "on_time": o, "satisfaction": s}
        for t, r, o, s in zip(ticket_ids, resolved, on_time.tolist(), satisfaction)])
