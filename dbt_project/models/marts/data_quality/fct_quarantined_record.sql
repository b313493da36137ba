-- Records held in quarantine now: landed, counted, kept out of every other mart until their reference data exists.
-- 当前隔离中的记录（数据质量）：已落地并计数，参考数据补齐前不参与其他数据集市。
select
    source,
    event_type,
    dept_code,
    event_id,
    reason,
    case reason when 'unknown_department' then '未知部门' when 'unknown_indicator' then '未知指标' end as reason_name,
    detail,
    unknown_codes,
    occurred_at,
    first_seen_at,
    last_seen_at,
    copies,
    held_since
from {{ ref('stg_landing__quarantined_events') }}
where released_at is null
