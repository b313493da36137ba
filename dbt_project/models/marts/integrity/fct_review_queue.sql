-- 复核队列 (人机协同): everything a reviewer decides, with its current decision. `jixiao review list|show|approve|reject`
-- works on it; a decision recorded now applies on the next build.
--   hold    (held outlier):      approve → the value is scored; reject → it stays out of scoring.
--   zombie  (zombie indicator):  approve → "genuinely stable", scored again; reject → stays out until it moves.
--   verify  (verification task): approve → figures verified, the rectification item closes; reject → confirmed
--                                wrong, the item follows the data (escalated unless the figures come back in line).
with held as (
    select
        review_key, 'hold' as review_kind, '异常值复核' as kind_name, dept_code, dept_name, indicator_code,
        indicator_name, period, value, bound_name || '：' || indicator_name || ' = ' || round(value, 2) || unit as title,
        evidence, decision_id, decided_by, decided_at, decision_reason,
        case outlier_status when 'held' then 'pending' when 'approved' then 'approve' else 'reject' end as status
    from {{ ref('fct_held_value') }}
    where outlier_status in ('held', 'approved', 'rejected')
),

zombies as (
    select
        review_key, 'zombie', '僵尸指标复核', dept_code, dept_name, indicator_code, indicator_name,
        first_flagged_period, window_mean,
        '僵尸指标：' || indicator_name || '年变化率 ' || round(100 * change_rate, 3) || '%',
        evidence, decision_id, decided_by, decided_at, decision_reason, review_status
    from {{ ref('fct_zombie_indicator') }}
),

tasks as (
    select
        task_key, 'verify', '跨源核查', tasks.dept_code, tasks.dept_name, tasks.indicator_code, indicators.indicator_name,
        opened_period, reported_figure, check_name, evidence, decision_id, decided_by, decided_at, decision_reason,
        review_status
    from {{ ref('fct_verification_task') }} as tasks
    left join (select distinct indicator_code, indicator_name from {{ ref('dim_indicator') }}) as indicators
      on indicators.indicator_code = tasks.indicator_code
),

queue as (
    select * from held
    union all select * from zombies
    union all select * from tasks
)

select
    *,
    case review_kind || ':' || status
        when 'hold:pending' then '暂不计分，待复核'
        when 'hold:approve' then '复核通过：计分'
        when 'hold:reject' then '复核驳回：不计分'
        when 'zombie:pending' then '移出评分，直至指标重新变动'
        when 'zombie:approve' then '复核认定为真实稳定：计分'
        when 'zombie:reject' then '复核确认僵尸指标：移出评分，直至指标重新变动'
        when 'verify:pending' then '待核查'
        when 'verify:approve' then '核实无误：整改事项关闭'
        else '核实有误：整改事项按数据跟踪'
    end as effect
from queue
