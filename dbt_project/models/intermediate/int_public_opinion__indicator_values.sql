-- 网络舆情帖文量 (posts) and 舆情平均转发量 (reposts per post) per department and business month. Every
-- department gets a row for every month the source reported anything: a month without a post about the
-- department is 0 posts and 0 reposts (the best value), not "no data".
with posts as (
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month, reposts
    from {{ ref('stg_public_opinion__posts') }}
),

source_months as (
    select distinct period_month from posts
),

monthly as (
    select departments.dept_code, source_months.period_month,
           count(posts.dept_code) as posts, coalesce(sum(posts.reposts), 0) as reposts
    from {{ ref('ref_departments') }} as departments
    cross join source_months
    left join posts
      on posts.dept_code = departments.dept_code and posts.period_month = source_months.period_month
    group by all
)

select dept_code, period_month, 'OPINION_POSTS' as indicator_code, posts::double as value,
       posts::double as numerator, null::double as denominator
from monthly
union all
select dept_code, period_month, 'OPINION_AVG_REPOSTS', coalesce(reposts / nullif(posts, 0), 0),
       reposts::double, posts::double
from monthly
