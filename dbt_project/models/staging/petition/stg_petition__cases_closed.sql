-- Petition cases closed: one row per case_closed event, typed from the payload, deduplicated on event_id. 信访办结。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('petition', ['case_closed']) }}

select
    event_id,
    dept_code,
    payload ->> '$.case_id' as case_id,
    (payload ->> '$.on_time')::boolean as is_on_time,
    (payload ->> '$.satisfied')::boolean as is_satisfied,
    (payload ->> '$.repeat_visit')::boolean as is_repeat_visit,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
