-- Supervision tasks assigned: one row per task_assigned event, typed from the payload, deduplicated on event_id. 督办任务下达。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('gov_oa', ['task_assigned']) }}

select
    event_id,
    dept_code,
    payload ->> '$.task_id' as task_id,
    payload ->> '$.policy_id' as policy_id,
    (payload ->> '$.deadline')::date as deadline,
    payload ->> '$.lead_dept' as lead_dept_code,
    cast(json_extract(payload, '$.co_depts') as varchar[]) as co_dept_codes,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
