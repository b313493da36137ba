-- Official documents issued: one row per document_issued event, typed from the payload, deduplicated on event_id. 公文发布。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('gov_oa', ['document_issued']) }}

select
    event_id,
    dept_code,
    payload ->> '$.doc_id' as doc_id,
    payload ->> '$.policy_id' as policy_id,
    cast(json_extract(payload, '$.issuing_depts') as varchar[]) as issuing_dept_codes,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
