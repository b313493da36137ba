-- Bids: one row per bid event, typed from the payload, deduplicated on event_id. 投标。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('procurement', ['bid']) }}

select
    event_id,
    dept_code,
    payload ->> '$.tender_id' as tender_id,
    payload ->> '$.bidder_id' as bidder_id,
    (payload ->> '$.price')::decimal(18, 2) as bid_price,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
