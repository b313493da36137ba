-- Key project milestones: one row per milestone event, typed from the payload, deduplicated on event_id. 重点项目节点。
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

with events as {{ landing_events('project_progress', ['milestone']) }}

select
    event_id,
    dept_code,
    payload ->> '$.project_id' as project_id,
    payload ->> '$.milestone_id' as milestone_id,
    (payload ->> '$.planned_date')::date as planned_date,
    (payload ->> '$.actual_date')::date as actual_date,
    (payload ->> '$.progress_pct')::double as progress_pct,
    (payload ->> '$.investment_done')::decimal(18, 2) as investment_done,
    occurred_at,
    {{ to_business_time('occurred_at') }} as occurred_at_local,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    ingested_at
from events
