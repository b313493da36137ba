-- Every published score is within [0, 100] at the published precision (one decimal, 四舍五入 applied in Python),
-- the grade follows the published overall score, and the ranks order the published overall scores.
with scores as (
    select * from {{ ref('fct_dept_score') }}
),

long as (
    unpivot scores on overall_score, composite_score, mission_score, strategy_score, public_score, process_score,
        growth_score, superior_score, recipients_score, third_party_score, peer_self_score
    into name score_name value score
),

bad_scores as (
    select dept_code, period_type, period, score_name as problem
    from long
    where score < 0 or score > 100 or abs(score * 10 - round(score * 10)) > 1e-6
),

bad_grades as (
    select dept_code, period_type, period, 'grade' as problem
    from scores
    where grade is distinct from case when overall_score >= 90 then '优' when overall_score >= 80 then '良'
                                      when overall_score >= 60 then '中' when overall_score is not null then '差' end
),

ranked as (
    select *, case when overall_score is not null then
        rank() over (partition by period_type, period, peer_group order by overall_score desc nulls last) end as expected_rank
    from scores
),

bad_ranks as (
    select dept_code, period_type, period, 'rank_in_peer_group' as problem
    from ranked
    where rank_in_peer_group is distinct from expected_rank
)

select * from bad_scores
union all select * from bad_grades
union all select * from bad_ranks
