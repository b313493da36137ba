"""财政预算执行/资金拨付: yearly budgets per project, monthly disbursements at the department's pace.

Spending pace (budget execution) follows ``World.efficiency``; disbursements rush at year end.
Amounts are log-normal over several orders of magnitude (so they follow Benford's law) except in
departments planted as fabricating figures, whose first digits are uniform.
"""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.text import companies
from jixiao.simulator.world import Month, World, times

SOURCE = "finance"
PROJECTS_PER_DEPT_YEAR = 2.0
DISBURSEMENTS_PER_PROJECT_MONTH = 0.7
FUND_TYPES = np.array(["general", "government_fund", "special_rural_revitalization", "special_poverty_alleviation"])
FUND_SHARE = np.array([0.6, 0.15, 0.15, 0.1])
YEAR_END_RUSH = np.array([0.4, 0.6, 0.8, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.4, 2.2])
LEVEL_SCALE = {"province": 5.0, "city": 1.5, "county": 0.6}


def fabricate(rng: np.random.Generator, amounts: np.ndarray) -> np.ndarray:
    """Same magnitudes, but a uniformly drawn first digit: what invented figures look like."""
    magnitude = 10.0 ** np.floor(np.log10(np.maximum(amounts, 1.0)))
    return np.round(rng.uniform(1, 10, len(amounts)) * magnitude, 2)


def _amounts(world: World, dept_idx: np.ndarray, amounts: np.ndarray, plan) -> np.ndarray:
    fake = np.isin(dept_idx, list(plan.benford))
    amounts = np.round(amounts, 2)
    amounts[fake] = fabricate(world.rng, amounts[fake])
    return amounts


def _allocate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Budgets of the fiscal year, published in January (or the first simulated month)."""
    rng = world.rng
    dept_idx = np.repeat(np.arange(len(world)), world.counts(PROJECTS_PER_DEPT_YEAR, month, seasonal=False))
    n = len(dept_idx)
    scale = np.array([LEVEL_SCALE[level] for level in world.levels[dept_idx].tolist()])
    amount = _amounts(world, dept_idx, rng.lognormal(np.log(2e6), 1.3, n) * scale, plan)
    project_ids = world.ids(f"CZ{month.start.year}-", n, width=6)
    fund = rng.choice(FUND_TYPES, n, p=FUND_SHARE)
    batch.emit(world, SOURCE, "budget_allocated", times(rng, month, n, weekend=0.02, hours="office"), dept_idx, [
        {"project_id": p, "fund_type": f, "amount": a, "fiscal_year": month.start.year}
        for p, f, a in zip(project_ids, fund.tolist(), amount.tolist())])
    remaining_share = YEAR_END_RUSH[month.start.month - 1:].sum() / YEAR_END_RUSH.sum()
    world.state[SOURCE] = {"dept_idx": dept_idx, "project_ids": project_ids, "amount": amount,
                           "months_share": remaining_share}


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    if month.start.month == 1 or SOURCE not in world.state:
        _allocate(world, month, batch, plan)
    projects = world.state[SOURCE]
    n_projects = len(projects["project_ids"])
    if n_projects == 0:
        return
    picks = np.repeat(np.arange(n_projects), rng.poisson(DISBURSEMENTS_PER_PROJECT_MONTH, n_projects))
    dept_idx = projects["dept_idx"][picks]
    share = YEAR_END_RUSH[month.start.month - 1] / YEAR_END_RUSH.sum() / projects["months_share"]
    expected = projects["amount"][picks] * world.efficiency[dept_idx] * share / DISBURSEMENTS_PER_PROJECT_MONTH
    amount = _amounts(world, dept_idx, expected * rng.lognormal(-0.08, 0.4, len(picks)), plan)
    batch.emit(world, SOURCE, "disbursement", times(rng, month, len(picks), weekend=0.02, hours="office"), dept_idx, [
        {"disbursement_id": d, "project_id": projects["project_ids"][p], "amount": a, "payee": y}
        for d, p, a, y in zip(world.ids("ZF", len(picks), width=10), picks.tolist(), amount.tolist(),
                              companies(rng, len(picks)))])
