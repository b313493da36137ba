-- Department portrait: per department, month and balanced-scorecard dimension, the weighted attainment over
-- the indicators that have data, and how many of the applicable indicators had data (coverage).
select
    dept_code,
    period_month,
    period,
    dimension,
    {{ dimension_name('dimension') }} as dimension_name,
    count(*) as indicators_applicable,
    count(*) filter (where has_data) as indicators_with_data,
    count(*) filter (where has_data) / count(*) as coverage,
    sum(weight * attainment) filter (where has_data) / sum(weight) filter (where has_data) as weighted_attainment,
    100 * least(sum(weight * attainment) filter (where has_data) / sum(weight) filter (where has_data), 1)
        as dimension_score
from {{ ref('fct_indicator_value') }}
group by all
