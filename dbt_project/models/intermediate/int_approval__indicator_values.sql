-- 跨部门联合审批覆盖率, 网上办理率, 跨省通办事项覆盖率, 审批按时办结率 and 企业开办时间压缩率
-- per department and business month of completion.
with applications as (
    select * from {{ ref('stg_approval__applications') }}
    qualify row_number() over (partition by app_id order by occurred_at, event_id) = 1
),

done as (
    select * from {{ ref('stg_approval__approvals_done') }}
    qualify row_number() over (partition by app_id order by occurred_at, event_id) = 1
),

approvals as (
    select
        done.dept_code,
        date_trunc('month', done.occurred_at_local)::date as period_month,
        done.is_joint,
        done.is_online,
        done.is_cross_province,
        applications.statutory_days,
        date_diff('second', applications.occurred_at_local, done.occurred_at_local) / 86400.0 as elapsed_days
    from done
    left join applications on done.app_id = applications.app_id
),

counts as (
    select 'JOINT_APPROVAL_COVERAGE' as indicator_code, dept_code, period_month,
           count(*) filter (where is_joint) as numerator, count(*) as denominator
    from approvals group by all
    union all
    select 'ONLINE_APPROVAL_RATE', dept_code, period_month, count(*) filter (where is_online), count(*)
    from approvals group by all
    union all
    select 'CROSS_PROVINCE_COVERAGE', dept_code, period_month, count(*) filter (where is_cross_province), count(*)
    from approvals group by all
    union all
    -- among approvals whose application is known
    select 'APPROVAL_ON_TIME_RATE', dept_code, period_month,
           count(*) filter (where elapsed_days <= statutory_days), count(statutory_days)
    from approvals group by all
    union all
    -- 1 − Σ elapsed days / Σ statutory days
    select 'BIZ_STARTUP_COMPRESSION', dept_code, period_month,
           sum(statutory_days - elapsed_days), sum(statutory_days)
    from approvals where statutory_days is not null group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from counts
where denominator > 0
