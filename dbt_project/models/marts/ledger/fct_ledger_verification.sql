-- Per special fund: the latest verification of its tamper-evident ledger and who answers for a failure.
-- 专项资金存证账本校验结果：每个资金一行；校验失败时的责任部门 = 账本保管部门 + 异常记录所属部门；
-- dept_codes = 有该资金拨付的部门（部门报告按此展示本部门所涉资金的校验状态）。
with results as (
    select * from {{ ref('stg_ledger__verification_results') }}
),

departments as (
    select * from {{ ref('dim_department') }}
),

disbursements as (
    select * from {{ ref('stg_finance__disbursements') }}
),

budgets as (
    select * from {{ ref('stg_finance__budget_allocations') }}
),

disbursing as (
    select b.fund_type, list(distinct d.dept_code order by d.dept_code) as dept_codes
    from disbursements as d
    join budgets as b using (project_id)
    group by all
),

candidates as (
    select r.fund_type, unnest(r.implicated_dept_codes) as dept_code
    from results as r
    where not r.is_verified
    union
    select r.fund_type, d.dept_code
    from results as r
    join departments as d on d.dept_type = r.custodian_dept_type and d.level = r.custodian_level
    where not r.is_verified
),

responsible as (
    select c.fund_type, list(distinct c.dept_code order by c.dept_code) as responsible_dept_codes
    from candidates as c
    join departments as d on d.dept_code = c.dept_code
    group by all
)

select
    r.fund_type,
    r.fund_name,
    r.ledger_id,
    r.entries,
    r.verified_entries,
    r.is_verified,
    case when r.is_verified then '校验通过' else '校验失败' end as verification_status,
    r.tamper_kind,
    r.tamper_kind_name,
    r.first_bad_seq,
    r.last_bad_seq,
    r.first_bad_disbursement_id,
    r.finding_detail,
    coalesce(p.responsible_dept_codes, []::varchar[]) as responsible_dept_codes,
    coalesce(g.dept_codes, []::varchar[]) as dept_codes,
    r.implicated_dept_codes,
    r.anchors_in_log,
    r.anchors_in_topic,
    r.checked_against_kafka,
    r.unanchored_entries,
    r.last_anchor_size,
    r.last_anchor_root,
    r.repairs,
    r.checked_at,
    r.checked_at_local
from results as r
left join responsible as p using (fund_type)
left join disbursing as g using (fund_type)
