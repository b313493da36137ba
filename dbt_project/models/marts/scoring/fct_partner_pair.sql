-- 伙伴帮扶计划 pairs: a department with potential and its mentor, a strong department of the same peer group,
-- per period.
select
    tiers.period_type,
    tiers.period,
    tiers.peer_group,
    tiers.peer_group_name,
    tiers.dept_code as mentee_dept_code,
    mentee.dept_name as mentee_dept_name,
    tiers.overall_score as mentee_score,
    tiers.partner_dept_code as mentor_dept_code,
    mentor.dept_name as mentor_dept_name,
    mentor.peer_group as mentor_peer_group,
    tiers.partner_score as mentor_score
from {{ ref('fct_dept_tier') }} as tiers
join {{ ref('dim_department') }} as mentee on mentee.dept_code = tiers.dept_code
join {{ ref('dim_department') }} as mentor on mentor.dept_code = tiers.partner_dept_code
where tiers.tier_code = 'partner'
