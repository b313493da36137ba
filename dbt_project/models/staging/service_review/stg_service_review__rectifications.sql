-- Bad reviews rectified: one row per bad_review_rectified event, typed from the payload, deduplicated on event_id. 差评整改。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('service_review', ['bad_review_rectified']) }}

select
    event_id,
    dept_code,
    payload ->> '$.review_id' as review_id,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
