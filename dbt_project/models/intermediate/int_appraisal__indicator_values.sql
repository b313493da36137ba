-- 上级评价得分, 第三方评价得分, 同行互评得分: mean score per department, appraised month and evaluator type
-- (the latest score of each evaluator and dimension counts).
with scores as (
    select * from {{ ref('stg_appraisal__scores') }}
    where evaluator_type in ('superior', 'third_party', 'peer')
    qualify row_number() over (
        partition by dept_code, period, evaluator_type, evaluator_id, appraisal_dimension
        order by occurred_at desc, event_id desc) = 1
)

select
    dept_code,
    strptime(period, '%Y-%m')::date as period_month,
    'APPRAISAL_' || upper(evaluator_type) as indicator_code,
    avg(score) as value,
    sum(score) as numerator,
    count(*)::double as denominator
from scores
group by all
