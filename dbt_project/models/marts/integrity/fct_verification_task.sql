-- 核查任务: one verification task per department and cross-source check that flagged, opened in the first flagged
-- month and carrying both figures (the department's and the independent one, with its interval and response count),
-- the months it stayed flagged, and when the figures came back in line (recovered_period).
with checks as (
    select * from {{ ref('int_integrity__cross_source_checks') }}
),

flagged as (
    select
        dept_code,
        check_type,
        any_value(check_name) as check_name,
        any_value(indicator_code) as indicator_code,
        min(period_month) as opened_month,
        max(period_month) as last_flagged_month,
        count(*) as flagged_months,
        arg_min(direction, period_month) as direction,
        arg_min(reported_figure, period_month) as reported_figure,
        arg_min(independent_figure, period_month) as independent_figure,
        arg_min(independent_lower, period_month) as independent_lower,
        arg_min(independent_upper, period_month) as independent_upper,
        arg_min(independent_responses, period_month) as independent_responses,
        arg_min(peer_execution, period_month) as peer_execution,
        arg_min(spending_index, period_month) as spending_index
    from checks
    where status = 'flagged'
    group by all
),

recovered as (
    select flagged.dept_code, flagged.check_type, min(later.period_month) as recovered_month
    from flagged
    join checks as later
      on later.dept_code = flagged.dept_code and later.check_type = flagged.check_type
     and later.period_month > flagged.last_flagged_month and later.status = 'consistent'
    group by all
),

decisions as (
    select * from {{ ref('int_review__latest_decisions') }}
),

tasks as (
    select
        'verify:' || flagged.check_type || ':' || flagged.dept_code || ':' || strftime(flagged.opened_month, '%Y-%m')
            as task_key,
        flagged.*,
        recovered.recovered_month
    from flagged
    left join recovered using (dept_code, check_type)
)

select
    tasks.task_key,
    tasks.dept_code,
    departments.dept_name,
    tasks.check_type,
    tasks.check_name,
    tasks.indicator_code,
    tasks.direction,
    strftime(tasks.opened_month, '%Y-%m') as opened_period,
    strftime(tasks.last_flagged_month, '%Y-%m') as last_flagged_period,
    tasks.flagged_months,
    strftime(tasks.recovered_month, '%Y-%m') as recovered_period,
    tasks.reported_figure,
    tasks.independent_figure,
    tasks.independent_lower,
    tasks.independent_upper,
    tasks.independent_responses,
    tasks.peer_execution,
    tasks.spending_index,
    coalesce(decisions.decision, 'pending') as review_status,
    decisions.decided_by,
    decisions.decided_at,
    decisions.decision_reason,
    decisions.decision_id,
    to_json({'rule': 'cross_source', 'check': tasks.check_type, 'period': strftime(tasks.opened_month, '%Y-%m'),
             'department_figure': round(tasks.reported_figure, 2), 'independent_figure': round(tasks.independent_figure, 2),
             'independent_interval': [round(tasks.independent_lower, 2), round(tasks.independent_upper, 2)],
             'independent_responses': tasks.independent_responses, 'province_median_execution': round(tasks.peer_execution, 2), 'spending_index': round(tasks.spending_index, 3),
             'sources': case when tasks.check_type = 'self_report' then ['gov_oa kpi_reported', 'hotline_12345', 'service_review']
                             else ['finance', 'hotline_12345', 'service_review'] end})::varchar as evidence
from tasks
left join decisions on decisions.review_key = tasks.task_key
left join {{ ref('dim_department') }} as departments on departments.dept_code = tasks.dept_code
