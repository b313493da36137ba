-- Cross-source checks (跨源数据校验), one row per department × month × check, over the trailing window:
--   self_report: the self-reported satisfaction (mean of its accepted values) against the independent figure
--     (12345 and 好差评 responses pooled); flagged when it exceeds the Wilson interval's upper end by more than the
--     tolerance.
--   spending: year-to-date budget execution against the province's pace (the median year-to-date execution of all
--     departments in the same month) versus the same independent satisfaction; flagged when spending runs ahead of
--     the province while satisfaction is surely low, or the reverse. The pace is the province's, not 序时进度
--     (months elapsed / 12): spending rushes at year end everywhere (年底突击), so against 序时进度 every department
--     looks slow until November and none could reach the high-spending branch before December.
-- Fewer independent responses than `min_responses`: not compared (status insufficient).
{%- set cross = rule('cross_source') %}
{%- set self_report = cross['self_report'] %}
{%- set spending = cross['spending'] %}

with accepted as (
    select * from {{ ref('int_integrity__value_checks') }} where is_accepted
),

periods as (
    select distinct dept_code, period_month from accepted
),

pooled as (
    select
        periods.dept_code,
        periods.period_month,
        sum(accepted.numerator) filter (where accepted.indicator_code in {{ sql_list(self_report['independent']) }})
            as independent_satisfied,
        sum(accepted.denominator) filter (where accepted.indicator_code in {{ sql_list(self_report['independent']) }})
            as independent_responses,
        avg(accepted.value) filter (where accepted.indicator_code = '{{ self_report['self_reported'] }}')
            as self_reported,
        count(accepted.value) filter (where accepted.indicator_code = '{{ self_report['self_reported'] }}')
            as self_reported_months,
        sum(accepted.numerator) filter (where accepted.indicator_code in {{ sql_list(spending['satisfaction']) }})
            as spending_satisfied,
        sum(accepted.denominator) filter (where accepted.indicator_code in {{ sql_list(spending['satisfaction']) }})
            as spending_responses
    from periods
    join accepted
      on accepted.dept_code = periods.dept_code
     and accepted.period_month > periods.period_month - interval ({{ cross['window_months'] }}) month
     and accepted.period_month <= periods.period_month
    group by all
),

execution_values as (
    select dept_code, period_month, value as budget_execution
    from accepted
    where indicator_code = '{{ spending['spending'] }}'
),

province_pace as (
    select period_month, median(budget_execution) as peer_execution
    from execution_values
    group by all
),

execution as (
    select execution_values.*, province_pace.peer_execution,
           execution_values.budget_execution / nullif(province_pace.peer_execution, 0) as spending_index
    from execution_values
    join province_pace using (period_month)
),

self_report_checks as (
    select
        dept_code,
        period_month,
        'self_report' as check_type,
        '{{ self_report['name'] }}' as check_name,
        '{{ self_report['self_reported'] }}' as indicator_code,
        self_reported as reported_figure,
        100.0 * independent_satisfied / nullif(independent_responses, 0) as independent_figure,
        independent_responses,
        {{ wilson_bound('independent_satisfied', 'nullif(independent_responses, 0)', cross['z'], -1) }} as independent_lower,
        {{ wilson_bound('independent_satisfied', 'nullif(independent_responses, 0)', cross['z'], 1) }} as independent_upper,
        null::double as peer_execution,
        null::double as spending_index,
        case
            when self_reported is null then 'not_reported'
            when coalesce(independent_responses, 0) < {{ cross['min_responses'] }} then 'insufficient'
            when self_reported - independent_upper > {{ self_report['tolerance_points'] }} then 'flagged'
            else 'consistent'
        end as status,
        case when status = 'flagged' then 'self_reported_above_independent' end as direction
    from pooled
),

spending_checks as (
    select
        pooled.dept_code,
        pooled.period_month,
        'spending' as check_type,
        '{{ spending['name'] }}' as check_name,
        '{{ spending['spending'] }}' as indicator_code,
        execution.budget_execution as reported_figure,
        100.0 * pooled.spending_satisfied / nullif(pooled.spending_responses, 0) as independent_figure,
        pooled.spending_responses as independent_responses,
        {{ wilson_bound('pooled.spending_satisfied', 'nullif(pooled.spending_responses, 0)', cross['z'], -1) }} as independent_lower,
        {{ wilson_bound('pooled.spending_satisfied', 'nullif(pooled.spending_responses, 0)', cross['z'], 1) }} as independent_upper,
        execution.peer_execution,
        execution.spending_index,
        case
            when execution.budget_execution is null then 'not_reported'
            when month(pooled.period_month) < {{ spending['min_months_elapsed'] }} then 'too_early'
            when coalesce(pooled.spending_responses, 0) < {{ cross['min_responses'] }} then 'insufficient'
            when execution.spending_index is null then 'insufficient'
            when execution.spending_index >= {{ spending['high_spending_index'] }}
                 and independent_upper < {{ spending['low_satisfaction_below'] }} then 'flagged'
            when execution.spending_index <= {{ spending['low_spending_index'] }}
                 and independent_lower > {{ spending['high_satisfaction_above'] }} then 'flagged'
            else 'consistent'
        end as status,
        case when status = 'flagged' and execution.spending_index >= {{ spending['high_spending_index'] }}
                  then 'high_spending_low_satisfaction'
             when status = 'flagged' then 'low_spending_high_satisfaction' end as direction
    from pooled
    left join execution using (dept_code, period_month)
)

select *, strftime(period_month, '%Y-%m') as period from self_report_checks
union all by name
select *, strftime(period_month, '%Y-%m') as period from spending_checks
