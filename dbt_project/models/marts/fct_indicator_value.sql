-- Department × applicable indicator × month (period YYYY-MM), from the first to the last month with any indicator
-- value. The catalogue version valid in the month supplies target, direction, weight and the scoring attributes;
-- a month without source data is an explicit "no data" row (value null, has_data false). A value outside the
-- indicator's possible range (a rate above 100 %, a negative satisfaction) is brought to the bound and flagged;
-- a year-to-date indicator is held to its target × months elapsed / 12 (序时进度), not the full-year target.
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
),

valued as (
    select
        applicable.*,
        indicator_values.value as reported_value,
        -- least/greatest skip NULLs in DuckDB (greatest(NULL, 0) is 0): keep "no data" null explicitly
        case when indicator_values.value is not null then
            least(greatest(indicator_values.value, coalesce(applicable.min_value, indicator_values.value)),
                  coalesce(applicable.max_value, indicator_values.value)) end as bounded_value,
        indicator_values.numerator,
        indicator_values.denominator,
        case when applicable.target_basis = 'year_to_date'
             then applicable.target * month(applicable.period_month) / 12
             else applicable.target end as period_target
    from applicable
    left join indicator_values
      on applicable.dept_code = indicator_values.dept_code
     and applicable.indicator_code = indicator_values.indicator_code
     and applicable.period_month = indicator_values.period_month
)

select
    dept_code,
    indicator_code,
    strftime(period_month, '%Y-%m') as period,
    version as indicator_version,
    indicator_name,
    dimension,
    goal_code,
    unit,
    direction,
    coalesce(self_reported, false) as self_reported,
    coalesce(scored_in, 'composite') as scored_in,
    coalesce(aggregation, 'monthly_mean') as aggregation,
    independent_indicators,
    target as catalogue_target,
    period_target as target,
    weight,
    reported_value,
    bounded_value as value,
    reported_value is distinct from bounded_value as is_clipped,
    numerator,
    denominator,
    case when aggregation = 'rate' then denominator end as sample_size,
    {{ attainment('bounded_value', 'period_target', 'direction') }} as attainment,
    reported_value is not null as has_data
from valued
