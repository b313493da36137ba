"""政务云 督查督办/公文/月报: policies → documents and tasks → completions, and self-reported indicators.

"Days from policy issue to first completed task" is computable: tasks reference their policy and
completion speed follows latent performance. Monthly self-reports (``kpi_reported``) carry the planted
fake satisfaction, zombie indicators, self-report disagreement and the abnormal 医疗纠纷调处时长.
"""
from __future__ import annotations

import math

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.planted import indicators_of
from jixiao.simulator.world import DAY_S, Month, World, iso_dates, iso_times, times

SOURCE = "gov_oa"
POLICIES_PER_MONTH = 12
TOPICS = ["进一步优化营商环境", "深化“放管服”改革", "推进“跨省通办”", "加快数字政府建设", "推进“一网通办”",
          "加强食品安全监管", "深化医药卫生体制改革", "促进科技成果转化", "推动乡村振兴", "加强安全生产",
          "改进政务服务“好差评”工作", "规范财政专项资金管理", "推进老旧小区改造", "加强生态环境保护"]
FORMS = ["关于{t}的若干意见", "关于{t}的实施方案", "{t}三年行动计划", "关于{t}的通知"]
# indicator → (value at latent 0, gain per unit latent, relative noise sd, decimals)
INDICATORS = {
    "SR_COST_CONTROL": (82.0, 14.0, 0.02, 2),
    "SR_DIGITAL_GOV_PROGRESS": (50.0, 40.0, 0.03, 1),
    "SR_REFORM_EXPERIENCES": (0.5, 4.0, 0.4, 0),
    "SR_FOOD_SAFETY_PASS": (94.0, 5.5, 0.01, 2),
    "SR_RD_CONVERSION": (6.0, 22.0, 0.05, 2),
    "SR_MED_DISPUTE_DAYS": (38.0, -26.0, 0.06, 1),
    "SR_BIZ_STARTUP_DAYS": (5.0, -4.0, 0.06, 1),
    "SR_INVESTMENT_PROJECTS": (68.0, 30.0, 0.03, 2),
    "SR_REVENUE_GROWTH": (1.0, 9.0, 0.15, 2),
}
PERCENT_CAP = {"SR_COST_CONTROL": 100.0, "SR_FOOD_SAFETY_PASS": 99.9, "SR_INVESTMENT_PROJECTS": 100.0}


def independent_satisfaction(latent: np.ndarray) -> np.ndarray:
    """Share (%) of 12345 ratings ≥ 4 the hotline generator implies for a latent performance."""
    z = (4 * latent - 2.5) / (0.8 * math.sqrt(2))
    return 50.0 * (1 + np.array([math.erf(v) for v in np.atleast_1d(z).tolist()]))


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    _policies(world, month, batch)
    _self_reports(world, month, batch, plan)


def _policies(world: World, month: Month, batch: MonthEvents) -> None:
    rng = world.rng
    n = int(rng.poisson(POLICIES_PER_MONTH * math.sqrt(world.volume)))
    issuers = rng.choice(np.flatnonzero(world.levels != "county"), n)
    issued = times(rng, month, n, weekend=0.02, hours="office")
    policy_ids = world.ids(f"ZC{month.start.year}-", n, width=5)
    topic = rng.integers(0, len(TOPICS), n).tolist()
    form = rng.integers(0, len(FORMS), n).tolist()
    level = np.where(world.levels[issuers] == "province", rng.choice(["national", "provincial"], n), "municipal")
    batch.emit(world, SOURCE, "policy_issued", issued, issuers, [
        {"policy_id": p, "title": FORMS[f].format(t=TOPICS[t]), "level": lv}
        for p, f, t, lv in zip(policy_ids, form, topic, level.tolist())])

    joint = rng.random(n) < 0.3
    docs = []
    for p, d, j in zip(policy_ids, issuers.tolist(), joint.tolist()):
        peers = _region_peers(world, d, int(rng.integers(1, 4)) if j else 0)
        docs.append({"doc_id": f"{p}-W1", "policy_id": p, "issuing_depts": [world.codes[i] for i in [d] + peers]})
    batch.emit(world, SOURCE, "document_issued", issued + rng.integers(0, 3, n) * DAY_S, issuers, docs)

    per_policy = 2 + rng.poisson(3, n)
    task_policy = np.repeat(np.arange(n), per_policy)
    m = len(task_policy)
    leads = np.array([_task_lead(world, int(issuers[p]), rng) for p in task_policy.tolist()], dtype=int)
    assigned = issued[task_policy] + rng.integers(1, 10, m) * DAY_S
    deadline = assigned + rng.integers(30, 91, m) * DAY_S
    task_ids = world.ids("DB", m, width=8)
    co = [[world.codes[i] for i in _region_peers(world, d, int(k))] for d, k in
          zip(leads.tolist(), rng.integers(0, 3, m).tolist())]
    batch.emit(world, SOURCE, "task_assigned", assigned, leads, [
        {"task_id": t, "policy_id": policy_ids[p], "deadline": dl, "lead_dept": world.codes[d], "co_depts": c}
        for t, p, dl, d, c in zip(task_ids, task_policy.tolist(), iso_dates(deadline), leads.tolist(), co)])
    done = rng.random(m) < 0.93
    days = rng.gamma(2.0, 4 + 40 * (1 - world.latent[leads]))
    completed = assigned + (days * DAY_S).astype("int64")
    completed_iso = iso_times(completed)
    batch.emit(world, SOURCE, "task_completed", completed[done], leads[done], [
        {"task_id": task_ids[i], "completed_at": completed_iso[i]} for i in np.flatnonzero(done).tolist()])


