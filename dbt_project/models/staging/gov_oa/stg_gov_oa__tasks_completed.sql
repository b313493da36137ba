-- Supervision tasks completed: one row per task_completed event, typed from the payload, deduplicated on event_id. 督办任务办结。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('gov_oa', ['task_completed']) }}

select
    event_id,
    dept_code,
    payload ->> '$.task_id' as task_id,
    (payload ->> '$.completed_at')::timestamptz as completed_at,
    timezone('Asia/Shanghai', (payload ->> '$.completed_at')::timestamptz) as completed_at_local,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
