-- Budget allocations: one row per budget_allocated event, typed from the payload, deduplicated on event_id. 预算下达。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('finance', ['budget_allocated']) }}

select
    event_id,
    dept_code,
    payload ->> '$.project_id' as project_id,
    payload ->> '$.fund_type' as fund_type,
    starts_with(payload ->> '$.fund_type', 'special_') as is_special_fund,
    (payload ->> '$.amount')::decimal(18, 2) as amount,
    (payload ->> '$.fiscal_year')::integer as fiscal_year,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
