-- One row per ticket: its creation and, once closed, its latest closure.
with created as (
    select * from {{ ref('stg_hotline_12345__tickets_created') }}
    qualify row_number() over (partition by ticket_id order by created_at, event_id) = 1
),

closed as (
    select * from {{ ref('stg_hotline_12345__tickets_closed') }}
    qualify row_number() over (partition by ticket_id order by closed_at desc, event_id desc) = 1
)

select
    coalesce(created.ticket_id, closed.ticket_id) as ticket_id,
    coalesce(closed.dept_code, created.dept_code) as dept_code,
    created.category,
    created.created_at_local,
    closed.closed_at_local,
    closed.is_resolved,
    closed.is_on_time,
    closed.satisfaction,
    closed.ticket_id is not null as is_closed
from created
full outer join closed on created.ticket_id = closed.ticket_id
