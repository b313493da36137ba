-- Every version of every catalogue indicator with its goal and mission; is_current marks the open version.
select
    indicators.indicator_code || '@v' || indicators.version as indicator_version_key,
    indicators.indicator_code,
    indicators.version,
    indicators.indicator_name,
    indicators.indicator_name_en,
    indicators.dimension,
    {{ dimension_name('indicators.dimension') }} as dimension_name,
    indicators.goal_code,
    goals.goal_name,
    goals.mission_code,
    missions.mission_name,
    indicators.unit,
    indicators.direction,
    indicators.target,
    indicators.weight,
    coalesce(indicators.dept_types, '') = '' as is_common,
    case when coalesce(indicators.dept_types, '') = '' then []::varchar[]
         else string_split(indicators.dept_types, '|') end as dept_types,
    indicators.source,
    indicators.formula_model,
    indicators.valid_from,
    indicators.valid_to,
    indicators.valid_to is null as is_current
from {{ ref('ref_indicators') }} as indicators
left join {{ ref('ref_goals') }} as goals on indicators.goal_code = goals.goal_code
left join {{ ref('ref_missions') }} as missions on goals.mission_code = missions.mission_code
