"""公共资源交易/招投标: tenders, bids and awards; planted rings capture some departments' tenders.

A ring is a fixed group of suppliers that are the only bidders on its tenders, rotate the win, bid
just above the winner (cover bids) and win close to the ceiling price. The harder variant
(``config/variants/hard_procurement.yaml``) has larger rings of which only some members bid each time,
noisier prices, accompanying outsiders, members who also bid honestly elsewhere, any method, and
honest firms that mostly bid in their own city's market for a category (so honest firms meet often too).
"""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.world import DAY_S, Month, World, times

SOURCE = "procurement"
TENDERS_PER_DEPT_MONTH = 0.1
SUPPLIERS = 3000
METHODS = np.array(["open", "invited", "competitive_negotiation", "single_source", "inquiry"])
METHOD_SHARE = np.array([0.62, 0.1, 0.12, 0.04, 0.12])
CATEGORIES = np.array(["工程施工", "货物采购", "信息化服务", "物业服务", "咨询服务", "医疗设备", "市政养护", "教学设备"])
CONFIRMATION_DAYS = (60, 240)


def supplier_pool(world: World) -> np.ndarray:
    """Registered suppliers (unified social credit code style ids), created once per world."""
    if "suppliers" not in world.state:
        world.state["suppliers"] = np.array([f"91330{i:013d}" for i in
                                             world.rng.choice(10**12, SUPPLIERS, replace=False).tolist()])
    return world.state["suppliers"]


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    counts = world.counts(TENDERS_PER_DEPT_MONTH, month, world.procurement, seasonal=False)
    cb = plan.cfg["collusive_bidding"]
    ring_depts = sorted(plan.ring_of_dept)
    rigged_counts = rng.poisson(cb["rigged_tenders_per_month"] * world.volume, len(ring_depts))
    dept_idx = np.concatenate([np.repeat(np.arange(len(world)), counts), np.repeat(ring_depts, rigged_counts)])
    dept_idx = dept_idx.astype(int)
    rigged = np.arange(len(dept_idx)) >= counts.sum()
    n = len(dept_idx)
    if n == 0:
        return
    published = times(rng, month, n, weekend=0.02, hours="office")
    ceiling = np.round(rng.lognormal(np.log(8e5), 1.1, n), -2)
    method = rng.choice(METHODS, n, p=METHOD_SHARE)
    if cb.get("open_only", True):
        method[rigged] = "open"
    tender_ids = world.ids(f"ZB{month.start.year}-", n, width=7)
    category = rng.choice(CATEGORIES, n).tolist()
    batch.emit(world, SOURCE, "tender_published", published, dept_idx, [
        {"tender_id": t, "ceiling_price": c, "method": m, "category": k}
        for t, c, m, k in zip(tender_ids, ceiling.tolist(), method.tolist(), category)])

    honest = np.setdiff1d(supplier_pool(world), sorted(world.state["ring_members"]))
    members = sorted(world.state["ring_members"])
    bid_tender, bidder, price, award = [], [], [], []
    bid_days = rng.integers(7, 21, n)
    for t in range(n):
        if rigged[t]:
            ring = plan.ring_of_dept[int(dept_idx[t])]
            names, prices, winner = _rigged_bids(rng, ring, ceiling[t], cb, honest)
            ring.tender_ids.append(tender_ids[t])
            _queue_confirmation(world, plan, dept_idx[t], tender_ids[t], prices[winner],
                                published[t] + bid_days[t] * DAY_S)
        else:
            k = 1 if method[t] == "single_source" else 1 + rng.poisson(4)
            pool = honest
            if cb.get("local_market_share") and rng.random() < cb["local_market_share"]:
                pool = _local_market(world, int(dept_idx[t]), category[t], honest, cb["market_firms"])
            names = rng.choice(pool, min(k, len(pool)), replace=False).tolist()
            k = len(names)
            if cb.get("members_bid_elsewhere") and k > 1 and rng.random() < cb["members_bid_elsewhere"]:
                names[0] = members[int(rng.integers(0, len(members)))]  # a ring member bidding honestly
            prices = ceiling[t] * rng.uniform(0.78, 0.99, k)
            winner = int(np.argmin(prices))
        bid_tender += [t] * len(names)
        bidder += names
        price += np.round(np.minimum(prices, ceiling[t]), 2).tolist()
        award.append((t, names[winner], round(float(prices[winner]), 2)))
    bid_tender = np.array(bid_tender)
    bid_at = published[bid_tender] + bid_days[bid_tender] * DAY_S + rng.integers(0, 6 * 3600, len(bid_tender))
    batch.emit(world, SOURCE, "bid", bid_at, dept_idx[bid_tender], [
        {"tender_id": tender_ids[t], "bidder_id": b, "price": p} for t, b, p in zip(bid_tender.tolist(), bidder, price)])
    awarded = np.array([t for t, _, _ in award])
    award_at = published[awarded] + (bid_days[awarded] + rng.integers(1, 6, len(awarded))) * DAY_S
    batch.emit(world, SOURCE, "award", award_at, dept_idx[awarded], [
        {"tender_id": tender_ids[t], "winner_id": w, "price": p} for t, w, p in award])


