-- 重点项目节点按期完成率 (by planned month) and 重点项目平均形象进度 (by report month) per department.
with milestones as (
    select * from {{ ref('stg_project_progress__milestones') }}
),

latest_milestones as (
    select * from milestones
    qualify row_number() over (partition by project_id, milestone_id order by occurred_at desc, event_id desc) = 1
),

-- Milestones planned after the newest report are not yet due.
horizon as (
    select max(occurred_at_local)::date as as_of from milestones
),

milestone_counts as (
    select
        'MILESTONE_ON_TIME_RATE' as indicator_code,
        latest_milestones.dept_code,
        date_trunc('month', latest_milestones.planned_date)::date as period_month,
        count(*) filter (where latest_milestones.actual_date <= latest_milestones.planned_date) as numerator,
        count(*) as denominator
    from latest_milestones, horizon
    where latest_milestones.planned_date <= horizon.as_of
    group by all
),

monthly_progress as (
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month, project_id, progress_pct
    from milestones
    qualify row_number() over (
        partition by dept_code, project_id, date_trunc('month', occurred_at_local)
        order by occurred_at desc, event_id desc) = 1
),

average_progress as (
    select 'PROJECT_PROGRESS' as indicator_code, dept_code, period_month,
           sum(progress_pct) as numerator, count(*) as denominator
    from monthly_progress
    group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from milestone_counts
union all
select dept_code, period_month, indicator_code, numerator / denominator as value,
       numerator::double as numerator, denominator::double as denominator
from average_progress
