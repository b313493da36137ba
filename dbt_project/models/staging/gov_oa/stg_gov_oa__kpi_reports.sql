-- Self-reported monthly KPIs: one row per kpi_reported event, typed from the payload, deduplicated on event_id. 月报自报指标。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('gov_oa', ['kpi_reported']) }}

select
    event_id,
    dept_code,
    payload ->> '$.indicator_code' as indicator_code,
    payload ->> '$.period' as period,
    (payload ->> '$.value')::double as reported_value,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
