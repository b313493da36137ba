-- 整改闭环 (PDCA): one rectification item per alert (each verification task included), with its department,
-- owner and deadline, moving plan → do → check → act. The check is decided from the data: did the condition clear
-- (the indicator back within limits, moving again, the figures back in line) within `recovery_periods` months after
-- the alert? A reviewer's approval of a verification task ("figures verified") also closes it. "Now" is the latest
-- month with data (as_of_period), so the stage is reproducible.
{%- set pdca = rule('pdca') %}

with alerts as (
    select * from {{ ref('fct_rule_alert') }}
),

as_of as (
    select strptime(max(period), '%Y-%m')::date as as_of_month from {{ ref('fct_indicator_value') }}
),

decisions as (
    select * from {{ ref('int_review__latest_decisions') }}
),

items as (
    select
        alerts.alert_key,
        alerts.alert_type,
        alerts.severity,
        alerts.dept_code,
        alerts.indicator_code,
        alerts.title,
        strptime(alerts.period, '%Y-%m')::date as opened_month,
        strptime(alerts.recovered_period, '%Y-%m')::date as recovered_month,
        case alerts.severity
            {%- for severity, months in pdca['deadline_periods'].items() %}
            when '{{ severity }}' then {{ months }}
            {%- endfor %}
        end as deadline_months,
        case alerts.alert_type
            {%- for alert_type, owner in pdca['owner'].items() %}
            when '{{ alert_type }}' then '{{ owner }}'
            {%- endfor %}
        end as owner_role,
        decisions.decision as review_decision,
        as_of.as_of_month
    from alerts
    cross join as_of
    left join decisions on decisions.review_key = alerts.alert_key
),

judged as (
    select
        *,
        opened_month + to_months({{ pdca['recovery_periods'] }}) as check_month,
        opened_month + to_months(deadline_months) as deadline_month,
        case
            when review_decision = 'approve' and alert_type = 'cross_source' then 'verified'
            when recovered_month is not null
                 and recovered_month <= opened_month + to_months({{ pdca['recovery_periods'] }}) then 'recovered'
            when as_of_month >= opened_month + to_months({{ pdca['recovery_periods'] }}) then 'not_recovered'
            else 'pending'
        end as check_result
    from items
),

staged as (
    select
        *,
        case check_result
            when 'recovered' then recovered_month
            when 'not_recovered' then check_month
            when 'verified' then as_of_month
        end as decided_month
    from judged
)

select
    staged.alert_key as item_key,
    staged.alert_key,
    staged.alert_type,
    staged.severity,
    staged.dept_code,
    departments.dept_name,
    departments.dept_name || staged.owner_role as owner,
    staged.indicator_code,
    staged.title,
    strftime(staged.opened_month, '%Y-%m') as opened_period,
    strftime(staged.deadline_month, '%Y-%m') as deadline_period,
    (staged.deadline_month + interval 1 month - interval 1 day)::date as deadline_date,
    strftime(staged.check_month, '%Y-%m') as check_period,
    strftime(staged.as_of_month, '%Y-%m') as as_of_period,
    case
        when staged.as_of_month = staged.opened_month and staged.check_result <> 'verified' then 'plan'
        when staged.check_result = 'pending' then 'do'
        when staged.as_of_month = staged.decided_month then 'check'
        else 'act'
    end as stage,
    case stage when 'plan' then '计划（P）：制定整改方案' when 'do' then '执行（D）：整改中'
               when 'check' then '检查（C）：数据核验整改成效' else '处理（A）：' ||
               case when staged.check_result in ('recovered', 'verified') then '巩固推广，闭环' else '升级督办' end
    end as stage_name,
    staged.check_result,
    strftime(staged.recovered_month, '%Y-%m') as recovered_period,
    staged.check_result in ('recovered', 'verified') as is_closed,
    staged.check_result not in ('recovered', 'verified') and staged.as_of_month > staged.deadline_month as is_overdue,
    case when staged.check_result not in ('recovered', 'verified') and staged.as_of_month > staged.deadline_month
         then date_diff('month', staged.deadline_month, staged.as_of_month) end as months_overdue
from staged
left join {{ ref('dim_department') }} as departments on departments.dept_code = staged.dept_code
