-- 12345 on-time closure rate (%) per department per business month of closure (period YYYY-MM, Asia/Shanghai).
select
    dept_code,
    strftime(date_trunc('month', closed_at_local), '%Y-%m') as period,
    count(*) as tickets_closed,
    count(*) filter (where is_on_time) as tickets_closed_on_time,
    {{ percent('count(*) filter (where is_on_time)', 'count(*)') }} as on_time_closure_rate
from {{ ref('int_hotline_12345__tickets') }}
where is_closed
group by all
