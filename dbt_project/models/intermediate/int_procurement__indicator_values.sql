-- 公开招标占比 (by publication month), 中标价下浮率 and 平均投标人数 (by award month) per department.
with tenders as (
    select * from {{ ref('stg_procurement__tenders') }}
    qualify row_number() over (partition by tender_id order by occurred_at, event_id) = 1
),

awards as (
    select * from {{ ref('stg_procurement__awards') }}
    qualify row_number() over (partition by tender_id order by occurred_at desc, event_id desc) = 1
),

bidders as (
    select tender_id, count(distinct bidder_id) as bidders
    from {{ ref('stg_procurement__bids') }}
    group by tender_id
),

open_tender_share as (
    select 'OPEN_TENDER_SHARE' as indicator_code, dept_code, date_trunc('month', occurred_at_local)::date as period_month,
           count(*) filter (where procurement_method = 'open') as numerator, count(*) as denominator
    from tenders
    group by all
),

awarded as (
    select awards.dept_code, date_trunc('month', awards.occurred_at_local)::date as period_month,
           tenders.ceiling_price, awards.award_price, coalesce(bidders.bidders, 0) as bidders
    from awards
    left join tenders on awards.tender_id = tenders.tender_id
    left join bidders on awards.tender_id = bidders.tender_id
),

award_price_saving as (
    -- 1 − Σ award price / Σ ceiling price, over awarded tenders with a known ceiling
    select 'AWARD_PRICE_SAVING' as indicator_code, dept_code, period_month,
           sum(ceiling_price - award_price) as numerator, sum(ceiling_price) as denominator
    from awarded
    where ceiling_price is not null
    group by all
),

bidders_per_tender as (
    select 'BIDDERS_PER_TENDER' as indicator_code, dept_code, period_month,
           sum(bidders) as numerator, count(*) as denominator
    from awarded
    group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from (select * from open_tender_share union all select * from award_price_saving)
where denominator > 0
union all
select dept_code, period_month, indicator_code, numerator / denominator as value,
       numerator::double as numerator, denominator::double as denominator
from bidders_per_tender
