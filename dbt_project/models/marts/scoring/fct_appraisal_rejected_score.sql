-- Appraisal scores rejected by the evaluator rights list, with the reason; they count in no score.
select
    checked.event_id,
    checked.dept_code,
    checked.period,
    checked.evaluator_type,
    checked.evaluator_id,
    checked.appraisal_dimension,
    checked.score,
    checked.occurred_at,
    checked.rejection_reason
from {{ ref('int_appraisal__checked_scores') }} as checked
where not checked.accepted
