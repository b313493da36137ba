-- 12345按时办结率, 群众诉求解决率, 12345满意率 per department and business month of closure.
with closed as (
    select dept_code, date_trunc('month', closed_at_local)::date as period_month, is_on_time, is_resolved, satisfaction
    from {{ ref('int_hotline_12345__tickets') }}
    where is_closed
),

counts as (
    select 'HOTLINE_ON_TIME_RATE' as indicator_code, dept_code, period_month,
           count(*) filter (where is_on_time) as numerator, count(*) as denominator
    from closed group by all
    union all
    select 'HOTLINE_RESOLVED_RATE', dept_code, period_month,
           count(*) filter (where is_resolved), count(*)
    from closed group by all
    union all
    -- satisfied = rated 4 or 5, among rated tickets
    select 'HOTLINE_SATISFACTION', dept_code, period_month,
           count(*) filter (where satisfaction >= 4), count(satisfaction)
    from closed group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from counts
where denominator > 0
