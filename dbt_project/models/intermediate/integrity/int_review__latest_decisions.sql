-- The decision in force per reviewed item: the latest one recorded (a reviewer may revise an earlier decision).
select
    review_key,
    decision_id,
    decision,
    reviewer as decided_by,
    decided_at_local as decided_at,
    reason as decision_reason
from {{ ref('stg_review__decisions') }}
qualify row_number() over (partition by review_key order by decided_at desc, decision_id desc) = 1
