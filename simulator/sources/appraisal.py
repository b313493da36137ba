"""考评打分: quarterly 360° scores by superior, third party, a peer and self, on each one's dimensions.

Planted: in each round a few departments also get one score from an evaluator on a dimension outside
its rights list (评价主体权责清单), which the warehouse must reject.
"""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.world import Month, World, times

SOURCE = "appraisal"
# evaluator type → (dimensions it may score, mean at latent 0, gain per unit latent, noise sd)
EVALUATORS = {
    "superior": (("战略契合度", "目标达成度"), 55.0, 40.0, 4.0),
    "third_party": (("合规性", "服务体验"), 55.0, 40.0, 6.0),
    "peer": (("协同配合",), 70.0, 20.0, 5.0),
    "self": (("目标达成度",), 88.0, 8.0, 2.0),
}
THIRD_PARTIES = ["TP-ZJU-GGGL", "TP-ZJ-SKY", "TP-ZJ-TJDC"]
CATCH_ALL = "综合评价"
"""A dimension no evaluator may score (an overall verdict outside every rights list)."""


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Scores in the last month of each quarter, for that quarter (period = the month)."""
    if month.start.month % 3:
        return
    rng = world.rng
    n_depts = len(world)
    regions = world.regions
    rows_dept, rows_type, rows_evaluator, rows_dimension, rows_score = [], [], [], [], []
    for evaluator_type, (dimensions, base, gain, sd) in EVALUATORS.items():
        if evaluator_type == "superior":
            who = [f"{r}-GOV" for r in regions.tolist()]
        elif evaluator_type == "third_party":
            who = [THIRD_PARTIES[i] for i in rng.integers(0, len(THIRD_PARTIES), n_depts).tolist()]
        elif evaluator_type == "peer":
            who = [_peer(world, rng, i) for i in range(n_depts)]
        else:
            who = list(world.codes)
        for dimension in dimensions:
            score = np.clip(base + gain * world.latent + rng.normal(0, sd, n_depts), 0, 100)
            rows_dept.append(np.arange(n_depts))
            rows_type += [evaluator_type] * n_depts
            rows_evaluator += who
            rows_dimension += [dimension] * n_depts
            rows_score += np.round(score, 1).tolist()
    dept_idx = np.concatenate(rows_dept)
    batch.emit(world, SOURCE, "score", times(rng, month, len(dept_idx), weekend=0.02, hours="office"), dept_idx, [
        {"period": month.period, "evaluator_type": t, "evaluator_id": e, "dimension": d, "score": s}
        for t, e, d, s in zip(rows_type, rows_evaluator, rows_dimension, rows_score)])
    _out_of_rights(world, month, batch, plan)


def _out_of_rights(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """The planted scores outside the rights list, drawn from the plan's own generator."""
    rng, rate = plan.extra_rng, plan.cfg["out_of_rights_scores"]["dept_rate"]
    if rate <= 0:
        return
    n_depts = len(world)
    depts = np.sort(rng.choice(n_depts, max(1, round(rate * n_depts)), replace=False))
    everything = sorted({d for dims, *_ in EVALUATORS.values() for d in dims} | {CATCH_ALL})
    payloads = []
    for dept in depts.tolist():
        evaluator_type = list(EVALUATORS)[int(rng.integers(0, len(EVALUATORS)))]
        own, base, gain, sd = EVALUATORS[evaluator_type]
        outside = [d for d in everything if d not in own]
        evaluator_id = {"superior": f"{world.regions[dept]}-GOV", "self": world.codes[dept],
                        "third_party": THIRD_PARTIES[int(rng.integers(0, len(THIRD_PARTIES)))],
                        "peer": world.codes[(dept + 1 + int(rng.integers(0, n_depts - 1))) % n_depts]}[evaluator_type]
        score = float(np.clip(base + gain * world.latent[dept] + rng.normal(0, sd), 0, 100))
        payloads.append({"period": month.period, "evaluator_type": evaluator_type, "evaluator_id": evaluator_id,
                         "dimension": outside[int(rng.integers(0, len(outside)))], "score": round(score, 1)})
    ids = batch.emit(world, SOURCE, "score", times(rng, month, len(depts), weekend=0.02, hours="office"), depts, payloads)
    plan.out_of_rights += [{"event_id": i, "dept_code": world.codes[d], "period": p["period"],
                            "evaluator_type": p["evaluator_type"], "dimension": p["dimension"]}
                           for i, d, p in zip(ids, depts.tolist(), payloads)]


def _peer(world: World, rng: np.random.Generator, dept: int) -> str:
    same_region = world.state.setdefault("peers", {}).get(world.regions[dept])
    if same_region is None:
        same_region = world.state["peers"][world.regions[dept]] = np.flatnonzero(world.regions == world.regions[dept])
    other = int(same_region[rng.integers(0, len(same_region))])
    return world.codes[other if other != dept else (dept + 1) % len(world)]
