-- Tenders published: one row per tender_published event, typed from the payload, deduplicated on event_id. 招标公告。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('procurement', ['tender_published']) }}

select
    event_id,
    dept_code,
    payload ->> '$.tender_id' as tender_id,
    (payload ->> '$.ceiling_price')::decimal(18, 2) as ceiling_price,
    payload ->> '$.method' as procurement_method,
    payload ->> '$.category' as category,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
