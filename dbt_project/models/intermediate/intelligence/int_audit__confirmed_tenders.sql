-- Tenders that an audit finding confirmed as bid rigging (围标串标): the only labels the integrity model learns from.
{{ config(materialized='table') }}

select
    tender_id,
    min(finding_id) as finding_id,
    min(occurred_at_local) as confirmed_at_local,
    count(*) as findings
from {{ ref('stg_audit__findings') }}
where tender_id is not null and category = '围标串标'
group by tender_id
