-- Self-reported monthly KPIs (gov_oa kpi_reported): the latest report per department, indicator and month.
select
    dept_code,
    strptime(period, '%Y-%m')::date as period_month,
    indicator_code,
    reported_value as value,
    null::double as numerator,
    null::double as denominator
from {{ ref('stg_gov_oa__kpi_reports') }}
qualify row_number() over (partition by dept_code, indicator_code, period order by occurred_at desc, event_id desc) = 1
