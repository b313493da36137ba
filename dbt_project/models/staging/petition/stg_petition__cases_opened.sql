-- Petition cases opened: one row per case_opened event, typed from the payload, deduplicated on event_id. 信访受理。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('petition', ['case_opened']) }}

select
    event_id,
    dept_code,
    payload ->> '$.case_id' as case_id,
    payload ->> '$.category' as category,
    payload ->> '$.text' as case_text,
    person_keys,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
