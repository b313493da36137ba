-- Reviewers' decisions from the append-only log; an empty relation until the first decision is recorded.
{%- set log_path = env_var('JX_REVIEW_LOG', '../var/review/decisions.jsonl') -%}
{%- set has_log = execute and (run_query("select count(*) from glob('" ~ log_path ~ "')").columns[0].values()[0] > 0) %}

select
    decision_id::varchar as decision_id,
    review_key::varchar as review_key,
    decision::varchar as decision,
    reviewer::varchar as reviewer,
    reason::varchar as reason,
    decided_at::timestamptz as decided_at,
    {{ to_business_time('decided_at::timestamptz') }} as decided_at_local
{% if has_log %}
from {{ source('review', 'decisions') }}
{% else %}
from (select null::varchar as decision_id, null::varchar as review_key, null::varchar as decision,
             null::varchar as reviewer, null::varchar as reason, null::timestamptz as decided_at where false)
{% endif %}
