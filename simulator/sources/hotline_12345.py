"""12345热线: tickets created and closed; on-time closure and satisfaction follow latent performance."""
from __future__ import annotations

import numpy as np

from simulator.month import MonthEvents
from simulator.text import personal_text
from simulator.world import World, iso_times, uniform_times

SOURCE = "hotline_12345"
CATEGORIES = np.array(["市场监管", "医疗卫生", "城市管理", "劳动保障", "住房建设", "教育", "交通运输", "营商环境"])
TICKETS_PER_DEPT_MONTH = 20.0


def generate(world: World, month_start, month_end) -> MonthEvents:
    """Tickets of one month: a ``ticket_created`` and, if closed by month end + 30 days, a ``ticket_closed``."""
    rng = world.rng
    depts = world.dept_codes
    counts = rng.poisson(TICKETS_PER_DEPT_MONTH * world.volume, size=len(depts))
    dept_idx = np.repeat(np.arange(len(depts)), counts)
    n = len(dept_idx)
    latent = world.latent[dept_idx]
    created = uniform_times(rng, month_start, month_end, n)
    on_time = rng.random(n) < 0.55 + 0.44 * latent
    hours_to_close = np.where(on_time, rng.uniform(2, 5 * 24, n), rng.uniform(5 * 24, 20 * 24, n))
    closed = created + (hours_to_close * 3600).astype("int64")
    resolved = rng.random(n) < 0.7 + 0.29 * latent
    rated = rng.random(n) < 0.8
    satisfaction = np.clip(np.rint(1 + 4 * latent + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    ticket_ids = [f"RX{i}" for i in world.sequence("hotline_ticket", n)]
    category = CATEGORIES[rng.integers(0, len(CATEGORIES), n)].tolist()
    texts = personal_text(rng, category, n)
    dept_list = depts[dept_idx].tolist()
    created_iso, closed_iso = iso_times(created), iso_times(closed)
    events = MonthEvents()
    for i, eid in enumerate(world.event_ids(SOURCE, n)):
        events.add(eid, created[i], dept_list[i], {
            "event_id": eid, "source": SOURCE, "event_type": "ticket_created", "occurred_at": created_iso[i],
            "dept_code": dept_list[i], "schema_version": 1,
            "payload": {"ticket_id": ticket_ids[i], "category": category[i], "text": texts[i],
                        "assigned_dept": dept_list[i]}})
    for i, eid in enumerate(world.event_ids(SOURCE, n)):
        events.add(eid, closed[i], dept_list[i], {
            "event_id": eid, "source": SOURCE, "event_type": "ticket_closed", "occurred_at": closed_iso[i],
            "dept_code": dept_list[i], "schema_version": 1,
            "payload": {"ticket_id": ticket_ids[i], "resolved": bool(resolved[i]), "on_time": bool(on_time[i]),
                        "satisfaction": int(satisfaction[i]) if rated[i] else None}})
    return events
