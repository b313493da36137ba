-- Policies issued: one row per policy_issued event, typed from the payload, deduplicated on event_id. 政策发布。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('gov_oa', ['policy_issued']) }}

select
    event_id,
    dept_code,
    payload ->> '$.policy_id' as policy_id,
    payload ->> '$.title' as policy_title,
    payload ->> '$.level' as policy_level,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
