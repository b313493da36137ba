-- Zombie indicators (僵尸指标), step 1: every reported series × month with its trailing window of accepted values.
-- change_rate = (max − min) / |mean| over the window (0 when every value is equal); flagged when it is below the
-- threshold, the window holds at least `min_months` values and the series is not saturated.
-- Saturated: the indicator's ceiling (the highest value any department reports for it in the window) is a reporting
-- cap, reported by at least `saturation_min_departments` departments, the series has a value on it and fewer than
-- `min_months` of its values lie below it. A value on a cap cannot show a rise, so such a series lacks the months
-- the rule needs to judge it (a pass rate shown as 99.9 in eight months of nine and 98.95 in one is not stale). A
-- single department's own highest value is no cap: a series constant above every other department's is judged.
-- The ceiling is read from values within the outlier bounds: an approved outlier is scored, but it does not move the
-- reporting cap other series are judged against.
{%- set zombie = rule('zombie') %}

with accepted as (
    select dept_code, indicator_code, period, period_month, value, outlier_status
    from {{ ref('int_integrity__value_checks') }}
    where is_accepted and formula_model in {{ sql_list(zombie['formula_models']) }}
),

windows as (
    select
        current_period.dept_code,
        current_period.indicator_code,
        current_period.period,
        current_period.period_month,
        current_period.value,
        count(history.value) as n_values,
        min(history.value) as window_min,
        max(history.value) as window_max,
        avg(history.value) as window_mean,
        min(history.period) as window_start,
        list(history.value order by history.period_month) as window_values
    from accepted as current_period
    join accepted as history
      on history.dept_code = current_period.dept_code
     and history.indicator_code = current_period.indicator_code
     and history.period_month > current_period.period_month - interval ({{ zombie['window_months'] }}) month
     and history.period_month <= current_period.period_month
    group by all
),

ceilings as (
    select current_period.indicator_code, current_period.period_month, max(history.value) as indicator_ceiling
    from (select distinct indicator_code, period_month from accepted) as current_period
    join accepted as history
      on history.outlier_status in ('in_bounds', 'low_sample')
     and history.indicator_code = current_period.indicator_code
     and history.period_month > current_period.period_month - interval ({{ zombie['window_months'] }}) month
     and history.period_month <= current_period.period_month
    group by all
),

rated as (
    select
        windows.*,
        ceilings.indicator_ceiling,
        case when windows.window_max = windows.window_min then 0.0
             else (windows.window_max - windows.window_min) / nullif(abs(windows.window_mean), 0) end as change_rate,
        len(list_filter(windows.window_values, lambda v: v = ceilings.indicator_ceiling)) as months_at_ceiling
    from windows
    join ceilings using (indicator_code, period_month)
)

select
    *,
    count(*) filter (where months_at_ceiling > 0) over (partition by indicator_code, period_month)
        as departments_at_ceiling,
    months_at_ceiling > 0 and departments_at_ceiling >= {{ zombie['saturation_min_departments'] }}
        and n_values - months_at_ceiling < {{ zombie['min_months'] }} as is_saturated,
    n_values >= {{ zombie['min_months'] }} and change_rate < {{ zombie['change_rate_below'] }}
        and not is_saturated as is_flagged
from rated
