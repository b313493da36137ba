-- 容错 audit trail: every registry entry, whether it was applied (the target was missed and the month scored)
-- and what it changed: the indicator's contribution taken out and the overall score without and with it.
with registry as (
    select * from {{ ref('ref_exemptions') }}
),

items as (
    select * from {{ ref('int_dept_scoring__items') }} where tree = 'overall'
),

indicator as (
    select registry.exemption_id, items.raw, items.baseline_score as attainment, items.exempted,
           items.baseline_contribution as contribution_removed
    from registry
    join items
      on items.dept_code = registry.dept_code and items.period = registry.period
     and items.item = registry.indicator_code
),

overall as (
    select dept_code, period, baseline_score as overall_without, score as overall_with
    from items where item = 'overall'
)

select
    registry.*,
    indicator.raw as indicator_value,
    indicator.attainment,
    case when indicator.exempted then 'applied'
         when indicator.exemption_id is null then 'not_scored'
         else 'target_met' end as status,
    case when indicator.exempted then '已免责：该指标移出评分，其余权重重新归一'
         when indicator.exemption_id is null then '未生效：该部门该月未评分或指标不适用'
         else '未生效：该指标已达标，无需免责' end as status_note,
    case when indicator.exempted then indicator.contribution_removed end as contribution_removed,
    case when indicator.exempted then overall.overall_without end as overall_without,
    case when indicator.exempted then overall.overall_with end as overall_with,
    case when indicator.exempted then overall.overall_with - overall.overall_without end as overall_change
from registry
left join indicator on indicator.exemption_id = registry.exemption_id
left join overall on overall.dept_code = registry.dept_code and overall.period = registry.period
