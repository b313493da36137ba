-- Audit findings: one row per finding event, typed from the payload, deduplicated on event_id. 审计发现问题。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('audit', ['finding']) }}

select
    event_id,
    dept_code,
    payload ->> '$.finding_id' as finding_id,
    payload ->> '$.category' as category,
    (payload ->> '$.amount_involved')::decimal(18, 2) as amount_involved,
    payload ->> '$.severity' as severity,
    payload ->> '$.tender_id' as tender_id,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
