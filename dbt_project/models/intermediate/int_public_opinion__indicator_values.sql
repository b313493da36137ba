-- 网络舆情帖文量 (posts) and 舆情平均转发量 (reposts per post) per department and business month.
with monthly as (
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month,
           count(*) as posts, sum(reposts) as reposts
    from {{ ref('stg_public_opinion__posts') }}
    group by all
)

select dept_code, period_month, 'OPINION_POSTS' as indicator_code, posts::double as value,
       posts::double as numerator, null::double as denominator
from monthly
union all
select dept_code, period_month, 'OPINION_AVG_REPOSTS', reposts / posts,
       reposts::double, posts::double
from monthly
