"""Tender-level red-flag features of bid rigging (围标串标), from tenders, bids and awards the platform holds.

One row per awarded tender. Each feature is a classic red flag from the procurement-integrity
literature, computed over the whole window given (a network is only visible across many tenders):

- price: ``award_to_ceiling`` (prices hugging the ceiling), ``bid_spread`` (losing bids close together),
  ``cover_gap`` (the runner-up just above the winner: cover bidding);
- competition: ``n_bidders``, ``single_bid``, ``open_method``;
- winner concentration per buyer: ``winner_share_at_buyer`` (of the buyer's other awards, the share this
  winner won), ``buyer_winner_hhi``; repeat winners: ``winner_win_rate`` (the winner's other bids won);
- rotation within a bidder set: ``set_repeats`` (other tenders with exactly this bidder set),
  ``set_rotation`` (distinct winners over those tenders / set size), ``reciprocal_wins`` (share of the
  losers who beat this winner on another tender);
- co-bidding network: ``pair_cobids_max`` (most other tenders any two of the bidders met on),
  ``pair_affinity`` (mean over bidder pairs of their other meetings / the fewer bids of the two).
"""
from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

FEATURES = {
    "award_to_ceiling": "中标价/最高限价",
    "bid_spread": "投标报价离散度",
    "cover_gap": "次低价与中标价差",
    "n_bidders": "投标人数",
    "single_bid": "单一投标",
    "open_method": "公开招标",
    "winner_share_at_buyer": "中标人在本采购人处中标占比",
    "buyer_winner_hhi": "采购人中标集中度(HHI)",
    "winner_win_rate": "中标人其他投标中标率",
    "set_repeats": "相同投标人组合重复次数",
    "set_rotation": "相同组合内轮流中标",
    "reciprocal_wins": "陪标人互相中标占比",
    "pair_cobids_max": "投标人两两共同投标次数(最大)",
    "pair_affinity": "投标人共同投标亲密度",
}
"""Feature name → Chinese label (used in explanations)."""

Frame = pd.DataFrame | pa.Table

