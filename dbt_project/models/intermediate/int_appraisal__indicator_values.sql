-- 上级评价得分, 第三方评价得分, 同行互评得分: mean score per department, appraised month and evaluator type
-- (the latest score of each evaluator and dimension counts; scores outside the evaluator rights list do not).
with scores as (
    select * from {{ ref('int_appraisal__checked_scores') }}
    where accepted and evaluator_type in ('superior', 'third_party', 'peer')
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
