-- Department × applicable indicator × month, from the first to the last month with any indicator value.
-- The catalogue version valid in the month supplies target, direction and weight; a month without source
-- data is an explicit "no data" row (value null, has_data false).
with indicator_values as (
    select * from {{ ref('int_indicator_values__unioned') }}
),

periods as (
    select unnest(generate_series(min(period_month), max(period_month), interval 1 month))::date as period_month
    from indicator_values
    having count(*) > 0
),

applicable as (
    select departments.dept_code, periods.period_month, catalogue.*
    from {{ ref('dim_department') }} as departments
    cross join periods
    join {{ ref('ref_indicators') }} as catalogue
      on catalogue.valid_from <= periods.period_month
     and (catalogue.valid_to is null or periods.period_month < catalogue.valid_to)
     and (coalesce(catalogue.dept_types, '') = ''
          or list_contains(string_split(catalogue.dept_types, '|'), departments.dept_type))
)

select
    applicable.dept_code,
    applicable.indicator_code,
    applicable.period_month,
    strftime(applicable.period_month, '%Y-%m') as period,
    applicable.version as indicator_version,
    applicable.indicator_name,
    applicable.dimension,
    applicable.goal_code,
    applicable.unit,
    applicable.direction,
    applicable.target,
    applicable.weight,
    indicator_values.value,
    indicator_values.numerator,
    indicator_values.denominator,
    {{ attainment('indicator_values.value', 'applicable.target', 'applicable.direction') }} as attainment,
    indicator_values.value is not null as has_data
from applicable
left join indicator_values
  on applicable.dept_code = indicator_values.dept_code
 and applicable.indicator_code = indicator_values.indicator_code
 and applicable.period_month = indicator_values.period_month
