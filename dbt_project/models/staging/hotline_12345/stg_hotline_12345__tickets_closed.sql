with events as (
    select * from {{ source('landing', 'hotline_12345') }}
    where event_type = 'ticket_closed'
),

deduplicated as (
    select * from events
    qualify row_number() over (partition by event_id order by kafka_offset) = 1
)

select
    event_id,
    payload ->> '$.ticket_id' as ticket_id,
    dept_code,
    (payload ->> '$.resolved')::boolean as is_resolved,
    (payload ->> '$.on_time')::boolean as is_on_time,
    (payload ->> '$.satisfaction')::tinyint as satisfaction,
    occurred_at as closed_at,
    timezone('Asia/Shanghai', occurred_at) as closed_at_local
from deduplicated
