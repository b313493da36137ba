-- Integrity risk per buying department over the scored window: flagged tenders, mean and maximum risk, a shrunk
-- department score (three average tenders added, so one odd tender does not make a department), rank and level.
-- 部门廉政风险：被预警招标数、平均与最高风险、收缩后的部门风险分、排名与等级。
with risk as (
    select * from {{ ref('fct_tender_risk') }}
),

departments as (
    select dept_code, dept_name, dept_type from {{ ref('dim_department') }}
),

overall as (
    select avg(risk_score) as mean_risk from risk
),

per_dept as (
    select
        dept_code,
        count(*) as n_tenders,
        count(*) filter (where is_flagged) as n_flagged,
        count(*) filter (where is_audit_confirmed) as n_audit_confirmed,
        sum(risk_score) as sum_risk,
        avg(risk_score) as mean_risk,
        max(risk_score) as max_risk,
        min(period) as first_period,
        max(period) as last_period,
        max(period) filter (where is_flagged) as last_flagged_period,
        avg(award_to_ceiling) as mean_award_to_ceiling,
        avg(open_method) as open_share,
        max(buyer_winner_hhi) as winner_hhi,
        mode(json_extract_string(top_features, '$[0].label')) filter (where is_flagged) as main_flag_reason
    from risk
    group by dept_code
),

scored as (
    select
        p.*,
        p.n_flagged / p.n_tenders as flagged_share,
        (p.sum_risk + 3 * o.mean_risk) / (p.n_tenders + 3) as dept_risk_score
    from per_dept p cross join overall o
)

select
    s.dept_code,
    d.dept_name,
    d.dept_type,
    s.n_tenders,
    s.n_flagged,
    s.flagged_share,
    s.n_audit_confirmed,
    s.mean_risk,
    s.max_risk,
    s.dept_risk_score,
    rank() over (order by s.dept_risk_score desc) as risk_rank,
    case when s.n_flagged >= 3 and s.flagged_share >= 0.3 then '高'
         when s.n_flagged >= 1 then '中'
         else '低' end as risk_level,
    s.main_flag_reason,
    s.first_period,
    s.last_period,
    s.last_flagged_period,
    s.mean_award_to_ceiling,
    s.open_share,
    s.winner_hhi
from scored s
left join departments d using (dept_code)
