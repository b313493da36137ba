-- Appraisal scores: one row per score event, typed from the payload, deduplicated on event_id. 考评打分。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('appraisal', ['score']) }}

select
    event_id,
    dept_code,
    payload ->> '$.period' as period,
    payload ->> '$.evaluator_type' as evaluator_type,
    payload ->> '$.evaluator_id' as evaluator_id,
    payload ->> '$.dimension' as appraisal_dimension,
    (payload ->> '$.score')::double as score,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
