-- Tender awards: one row per award event, typed from the payload, deduplicated on event_id. 中标结果。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('procurement', ['award']) }}

select
    event_id,
    dept_code,
    payload ->> '$.tender_id' as tender_id,
    payload ->> '$.winner_id' as winner_id,
    (payload ->> '$.price')::decimal(18, 2) as award_price,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
