-- Zombie indicators, step 2: from the month after a flag until the indicator moves again (a value at least the
-- threshold away from the flagged window's mean), the series is out of scoring. One row per series × excluded month.
with windows as (
    select * from {{ ref('int_integrity__zombie_windows') }}
),

flags as (
    select dept_code, indicator_code, period_month as flagged_month, window_mean as reference
    from windows where is_flagged
),

moves as (
    {{ zombie_first_move('flags', 'windows', 'flagged_month', 'reference') }}
)

select distinct
    later.dept_code,
    later.indicator_code,
    later.period,
    later.period_month,
    later.value
from flags
join windows as later
  on later.dept_code = flags.dept_code and later.indicator_code = flags.indicator_code
 and later.period_month > flags.flagged_month
left join moves
  on moves.dept_code = flags.dept_code and moves.indicator_code = flags.indicator_code
 and moves.flagged_month = flags.flagged_month
where moves.moved_month is null or later.period_month < moves.moved_month
