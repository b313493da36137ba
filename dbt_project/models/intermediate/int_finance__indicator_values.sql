-- 预算执行率 and 专项资金拨付率: disbursed / allocated, year to date, per department and business month — every month
-- the source reported, from the department's first movement of the fiscal year (a month without a movement
-- carries the year-to-date figure forward).
with allocations as (
    select * from {{ ref('stg_finance__budget_allocations') }}
),

special_projects as (
    select project_id from allocations group by project_id having bool_or(is_special_fund)
),

movements as (
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month,
           amount as allocated, case when is_special_fund then amount else 0 end as special_allocated,
           0 as disbursed, 0 as special_disbursed
    from allocations
    union all
    select disbursements.dept_code, date_trunc('month', disbursements.occurred_at_local)::date,
           0, 0, disbursements.amount,
           case when special_projects.project_id is not null then disbursements.amount else 0 end
    from {{ ref('stg_finance__disbursements') }} as disbursements
    left join special_projects on disbursements.project_id = special_projects.project_id
),

source_months as (
    select distinct period_month from movements
),

months as (
    select firsts.dept_code, source_months.period_month
    from (select dept_code, year(period_month) as fiscal_year, min(period_month) as first_month
          from movements group by all) as firsts
    join source_months
      on year(source_months.period_month) = firsts.fiscal_year and source_months.period_month >= firsts.first_month
),

monthly as (
    select months.dept_code, months.period_month, coalesce(sum(allocated), 0) as allocated,
           coalesce(sum(special_allocated), 0) as special_allocated, coalesce(sum(disbursed), 0) as disbursed,
           coalesce(sum(special_disbursed), 0) as special_disbursed
    from months
    left join movements using (dept_code, period_month)
    group by all
),

year_to_date as (
    select
        dept_code,
        period_month,
        sum(allocated) over ytd as allocated,
        sum(special_allocated) over ytd as special_allocated,
        sum(disbursed) over ytd as disbursed,
        sum(special_disbursed) over ytd as special_disbursed
    from monthly
    window ytd as (partition by dept_code, year(period_month) order by period_month)
),

amounts as (
    select 'BUDGET_EXECUTION' as indicator_code, dept_code, period_month, disbursed as numerator, allocated as denominator
    from year_to_date
    union all
    select 'SPECIAL_FUND_DISBURSEMENT', dept_code, period_month, special_disbursed, special_allocated
    from year_to_date
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from amounts
where denominator > 0
