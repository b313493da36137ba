-- 信访按期办结率, 信访群众满意率 and 重复信访率 per department and business month of closure.
with closed as (
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month, is_on_time, is_satisfied, is_repeat_visit
    from {{ ref('stg_petition__cases_closed') }}
    qualify row_number() over (partition by case_id order by occurred_at desc, event_id desc) = 1
),

counts as (
    select 'PETITION_ON_TIME_RATE' as indicator_code, dept_code, period_month,
           count(*) filter (where is_on_time) as numerator, count(*) as denominator
    from closed group by all
    union all
    -- among petitioners asked
    select 'PETITION_SATISFIED_RATE', dept_code, period_month,
           count(*) filter (where is_satisfied), count(is_satisfied)
    from closed group by all
    union all
    select 'PETITION_REPEAT_RATE', dept_code, period_month,
           count(*) filter (where is_repeat_visit), count(*)
    from closed group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from counts
where denominator > 0
