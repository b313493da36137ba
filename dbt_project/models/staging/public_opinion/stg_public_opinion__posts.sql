-- Online public-opinion posts: one row per post event, typed from the payload, deduplicated on event_id. 网络舆情帖文。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('public_opinion', ['post']) }}

select
    event_id,
    dept_code,
    payload ->> '$.post_id' as post_id,
    payload ->> '$.platform' as platform,
    payload ->> '$.text' as post_text,
    (payload ->> '$.reposts')::integer as reposts,
    person_keys,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
