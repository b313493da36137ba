-- Fund disbursements: one row per disbursement event, typed from the payload, deduplicated on event_id. 资金拨付。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('finance', ['disbursement']) }}

select
    event_id,
    dept_code,
    payload ->> '$.disbursement_id' as disbursement_id,
    payload ->> '$.project_id' as project_id,
    (payload ->> '$.amount')::decimal(18, 2) as amount,
    payload ->> '$.payee' as payee,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
