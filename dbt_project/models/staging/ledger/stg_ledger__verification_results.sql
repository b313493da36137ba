-- The latest verification of each fund's tamper-evident ledger, as the build's ledger step wrote it. 账本校验结果。
with results as (
    select * from {{ ledger_verification_results() }}
)

select
    ledger_id,
    fund_type,
    fund_name,
    entries,
    verified_entries,
    is_verified,
    tamper_kind,
    tamper_kind_name,
    first_bad_seq,
    last_bad_seq,
    first_bad_disbursement_id,
    implicated_dept_codes,
    finding_detail,
    anchors_in_log,
    anchors_in_topic,
    anchors_in_topic is not null as checked_against_kafka,
    unanchored_entries,
    last_anchor_size,
    last_anchor_root,
    repairs,
    custodian_dept_type,
    custodian_level,
    checked_at,
    {{ to_business_time('checked_at') }} as checked_at_local
from results
