-- 12345 hotline ticket closures: one row per ticket_closed event, typed from the payload, deduplicated on event_id. 12345热线办结记录。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('hotline_12345', ['ticket_closed']) }}

select
    event_id,
    dept_code,
    payload ->> '$.ticket_id' as ticket_id,
    (payload ->> '$.resolved')::boolean as is_resolved,
    (payload ->> '$.on_time')::boolean as is_on_time,
    (payload ->> '$.satisfaction')::tinyint as satisfaction,
    occurred_at as closed_at,
    {{ to_business_time('occurred_at') }} as closed_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
