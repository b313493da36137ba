-- 计分剔除: department × indicator × month values the data-validity rules take out of scoring, with the rule and the
-- reason. The scoring engine excludes them from every window (fct_dept_score_contribution), so every one shows in
-- fct_dept_score_contribution (status excluded, exclusion_reason = the reason).
with zombies as (
    select
        exclusions.dept_code, exclusions.indicator_code, exclusions.period, 'zombie' as rule,
        '数据校验剔除（僵尸指标）：' || zombies.indicator_name || '在' || zombies.window_start || '至' || zombies.window_end
            || '年变化率 ' || round(100 * zombies.change_rate, 3) || '% < ' || round(100 * zombies.threshold, 0)
            || '%，自' || zombies.excluded_from || '起移出评分，直至指标重新变动' as reason,
        zombies.review_key
    from {{ ref('int_integrity__zombie_exclusions') }} as exclusions
    join {{ ref('fct_zombie_indicator') }} as zombies
      on zombies.dept_code = exclusions.dept_code and zombies.indicator_code = exclusions.indicator_code
    where zombies.is_excluded_from_scoring
),

held as (
    select
        dept_code, indicator_code, period, 'outlier' as rule,
        case outlier_status when 'held' then '数据校验剔除（异常值待复核）：' else '数据校验剔除（复核驳回）：' end
            || bound_name || '，' || indicator_name || ' = ' || round(value, 2) || unit as reason,
        review_key
    from {{ ref('fct_held_value') }}
    where is_excluded_from_scoring
)

select * from held
union all
select * from zombies where (dept_code, indicator_code, period) not in (select dept_code, indicator_code, period from held)
