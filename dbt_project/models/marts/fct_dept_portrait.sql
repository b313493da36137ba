-- Department portrait (the radar chart's data): per department, period and balanced-scorecard dimension, the
-- published dimension score of fct_dept_score with the engine's coverage and status of that dimension and how
-- many of its indicators had data. Derived from the scoring items, never recomputed, so it always agrees.
with items as (
    select * from {{ ref('fct_dept_score_contribution') }} where tree = 'overall'
),

dimensions as (
    select dept_code, period_type, period, replace(item, 'dimension:', '') as dimension, coverage, status
    from items
    where kind = 'node' and item like 'dimension:%'
),

indicators as (
    select dept_code, period_type, period, replace(parent, 'dimension:', '') as dimension,
           count(*) as indicators_applicable,
           count(value) as indicators_with_data,
           count(*) filter (where self_reported) as indicators_self_reported
    from items
    where kind = 'indicator' and parent like 'dimension:%'
    group by all
),

scores as (
    select * from {{ ref('fct_dept_score') }}
)

select
    dimensions.dept_code,
    scores.dept_name,
    dimensions.period_type,
    dimensions.period,
    dimensions.dimension,
    {{ dimension_name('dimensions.dimension') }} as dimension_name,
    indicators.indicators_applicable,
    indicators.indicators_with_data,
    indicators.indicators_self_reported,
    dimensions.coverage,
    dimensions.status,
    case dimensions.dimension
        when 'mission' then scores.mission_score when 'strategy' then scores.strategy_score
        when 'public' then scores.public_score when 'process' then scores.process_score
        when 'growth' then scores.growth_score
    end as dimension_score
from dimensions
join indicators using (dept_code, period_type, period, dimension)
join scores using (dept_code, period_type, period)
