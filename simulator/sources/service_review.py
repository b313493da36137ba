"""政务服务好差评: reviews of service items (1–2 stars is a bad review) and rectification of bad ones."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.text import review_comments
from jixiao.simulator.world import DAY_S, Month, World, times

SOURCE = "service_review"
REVIEWS_PER_DEPT_MONTH = 1.0
CHANNELS = np.array(["online", "window", "app", "hotline", "self_service"])
CHANNEL_SHARE = np.array([0.35, 0.3, 0.2, 0.05, 0.1])
SERVICE_ITEMS = ["企业开办一件事", "不动产登记", "社保卡申领", "医保报销", "食品经营许可", "户籍证明开具",
                 "公积金提取", "出生一件事", "退休一件事", "施工许可证核发", "营业执照变更", "居住证办理"]


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    """Reviews of one month; ratings follow latent performance unless the department fakes them."""
    rng = world.rng
    dept_idx = np.repeat(np.arange(len(world)), world.counts(REVIEWS_PER_DEPT_MONTH, month, world.activity))
    n = len(dept_idx)
    at = times(rng, month, n, weekend=0.5)
    rating = np.clip(np.rint(1 + 4 * world.latent[dept_idx] + rng.normal(0, 0.9, n)), 1, 5).astype(int)
    faked = np.isin(dept_idx, [i for i, where in plan.fake_satisfaction.items() if where in ("reviews", "both")])
    rating[faked] = np.where(rng.random(int(faked.sum())) < 0.997, 5, 4)
    ratings = rating.tolist()
    review_ids = world.ids("HCP", n, width=10)
    items = [SERVICE_ITEMS[i] for i in rng.integers(0, len(SERVICE_ITEMS), n).tolist()]
    channels = rng.choice(CHANNELS, n, p=CHANNEL_SHARE).tolist()
    batch.emit(world, SOURCE, "review", at, dept_idx, [
        {"review_id": r, "service_item": s, "channel": c, "rating": g, "comment": t}
        for r, s, c, g, t in zip(review_ids, items, channels, ratings, review_comments(rng, ratings))])
    bad = np.flatnonzero((rating <= 2) & (rng.random(n) < 0.3 + 0.65 * world.latent[dept_idx]))
    fixed_at = at[bad] + rng.integers(DAY_S // 4, 10 * DAY_S, len(bad))
    batch.emit(world, SOURCE, "bad_review_rectified", fixed_at, dept_idx[bad],
               [{"review_id": review_ids[i]} for i in bad.tolist()])
