-- Appraisal scores checked against the evaluator rights list (评价主体权责清单): the latest score of each
-- evaluator, department, month and dimension, accepted when the dimension is on its type's list.
with latest as (
    select * from {{ ref('stg_appraisal__scores') }}
    qualify row_number() over (
        partition by dept_code, period, evaluator_type, evaluator_id, appraisal_dimension
        order by occurred_at desc, event_id desc) = 1
),

rights as (
    select * from {{ ref('ref_evaluator_rights') }}
)

select
    latest.event_id,
    latest.dept_code,
    latest.period,
    latest.evaluator_type,
    latest.evaluator_id,
    latest.appraisal_dimension,
    latest.score,
    latest.occurred_at,
    rights.evaluator_type is not null as accepted,
    case when rights.evaluator_type is null then
        '维度不在该评价主体权责清单内 dimension not on the rights list of ' || latest.evaluator_type
        || ' (allowed: ' || coalesce((select string_agg(appraisal_dimension, '、' order by appraisal_dimension)
                                       from rights as allowed where allowed.evaluator_type = latest.evaluator_type), 'none') || ')'
    end as rejection_reason
from latest
left join rights
  on rights.evaluator_type = latest.evaluator_type
 and rights.appraisal_dimension = latest.appraisal_dimension
