-- 僵尸指标: one row per reported series that the zombie rule flagged, with the evidence of its first flag (the
-- window's values, change rate, threshold), whether it moved again, and the reviewer's decision. While pending or
-- rejected, the series is out of scoring from the month after the flag until it moves (int_integrity__zombie_exclusions);
-- approved ("genuinely stable") it is scored.
{%- set zombie = rule('zombie') %}

with windows as (
    select * from {{ ref('int_integrity__zombie_windows') }}
),

flagged as (
    select
        dept_code,
        indicator_code,
        min(period_month) as first_flagged_month,
        max(period_month) as last_flagged_month,
        count(*) as flagged_months,
        arg_min(change_rate, period_month) as change_rate,
        arg_min(window_start, period_month) as window_start,
        arg_min(period, period_month) as window_end,
        arg_min(n_values, period_month) as n_values,
        arg_min(window_min, period_month) as window_min,
        arg_min(window_max, period_month) as window_max,
        arg_min(window_mean, period_month) as window_mean,
        arg_min(window_values, period_month) as window_values,
        arg_max(window_mean, period_month) as last_reference
    from windows
    where is_flagged
    group by all
),

moved as (
    {{ zombie_first_move('flagged', 'windows', 'last_flagged_month', 'last_reference') }}
),

excluded as (
    select dept_code, indicator_code, count(*) as excluded_months, min(period) as excluded_from, max(period) as excluded_to
    from {{ ref('int_integrity__zombie_exclusions') }}
    group by all
),

decisions as (
    select * from {{ ref('int_review__latest_decisions') }}
),

keyed as (
    select
        flagged.*,
        'zombie:' || flagged.dept_code || ':' || flagged.indicator_code || ':'
            || strftime(flagged.first_flagged_month, '%Y-%m') as review_key
    from flagged
)

select
    keyed.review_key,
    keyed.dept_code,
    departments.dept_name,
    keyed.indicator_code,
    indicators.indicator_name,
    strftime(keyed.first_flagged_month, '%Y-%m') as first_flagged_period,
    strftime(keyed.last_flagged_month, '%Y-%m') as last_flagged_period,
    keyed.flagged_months,
    keyed.change_rate,
    {{ zombie['change_rate_below'] }}::double as threshold,
    keyed.window_start,
    keyed.window_end,
    keyed.n_values,
    keyed.window_min,
    keyed.window_max,
    keyed.window_mean,
    strftime(moved.moved_month, '%Y-%m') as moved_again_period,
    case when moved.moved_month is null then 'active' else 'moved_again' end as status,
    coalesce(decisions.decision, 'pending') as review_status,
    decisions.decided_by,
    decisions.decided_at,
    decisions.decision_reason,
    decisions.decision_id,
    coalesce(decisions.decision, '') <> 'approve' and excluded.excluded_months > 0 as is_excluded_from_scoring,
    coalesce(excluded.excluded_months, 0) as excluded_months,
    excluded.excluded_from,
    excluded.excluded_to,
    to_json({'rule': 'zombie', 'window': [keyed.window_start, keyed.window_end], 'values': keyed.window_values,
             'min': keyed.window_min, 'max': keyed.window_max, 'mean': round(keyed.window_mean, 4),
             'change_rate': round(keyed.change_rate, 6), 'threshold': {{ zombie['change_rate_below'] }},
             'source': 'gov_oa kpi_reported'})::varchar as evidence
from keyed
left join moved on moved.dept_code = keyed.dept_code and moved.indicator_code = keyed.indicator_code
left join excluded on excluded.dept_code = keyed.dept_code and excluded.indicator_code = keyed.indicator_code
left join decisions on decisions.review_key = keyed.review_key
left join {{ ref('dim_department') }} as departments on departments.dept_code = keyed.dept_code
left join (select distinct indicator_code, indicator_name from {{ ref('dim_indicator') }}) as indicators
  on indicators.indicator_code = keyed.indicator_code