FEATURE_SQL = """
with tenders as (
    select tender_id, dept_code, ceiling_price::double as ceiling_price, procurement_method
    from tenders_in qualify row_number() over (partition by tender_id order by occurred_at, event_id) = 1
),
awards as (
    select tender_id, winner_id, award_price::double as award_price, occurred_at_local as awarded_at
    from awards_in qualify row_number() over (partition by tender_id order by occurred_at desc, event_id desc) = 1
),
bids as (
    select tender_id, bidder_id, min(bid_price::double) as bid_price from bids_in group by all
),
base as (
    select a.tender_id, t.dept_code, a.winner_id, a.award_price, a.awarded_at, t.ceiling_price,
           t.procurement_method
    from awards a join tenders t using (tender_id)
),
per_tender as (
    select tender_id, count(*) as n_bidders, min(bid_price) as low, max(bid_price) as high,
           list(bidder_id order by bidder_id) as bidder_set,
           (list(bid_price order by bid_price))[2] as second_price
    from bids where tender_id in (select tender_id from base) group by tender_id
),
sets as (
    select tender_id, hash(bidder_set) as set_key, n_bidders from per_tender
),
set_stats as (
    select s.set_key, count(*) as tenders, count(distinct b.winner_id) as winners
    from sets s join base b using (tender_id) where s.n_bidders >= 2 group by s.set_key
),
pairs as (
    select x.tender_id, x.bidder_id as a, y.bidder_id as b
    from bids x join bids y on x.tender_id = y.tender_id and x.bidder_id < y.bidder_id
    where x.tender_id in (select tender_id from base)
),
pair_counts as (select a, b, count(*) - 1 as others from pairs group by a, b),
bidder_bids as (select bidder_id, count(*) as bids from bids group by bidder_id),
pair_stats as (
    select p.tender_id, max(c.others) as pair_cobids_max,
           avg(case when least(ba.bids, bb.bids) > 1 then c.others / (least(ba.bids, bb.bids) - 1) else 0 end)
               as pair_affinity
    from pairs p join pair_counts c using (a, b)
    join bidder_bids ba on ba.bidder_id = p.a join bidder_bids bb on bb.bidder_id = p.b
    group by p.tender_id
),
beaten as (  -- (winner, loser) of every tender
    select distinct b.winner_id, x.bidder_id as loser_id
    from base b join bids x using (tender_id) where x.bidder_id <> b.winner_id
),
reciprocal as (
    select b.tender_id, avg(case when r.winner_id is not null then 1.0 else 0.0 end) as reciprocal_wins
    from base b join bids x using (tender_id)
    left join beaten r on r.winner_id = x.bidder_id and r.loser_id = b.winner_id
    where x.bidder_id <> b.winner_id
    group by b.tender_id
),
winner_at_buyer as (select dept_code, winner_id, count(*) as wins from base group by all),
buyer as (
    select dept_code, sum(wins) as awards, sum(wins * wins) / (sum(wins) * sum(wins))::double as hhi
    from winner_at_buyer group by dept_code
),
winner_overall as (select winner_id, count(*) as wins from base group by all)
select
    b.tender_id, b.dept_code, strftime(b.awarded_at, '%Y-%m') as period, b.winner_id, b.procurement_method,
    b.ceiling_price, b.award_price,
    b.award_price / nullif(b.ceiling_price, 0) as award_to_ceiling,
    coalesce((t.high - t.low) / nullif(t.low, 0), 0) as bid_spread,
    coalesce((t.second_price - b.award_price) / nullif(b.award_price, 0), 0.25) as cover_gap,
    coalesce(t.n_bidders, 0) as n_bidders,
    (coalesce(t.n_bidders, 0) <= 1)::integer as single_bid,
    (b.procurement_method = 'open')::integer as open_method,
    case when u.awards > 1 then (wb.wins - 1) / (u.awards - 1) else 0 end as winner_share_at_buyer,
    case when u.awards > 1 then u.hhi else 0 end as buyer_winner_hhi,
    case when bb.bids > 1 then (wo.wins - 1) / (bb.bids - 1) else 0 end as winner_win_rate,
    case when t.n_bidders >= 2 then ss.tenders - 1 else 0 end as set_repeats,
    case when t.n_bidders >= 2 and ss.tenders > 1 then ss.winners / t.n_bidders else 0 end as set_rotation,
    coalesce(r.reciprocal_wins, 0) as reciprocal_wins,
    coalesce(p.pair_cobids_max, 0) as pair_cobids_max,
    coalesce(p.pair_affinity, 0) as pair_affinity
from base b
left join per_tender t using (tender_id)
left join sets s using (tender_id)
left join set_stats ss using (set_key)
left join pair_stats p using (tender_id)
left join reciprocal r using (tender_id)
left join buyer u on u.dept_code = b.dept_code
left join winner_at_buyer wb on wb.dept_code = b.dept_code and wb.winner_id = b.winner_id
left join winner_overall wo on wo.winner_id = b.winner_id
left join bidder_bids bb on bb.bidder_id = b.winner_id
order by b.tender_id
"""


def tender_features(tenders: Frame, bids: Frame, awards: Frame) -> pd.DataFrame:
    """One row per awarded tender: ids, dept_code, period (award month), prices and every feature of FEATURES.

    Inputs (pandas frames or Arrow tables) have the columns of ``stg_procurement__tenders`` / ``__bids`` /
    ``__awards`` (event_id, occurred_at, occurred_at_local and the typed payload fields).
    """
    con = duckdb.connect()
    try:
        con.register("tenders_in", tenders)
        con.register("bids_in", bids)
        con.register("awards_in", awards)
        out = con.execute(FEATURE_SQL).df()
    finally:
        con.close()
    for name in FEATURES:
        out[name] = out[name].astype("float64")
    return out


def confirmed_tenders(findings: pd.DataFrame, categories: tuple[str, ...] = ("围标串标",)) -> set[str]:
    """Tenders named by an audit finding of a collusion category: the only labels a model may learn from."""
    named = findings[findings["tender_id"].notna() & findings["category"].isin(categories)]
    return set(named["tender_id"].astype(str))
