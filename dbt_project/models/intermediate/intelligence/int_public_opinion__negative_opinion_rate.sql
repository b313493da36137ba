-- 负面舆情占比: share of a department's public-opinion posts the sentiment model reads as negative, per month.
with posts as (
    select dept_code, period, is_negative
    from {{ ref('int_text__sentiment') }}
    where text_source = 'post'
)

select
    dept_code,
    strptime(period || '-01', '%Y-%m-%d')::date as period_month,
    'NEGATIVE_OPINION_RATE' as indicator_code,
    {{ percent('count(*) filter (where is_negative)', 'count(*)') }} as value,
    (count(*) filter (where is_negative))::double as numerator,
    count(*)::double as denominator
from posts
group by dept_code, period
