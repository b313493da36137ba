-- Every portrait dimension score is the dimension score fct_dept_score publishes (both null, or equal).
select portrait.*
from {{ ref('fct_dept_portrait') }} as portrait
join {{ ref('fct_dept_score') }} as scores using (dept_code, period_type, period)
where portrait.dimension_score is distinct from case portrait.dimension
    when 'mission' then scores.mission_score when 'strategy' then scores.strategy_score
    when 'public' then scores.public_score when 'process' then scores.process_score
    when 'growth' then scores.growth_score end
