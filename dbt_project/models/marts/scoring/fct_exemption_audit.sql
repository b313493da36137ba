-- 容错 audit trail: every registry entry, whether it was applied (the month missed its target and was scored)
-- and what it changed in that month's score: the indicator's contribution taken out and the overall score
-- without and with it.
with registry as (
    select * from {{ ref('ref_exemptions') }}
),

items as (
    select * from {{ ref('fct_dept_score_contribution') }} where tree = 'overall' and period_type = 'month'
),

monthly_values as (
    select dept_code, period, indicator_code, value, attainment from {{ ref('fct_indicator_value') }}
),

indicator as (
    select registry.exemption_id, monthly_values.value, monthly_values.attainment,
           items.exclusion_reason like '%' || registry.exemption_id || '：%' as applied,
           items.baseline_contribution - coalesce(items.contribution, 0) as contribution_removed
    from registry
    join items
      on items.dept_code = registry.dept_code and items.period = registry.period
     and items.item = registry.indicator_code
    left join monthly_values
      on monthly_values.dept_code = registry.dept_code and monthly_values.period = registry.period
     and monthly_values.indicator_code = registry.indicator_code
),

overall as (
    select dept_code, period, baseline_score as overall_without, score as overall_with
    from items where item = 'overall'
)

select
    registry.*,
    indicator.value as indicator_value,
    indicator.attainment,
    case when indicator.applied then 'applied'
         when indicator.exemption_id is null then 'not_scored'
         else 'target_met' end as status,
    case when indicator.applied then '已免责：该月该指标不计入评分，其余权重重新归一'
         when indicator.exemption_id is null then '未生效：该部门该月未评分或指标不适用'
         else '未生效：该指标该月已达标，无需免责' end as status_note,
    case when indicator.applied then indicator.contribution_removed end as contribution_removed,
    case when indicator.applied then overall.overall_without end as overall_without,
    case when indicator.applied then overall.overall_with end as overall_with,
    case when indicator.applied then overall.overall_with - overall.overall_without end as overall_change
from registry
left join indicator on indicator.exemption_id = registry.exemption_id
left join overall on overall.dept_code = registry.dept_code and overall.period = registry.period
