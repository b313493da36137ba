with events as (
    select * from {{ source('landing', 'hotline_12345') }}
    where event_type = 'ticket_created'
),

deduplicated as (
    select * from events
    qualify row_number() over (partition by event_id order by kafka_offset) = 1
)

select
    event_id,
    payload ->> '$.ticket_id' as ticket_id,
    dept_code,
    payload ->> '$.assigned_dept' as assigned_dept_code,
    payload ->> '$.category' as category,
    payload ->> '$.text' as ticket_text,
    person_keys,
    occurred_at as created_at,
    timezone('Asia/Shanghai', occurred_at) as created_at_local
from deduplicated
