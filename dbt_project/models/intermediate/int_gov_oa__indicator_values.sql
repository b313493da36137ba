-- 政策落实度, 战略敏捷度, 联合发文占比, 协同事项办结率 per department and business month.
with assigned as (
    select * from {{ ref('stg_gov_oa__tasks_assigned') }}
    qualify row_number() over (partition by task_id order by occurred_at, event_id) = 1
),

completed as (
    select task_id, min(completed_at_local) as completed_at_local
    from {{ ref('stg_gov_oa__tasks_completed') }}
    group by task_id
),

-- Deadlines after the newest supervision event are not yet due.
horizon as (
    select max(occurred_at_local)::date as as_of
    from (
        select occurred_at_local from {{ ref('stg_gov_oa__tasks_assigned') }}
        union all
        select occurred_at_local from {{ ref('stg_gov_oa__tasks_completed') }}
    )
),

tasks as (
    select
        assigned.task_id,
        assigned.policy_id,
        assigned.lead_dept_code,
        coalesce(assigned.co_dept_codes, []) as co_dept_codes,
        assigned.deadline,
        completed.completed_at_local
    from assigned
    left join completed on assigned.task_id = completed.task_id
),

due_tasks as (
    select tasks.* from tasks, horizon where tasks.deadline <= horizon.as_of
),

policies as (
    select policy_id, min(occurred_at_local) as issued_at_local
    from {{ ref('stg_gov_oa__policies') }}
    group by policy_id
),

-- Tasks led by the department and due in the month: share completed by the deadline.
policy_implementation as (
    select
        lead_dept_code as dept_code,
        date_trunc('month', deadline)::date as period_month,
        'POLICY_IMPLEMENTATION' as indicator_code,
        count(*) filter (where completed_at_local::date <= deadline) as numerator,
        count(*) as denominator
    from due_tasks
    group by all
),

-- Per policy and lead department: days from the policy's issue to the department's first completed task.
first_completions as (
    select tasks.lead_dept_code, tasks.policy_id, policies.issued_at_local,
           min(tasks.completed_at_local) as first_completed_at_local
    from tasks
    join policies on tasks.policy_id = policies.policy_id
    where tasks.completed_at_local is not null
    group by all
),

strategic_agility as (
    select
        lead_dept_code as dept_code,
        date_trunc('month', first_completed_at_local)::date as period_month,
        'STRATEGIC_AGILITY' as indicator_code,
        sum(date_diff('second', issued_at_local, first_completed_at_local) / 86400.0) as numerator,
        count(*) as denominator
    from first_completions
    group by all
),

documents as (
    select * from {{ ref('stg_gov_oa__documents') }}
    qualify row_number() over (partition by doc_id order by occurred_at_local) = 1
),

document_issuers as (
    select distinct doc_id, occurred_at_local, len(issuing_dept_codes) > 1 as is_joint,
           unnest(issuing_dept_codes) as dept_code
    from documents
),

joint_document_share as (
    select
        dept_code,
        date_trunc('month', occurred_at_local)::date as period_month,
        'JOINT_DOCUMENT_SHARE' as indicator_code,
        count(*) filter (where is_joint) as numerator,
        count(*) as denominator
    from document_issuers
    group by all
),

-- Tasks with co-operating departments, for the lead and every co-department, due in the month: share completed.
collaborative_tasks as (
    select distinct task_id, deadline, completed_at_local, unnest(list_prepend(lead_dept_code, co_dept_codes)) as dept_code
    from due_tasks
    where len(co_dept_codes) > 0
),

collab_task_completion as (
    select
        dept_code,
        date_trunc('month', deadline)::date as period_month,
        'COLLAB_TASK_COMPLETION' as indicator_code,
        count(*) filter (where completed_at_local is not null) as numerator,
        count(*) as denominator
    from collaborative_tasks
    group by all
),

rates as (
    select * from policy_implementation
    union all by name select * from joint_document_share
    union all by name select * from collab_task_completion
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from rates
union all by name
select dept_code, period_month, indicator_code, numerator / denominator as value,
       numerator::double as numerator, denominator::double as denominator
from strategic_agility
