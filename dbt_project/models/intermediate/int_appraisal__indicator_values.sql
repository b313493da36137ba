-- 上级评价得分, 第三方评价得分, 同行互评得分, 自我评价得分: mean accepted score per department and evaluator type.
-- An appraisal is of its quarter (the simulator and the 考评办 send it in the quarter's last month), so it
-- counts for every month of that quarter; the latest score of each evaluator and dimension counts and scores
-- outside the evaluator rights list do not.
with scores as (
    select * from {{ ref('int_appraisal__checked_scores') }}
    where accepted
),

quarterly as (
    select
        dept_code,
        date_trunc('quarter', strptime(period, '%Y-%m'))::date as quarter_start,
        'APPRAISAL_' || upper(evaluator_type) as indicator_code,
        sum(score) as numerator,
        count(*)::double as denominator
    from scores
    group by all
)

select
    quarterly.dept_code,
    (quarterly.quarter_start + to_months(offsets.month_offset))::date as period_month,
    quarterly.indicator_code,
    quarterly.numerator / quarterly.denominator as value,
    quarterly.numerator,
    quarterly.denominator
from quarterly
cross join (select unnest([0, 1, 2]) as month_offset) as offsets
