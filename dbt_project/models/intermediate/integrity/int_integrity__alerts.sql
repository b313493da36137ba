-- Every rule's alerts in the standard shape (alert_key, alert_type, severity, dept_code, period, title, detail,
-- evidence, raised_at) plus the indicator and the month the condition cleared (recovered_period), before the
-- case library's suggestions are added (fct_rule_alert).
with departments as (
    select dept_code, dept_name, dept_type_name from {{ ref('dim_department') }}
),

indicators as (
    select distinct indicator_code, indicator_name, unit from {{ ref('dim_indicator') }}
),

consecutive as (
    select
        runs.run_key as alert_key,
        'consecutive_anomaly' as alert_type,
        'high' as severity,
        runs.dept_code,
        runs.alert_period as period,
        runs.indicator_code,
        '【连续异常】' || departments.dept_name || '“' || indicators.indicator_name || '”连续'
            || runs.run_months || '个月超出控制限' as title,
        departments.dept_name || '（' || departments.dept_type_name || '）' || indicators.indicator_name || '自'
            || runs.run_start || '起连续' || runs.run_months || '个月'
            || case when runs.direction = 'above' then '高于控制上限' else '低于控制下限' end
            || '（控制限 ' || round(runs.lower_limit, 2) || '–' || round(runs.upper_limit, 2) || indicators.unit
            || '，本部门历史均值 ' || round(runs.own_centre, 2) || '，同类部门中位数 ' || coalesce(round(runs.peer_centre, 2)::varchar, '—')
            || '），各月数值 ' || runs."values" || '。' as detail,
        to_json({'rule': 'consecutive_anomaly', 'run': [runs.run_start, runs.run_end], 'months': runs.run_months,
                 'values': json(runs."values"), 'own': {'centre': round(runs.own_centre, 4), 'sigma': round(runs.own_sigma, 4),
                 'history_months': runs.history_months}, 'peers': {'centre': round(runs.peer_centre, 4),
                 'sigma': round(runs.peer_sigma, 4)}, 'limits': [round(runs.lower_limit, 4), round(runs.upper_limit, 4)],
                 'source': runs.indicator_code})::varchar as evidence,
        runs.recovered_period
    from {{ ref('fct_consecutive_anomaly') }} as runs
    join departments on departments.dept_code = runs.dept_code
    join indicators on indicators.indicator_code = runs.indicator_code
),

cross_source as (
    select
        tasks.task_key,
        'cross_source',
        'medium',
        tasks.dept_code,
        tasks.opened_period,
        tasks.indicator_code,
        '【跨源核查】' || departments.dept_name || tasks.check_name,
        departments.dept_name || '（' || departments.dept_type_name || '）' || tasks.opened_period || '：'
            || case when tasks.check_type = 'self_report'
                    then '自报满意度 ' || round(tasks.reported_figure, 2) || '%，12345与好差评独立满意度 '
                         || round(tasks.independent_figure, 2) || '%（' || tasks.independent_responses::bigint || '条评价，95%区间 '
                         || round(tasks.independent_lower, 1) || '–' || round(tasks.independent_upper, 1) || '%）'
                    else '预算执行率 ' || round(tasks.reported_figure, 2) || '%（全省同期中位数 ' || round(tasks.peer_execution, 2)
                         || '%，为其 ' || round(100 * tasks.spending_index, 0) || '%），公众满意度 ' || round(tasks.independent_figure, 2)
                         || '%（' || tasks.independent_responses::bigint || '条评价，95%区间 ' || round(tasks.independent_lower, 1)
                         || '–' || round(tasks.independent_upper, 1) || '%）'
               end || '，请核实数据。',
        tasks.evidence,
        tasks.recovered_period
    from {{ ref('fct_verification_task') }} as tasks
    join departments on departments.dept_code = tasks.dept_code
),

benford as (
    select
        'benford:' || tests.dept_code || ':' || left(min(tests.window_end), 4),
        'benford',
        'high',
        tests.dept_code,
        max(tests.window_end),
        null,
        '【本福特检验】' || any_value(departments.dept_name) || '资金金额首位数字分布异常',
        any_value(departments.dept_name) || '（' || any_value(departments.dept_type_name) || '）'
            || string_agg(tests.test_name || '：' || tests.window_start || '至' || tests.window_end || '共' || tests.n_amounts
                          || '笔，MAD=' || round(tests.mad, 4) || '（' || tests.conformity_name || '）', '；' order by tests.test)
            || '。资金数据可能存在人为编造，请核查原始凭证。',
        to_json(list(json(tests.evidence) order by tests.test))::varchar,
        null
    from {{ ref('fct_benford_test') }} as tests
    join departments on departments.dept_code = tests.dept_code
    where tests.dept_code in (select dept_code from {{ ref('fct_benford_test') }} where is_flagged)
      and tests.is_sufficient
    group by tests.dept_code
),

zombie as (
    select
        zombies.review_key,
        'zombie',
        'low',
        zombies.dept_code,
        zombies.first_flagged_period,
        zombies.indicator_code,
        '【僵尸指标】' || departments.dept_name || '“' || zombies.indicator_name || '”年变化率低于'
            || round(100 * zombies.threshold, 0) || '%',
        departments.dept_name || '（' || departments.dept_type_name || '）' || zombies.indicator_name || '在'
            || zombies.window_start || '至' || zombies.window_end || '的' || zombies.n_values || '个月中变化率为 '
            || round(100 * zombies.change_rate, 3) || '%（' || zombies.window_min || '–' || zombies.window_max
            || '），自下一期起移出评分，直至指标重新变动。',
        zombies.evidence,
        zombies.moved_again_period
    from {{ ref('fct_zombie_indicator') }} as zombies
    join departments on departments.dept_code = zombies.dept_code
)

-- raised at the close of the business month the alert is about (deterministic across rebuilds)
select *, timezone('Asia/Shanghai', strptime(period, '%Y-%m') + interval 1 month - interval 1 second) as raised_at
from (
    select * from consecutive
    union all select * from cross_source
    union all select * from benford
    union all select * from zombie
)
