-- A fund whose ledger fails verification is a red flag on each responsible department (standard alert columns).
-- 专项资金存证账本校验失败：向每个责任部门发出高等级预警。
with failed as (
    select * from {{ ref('fct_ledger_verification') }}
    where not is_verified
),

flagged as (
    select f.*, unnest(f.responsible_dept_codes) as dept_code
    from failed as f
)

select
    concat_ws(':', 'ledger', ledger_id, fund_type, tamper_kind, coalesce(first_bad_seq::varchar, '-'), dept_code)
        as alert_key,
    'ledger_tamper' as alert_type,
    'high' as severity,
    dept_code,
    strftime(checked_at_local, '%Y-%m') as period,
    '专项资金存证账本校验失败：' || fund_name || '（' || tamper_kind_name || '）' as title,
    fund_name || '账本'
        || coalesce('第 ' || first_bad_seq::varchar || ' 条记录'
                    || coalesce('（拨付编号 ' || first_bad_disbursement_id || '）', ''), '锚定记录')
        || '起校验失败：' || tamper_kind_name || '。'
        || case when list_contains(implicated_dept_codes, dept_code) then '该记录属于本部门，请核查原始拨付凭证。'
                else '本部门为账本保管部门，请核查账本文件与锚定记录。' end
        as detail,
    json_object(
        'ledger_id', ledger_id, 'fund_type', fund_type, 'tamper_kind', tamper_kind,
        'first_bad_seq', first_bad_seq, 'last_bad_seq', last_bad_seq,
        'disbursement_id', first_bad_disbursement_id, 'entries', entries, 'verified_entries', verified_entries,
        'anchors_in_log', anchors_in_log, 'anchors_in_topic', anchors_in_topic,
        'last_anchor_root', last_anchor_root, 'finding', finding_detail
    )::varchar as evidence,
    checked_at as raised_at,
    fund_type,
    tamper_kind,
    first_bad_seq,
    case when list_contains(implicated_dept_codes, dept_code) then 'implicated' else 'custodian' end as responsibility
from flagged
