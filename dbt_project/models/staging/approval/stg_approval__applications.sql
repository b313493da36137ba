-- Administrative approval applications: one row per application event, typed from the payload, deduplicated on event_id. 行政审批申请。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('approval', ['application']) }}

select
    event_id,
    dept_code,
    payload ->> '$.app_id' as app_id,
    payload ->> '$.item_type' as item_type,
    cast(json_extract(payload, '$.depts_involved') as varchar[]) as involved_dept_codes,
    (payload ->> '$.statutory_days')::integer as statutory_days,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
