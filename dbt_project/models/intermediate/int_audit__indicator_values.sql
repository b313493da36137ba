-- 审计整改率 and 审计问题资金追回率, cumulative to the end of each month the source reported, per audited department
-- from its first finding (a month without audit activity carries the cumulative state forward).
with findings as (
    select * from {{ ref('stg_audit__findings') }}
    qualify row_number() over (partition by finding_id order by occurred_at, event_id) = 1
),

rectifications as (
    select finding_id, min(occurred_at_local) as rectified_at_local, sum(amount_recovered) as amount_recovered
    from {{ ref('stg_audit__rectifications') }}
    group by finding_id
),

finding_status as (
    select
        findings.dept_code,
        date_trunc('month', findings.occurred_at_local)::date as found_month,
        date_trunc('month', rectifications.rectified_at_local)::date as rectified_month,
        findings.amount_involved,
        coalesce(rectifications.amount_recovered, 0) as amount_recovered
    from findings
    left join rectifications on findings.finding_id = rectifications.finding_id
),

source_months as (
    select found_month as period_month from finding_status
    union
    select rectified_month from finding_status where rectified_month is not null
),

months as (
    select firsts.dept_code, source_months.period_month
    from (select dept_code, min(found_month) as first_month from finding_status group by all) as firsts
    join source_months on source_months.period_month >= firsts.first_month
),

as_of_month as (
    select
        months.dept_code,
        months.period_month,
        count(*) filter (where finding_status.rectified_month <= months.period_month) as rectified,
        count(*) as found,
        sum(case when finding_status.rectified_month <= months.period_month
                 then finding_status.amount_recovered else 0 end) as recovered,
        sum(finding_status.amount_involved) as involved
    from months
    join finding_status
      on months.dept_code = finding_status.dept_code and finding_status.found_month <= months.period_month
    group by all
),

counts as (
    select 'AUDIT_RECTIFICATION' as indicator_code, dept_code, period_month, rectified as numerator, found as denominator
    from as_of_month
    union all
    select 'AUDIT_RECOVERY', dept_code, period_month, recovered, involved
    from as_of_month
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from counts
where denominator > 0
