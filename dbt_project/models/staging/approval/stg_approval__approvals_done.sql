-- Administrative approvals completed: one row per approval_done event, typed from the payload, deduplicated on event_id. 行政审批办结。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('approval', ['approval_done']) }}

select
    event_id,
    dept_code,
    payload ->> '$.app_id' as app_id,
    (payload ->> '$.joint')::boolean as is_joint,
    (payload ->> '$.online')::boolean as is_online,
    (payload ->> '$.cross_province')::boolean as is_cross_province,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
