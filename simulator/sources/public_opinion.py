"""网络舆情: posts about departments on Chinese platforms; negativity rises as performance falls."""
from __future__ import annotations

import numpy as np

from jixiao.simulator.month import MonthEvents
from jixiao.simulator.sources.hotline_12345 import categories_for
from jixiao.simulator.text import post_texts
from jixiao.simulator.world import Month, World, times

SOURCE = "public_opinion"
POSTS_PER_DEPT_MONTH = 0.5
PLATFORMS = np.array(["微博", "微信公众号", "抖音", "今日头条", "小红书", "本地论坛"])
PLATFORM_SHARE = np.array([0.3, 0.2, 0.2, 0.12, 0.08, 0.1])


def generate(world: World, month: Month, batch: MonthEvents, plan) -> None:
    rng = world.rng
    dept_idx = np.repeat(np.arange(len(world)), world.counts(POSTS_PER_DEPT_MONTH, month, world.activity))
    n = len(dept_idx)
    negative = rng.random(n) < 0.1 + 0.6 * (1 - world.latent[dept_idx])
    reposts = np.floor(rng.lognormal(1.5 + 1.2 * negative, 1.6)).astype(int)
    texts = post_texts(rng, [world.names[i] for i in dept_idx.tolist()], negative.tolist(),
                       categories_for(world, dept_idx))
    batch.emit(world, SOURCE, "post", times(rng, month, n, weekend=1.2), dept_idx, [
        {"post_id": p, "platform": f, "text": t, "reposts": r}
        for p, f, t, r in zip(world.ids("YQ", n, width=10), rng.choice(PLATFORMS, n, p=PLATFORM_SHARE).tolist(),
                              texts, reposts.tolist())])
