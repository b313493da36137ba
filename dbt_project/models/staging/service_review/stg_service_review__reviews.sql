-- Government service reviews (好差评): one row per review event, typed from the payload, deduplicated on event_id. 好差评评价。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('service_review', ['review']) }}

select
    event_id,
    dept_code,
    payload ->> '$.review_id' as review_id,
    payload ->> '$.service_item' as service_item,
    payload ->> '$.channel' as channel,
    (payload ->> '$.rating')::tinyint as rating,
    (payload ->> '$.rating')::tinyint <= 2 as is_bad_review,
    payload ->> '$.comment' as review_comment,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
