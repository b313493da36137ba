-- Alerts raised by the learned models, in the standard alert shape (collected with the other alert marts):
-- tenders in the top 5 % of integrity risk, departments of high integrity risk, and departments not yet in the
-- bottom tier that are likely (≥ 50 %) to fall into it next month. 模型预警：招标廉政风险、部门廉政风险、滞后风险。
with tenders as (
    select * from {{ ref('fct_tender_risk') }} where is_flagged
),

departments as (
    select * from {{ ref('fct_dept_integrity_risk') }} where risk_level = '高'
),

lagging as (
    select l.*, d.dept_name
    from {{ ref('fct_dept_lagging_risk') }} l
    left join {{ ref('dim_department') }} d using (dept_code)
    where l.is_bottom = 0 and l.lagging_probability >= 0.5
),

tender_alerts as (
    select
        'integrity_tender:' || tender_id as alert_key,
        'integrity_risk_tender' as alert_type,
        case when risk_percentile >= 0.99 then 'high' else 'medium' end as severity,
        dept_code,
        period,
        '招投标廉政风险预警：' || tender_id as title,
        '招标项目 ' || tender_id || ' 风险分 ' || printf('%.3f', risk_score) || '（全部招标中前 '
            || printf('%.1f', 100 * (1 - risk_percentile) + 0.05) || '%），中标人 ' || winner_id || '；主要因素：'
            || coalesce(nullif(array_to_string(json_extract_string(top_features, '$[*].label'), '、'), ''), '—')
            || case when is_audit_confirmed then '。该项目已被审计认定围标串标。' else '。' end as detail,
        json_object('tender_id', tender_id, 'risk_score', risk_score, 'risk_percentile', risk_percentile,
                    'anomaly_score', anomaly_score, 'winner_id', winner_id, 'award_to_ceiling', award_to_ceiling,
                    'top_features', top_features::json, 'is_audit_confirmed', is_audit_confirmed,
                    'model', 'integrity', 'model_version', model_version)::varchar as evidence
    from tenders
),

department_alerts as (
    select
        'integrity_dept:' || dept_code as alert_key,
        'integrity_risk_dept' as alert_type,
        'high' as severity,
        dept_code,
        last_flagged_period as period,
        '部门廉政风险预警：' || coalesce(dept_name, dept_code) as title,
        coalesce(dept_name, dept_code) || ' 共 ' || n_tenders || ' 个招标项目中 ' || n_flagged || ' 个被预警（占 '
            || printf('%.0f', 100 * flagged_share) || '%），部门风险分 ' || printf('%.3f', dept_risk_score)
            || '，排名第 ' || risk_rank || '；主要因素：' || coalesce(main_flag_reason, '—') || '。' as detail,
        json_object('n_tenders', n_tenders, 'n_flagged', n_flagged, 'flagged_share', flagged_share,
                    'dept_risk_score', dept_risk_score, 'risk_rank', risk_rank, 'main_flag_reason', main_flag_reason,
                    'n_audit_confirmed', n_audit_confirmed, 'model', 'integrity')::varchar as evidence
    from departments
),

lagging_alerts as (
    select
        'lagging_risk:' || dept_code || ':' || period as alert_key,
        'lagging_risk' as alert_type,
        case when lagging_probability >= 0.8 then 'high' else 'medium' end as severity,
        dept_code,
        period,
        '滞后风险预测：' || coalesce(dept_name, dept_code) || ' 下月可能落入末位' as title,
        coalesce(dept_name, dept_code) || ' ' || period || ' 综合得分 ' || printf('%.1f', overall_score)
            || '，预计 ' || predicted_period || ' 落入末位（综合得分低于诊断线）的概率为 '
            || printf('%.0f', 100 * lagging_probability) || '%。' as detail,
        json_object('overall_score', overall_score, 'bottom_months_3', bottom_months_3,
                    'lagging_probability', lagging_probability, 'predicted_period', predicted_period,
                    'model', 'lagging', 'model_version', model_version)::varchar as evidence
    from lagging
)

select *, now() as raised_at from tender_alerts
union all
select *, now() as raised_at from department_alerts
union all
select *, now() as raised_at from lagging_alerts
