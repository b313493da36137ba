-- 12345 hotline tickets as created: one row per ticket_created event, typed from the payload, deduplicated on event_id. 12345热线受理工单。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('hotline_12345', ['ticket_created']) }}

select
    event_id,
    dept_code,
    payload ->> '$.ticket_id' as ticket_id,
    payload ->> '$.assigned_dept' as assigned_dept_code,
    payload ->> '$.category' as category,
    payload ->> '$.text' as ticket_text,
    person_keys,
    occurred_at as created_at,
    {{ to_business_time('occurred_at') }} as created_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