def _region_peers(world: World, dept: int, k: int) -> list[int]:
    """``k`` other departments of the same region (co-issuers, co-operating departments)."""
    if k == 0:
        return []
    peers = np.flatnonzero(world.regions == world.regions[dept])
    peers = peers[peers != dept]
    return world.rng.choice(peers, min(k, len(peers)), replace=False).tolist()


def _task_lead(world: World, issuer: int, rng: np.random.Generator) -> int:
    """A task goes to a department of the issuer's region or of a region below it."""
    below = np.flatnonzero(np.char.startswith(world.regions.astype(str), world.regions[issuer]))
    return int(below[rng.integers(0, len(below))])


def _self_reports(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Each department's monthly report (月报), submitted in the last week of the month."""
    rng = world.rng
    if "trend" not in world.state.setdefault(SOURCE, {}):
        world.state[SOURCE] = {"trend": rng.uniform(0.03, 0.12, len(world)), "zombie_noise": {}}
    trend = world.state[SOURCE]["trend"]
    rows, values = [], []
    satisfaction = independent_satisfaction(world.latent)
    for d in range(len(world)):
        for code in indicators_of(world.types[d]):
            rows.append((d, code))
    dept_idx = np.array([d for d, _ in rows])
    noise = rng.normal(0, 1, len(rows))
    years = month.index / 12
    for (d, code), e in zip(rows, noise.tolist()):
        latent = world.latent[d]
        if code == "SR_POLICY_SATISFACTION":
            value = min(98.5, satisfaction[d] + 2 + 1.5 * e + 3 * years * trend[d] * 10)
            if d in plan.disagreement:
                value = min(98.8, satisfaction[d] + plan.disagreement[d])
            if plan.fake_satisfaction.get(d) in ("self_report", "both"):
                value = 99.2 + 0.8 * abs(math.tanh(e))
            digits = 2
        else:
            base, gain, sd, digits = INDICATORS[code]
            direction = 1 if gain > 0 else -1
            value = (base + gain * latent) * (1 + direction * trend[d] * years + sd * e)
            if code == "SR_MED_DISPUTE_DAYS" and d == plan.med_dept and month.index in plan.med_months:
                value *= plan.cfg["medical_dispute_anomaly"]["factor"]
            value = max(0.0, min(PERCENT_CAP.get(code, math.inf), value))
        if (d, code) in plan.zombies:
            fixed = world.state[SOURCE]["zombie_noise"].setdefault((d, code), value)
            value = fixed * (1 + 0.002 * math.tanh(e))
        values.append(round(float(value), digits) if digits else float(round(value)))
    batch.emit(world, SOURCE, "kpi_reported", month.end_s - rng.integers(3600, 7 * 86400, len(rows)), dept_idx, [
        {"indicator_code": code, "period": month.period, "value": v} for (_, code), v in zip(rows, values)])