def _local_market(world: World, dept: int, category: str, honest: np.ndarray, firms: int) -> np.ndarray:
    """The honest firms of one city's market for one category (the harder variant): they meet again and again."""
    city = "-".join(world.regions[dept].split("-")[:2])
    markets = world.state.setdefault("local_markets", {})
    if (city, category) not in markets:
        markets[city, category] = world.rng.choice(honest, firms, replace=False)
    return markets[city, category]


def _rigged_bids(rng: np.random.Generator, ring, ceiling: float, cb: dict,
                 honest: np.ndarray) -> tuple[list[str], np.ndarray, int]:
    """Bidders, prices and winner of one rigged tender.

    By default every member bids, the win rotates round robin, the winner bids ``win_ratio`` of the
    ceiling and the others cover just above (``cover_markup``). The harder variant lets only a share of
    the members bid (``participation``), rotates the win to the participant with the fewest wins, and
    brings in accompanying outsiders (陪标, ``outsiders`` on average) who also bid above the winner.
    """
    win_price = ceiling * rng.uniform(*cb.get("win_ratio", (0.975, 0.995)))
    markup = cb.get("cover_markup", (0.004, 0.03))
    share = cb.get("participation", 1.0)
    if share >= 1.0:
        names = list(ring.bidder_ids)
        winner = ring.wins % len(names)
    else:
        size = max(2, int(rng.binomial(len(ring.bidder_ids), share)))
        names = rng.choice(ring.bidder_ids, size, replace=False).tolist()
        wins = np.array([ring.wins_by.get(b, 0) for b in names]) + rng.random(size)
        winner = int(np.argmin(wins))
        ring.wins_by[names[winner]] = ring.wins_by.get(names[winner], 0) + 1
    ring.wins += 1
    prices = win_price * (1 + rng.uniform(*markup, len(names)))
    prices[winner] = win_price
    outsiders = int(rng.poisson(cb["outsiders"])) if cb.get("outsiders") else 0
    if outsiders:
        names += rng.choice(honest, outsiders, replace=False).tolist()
        prices = np.concatenate([prices, win_price * (1 + rng.uniform(*markup, outsiders))])
    return names, prices, winner


def _queue_confirmation(world: World, plan, dept: int, tender_id: str, amount: float, after_s: int) -> None:
    """Some rigged tenders are later confirmed by an audit finding; the audit source emits it."""
    if world.rng.random() >= plan.cfg["collusive_bidding"]["audit_confirm_rate"]:
        return
    at = int(after_s + world.rng.integers(*CONFIRMATION_DAYS) * DAY_S)
    world.state.setdefault("audit_confirmations", []).append((at, int(dept), tender_id, round(float(amount), 2)))
