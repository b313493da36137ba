{#- The ledger step's verification results (schema `ledger` of the warehouse being built).
    Before the step has ever run (e.g. a dbt build on its own), an empty relation with the same columns. -#}
{% macro ledger_verification_results() -%}
{%- set relation = source('ledger', 'verification_result') -%}
{%- set found = execute and adapter.get_relation(database=relation.database, schema=relation.schema,
                                                 identifier=relation.identifier) is not none -%}
{%- if found -%}
{{ relation }}
{%- else -%}
(
    select
        null::varchar as ledger_id, null::varchar as fund_type, null::varchar as fund_name, null::bigint as entries,
        null::bigint as verified_entries, null::boolean as is_verified, null::varchar as tamper_kind,
        null::varchar as tamper_kind_name, null::bigint as first_bad_seq, null::bigint as last_bad_seq,
        null::varchar as first_bad_disbursement_id, null::varchar[] as implicated_dept_codes,
        null::varchar as finding_detail, null::bigint as anchors_in_log, null::bigint as anchors_in_topic,
        null::bigint as unanchored_entries, null::bigint as last_anchor_size, null::varchar as last_anchor_root,
        null::bigint as repairs, null::varchar as custodian_dept_type, null::varchar as custodian_level,
        null::timestamptz as checked_at, null::double as seconds
    where false
)
{%- endif -%}
{%- endmacro %}
