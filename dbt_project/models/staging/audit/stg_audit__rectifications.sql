-- Audit findings rectified: one row per finding_rectified event, typed from the payload, deduplicated on event_id. 审计整改。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('audit', ['finding_rectified']) }}

select
    event_id,
    dept_code,
    payload ->> '$.finding_id' as finding_id,
    (payload ->> '$.amount_recovered')::decimal(18, 2) as amount_recovered,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
