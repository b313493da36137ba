-- What citizens said about a department, for its report: per department and month, the 12345 tickets that
-- went wrong (not resolved, closed late, rated 1–2, or still open) and the most-reposted posts. Texts were
-- masked at ingest; they are hostile input and the report escapes them.
with tickets_created as (
    select * from {{ ref('stg_hotline_12345__tickets_created') }}
),

tickets as (
    select * from {{ ref('int_hotline_12345__tickets') }}
),

posts as (
    select * from {{ ref('stg_public_opinion__posts') }}
),

ticket_signals as (
    select
        tickets_created.dept_code,
        strftime(tickets_created.created_at_local, '%Y-%m') as period,
        'hotline_12345' as source,
        '12345热线' as source_name,
        tickets_created.ticket_id as item_id,
        tickets_created.category,
        case when tickets.is_closed and not tickets.is_resolved then '未解决'
             when tickets.is_closed and not tickets.is_on_time then '超时办结'
             when tickets.satisfaction <= 2 then '满意度 ' || tickets.satisfaction || ' 分'
             else '尚未办结' end as signal,
        case when tickets.is_closed and not tickets.is_resolved then 0
             when tickets.is_closed and not tickets.is_on_time then 1
             when tickets.satisfaction <= 2 then 2
             else 3 end as severity_order,
        tickets_created.created_at_local::date as occurred_on,
        tickets_created.ticket_text as text
    from tickets_created
    join tickets on tickets.ticket_id = tickets_created.ticket_id
    where not tickets.is_closed
       or not tickets.is_resolved
       or not tickets.is_on_time
       or tickets.satisfaction <= 2
    qualify row_number() over (partition by tickets_created.ticket_id order by tickets_created.created_at_local,
                                                                               tickets_created.event_id) = 1
),

post_signals as (
    select
        dept_code,
        strftime(occurred_at_local, '%Y-%m') as period,
        'public_opinion' as source,
        '网络舆情' as source_name,
        post_id as item_id,
        platform as category,
        '转发 ' || reposts || ' 次' as signal,
        -reposts as severity_order,
        occurred_at_local::date as occurred_on,
        post_text as text
    from posts
    qualify row_number() over (partition by post_id order by occurred_at_local, event_id) = 1
),

ranked as (
    select
        *,
        row_number() over (partition by dept_code, period, source
                           order by severity_order, occurred_on desc, item_id) as rank_in_dept
    from (select * from ticket_signals union all select * from post_signals)
)

select dept_code, period, source, source_name, item_id, category, signal, occurred_on, text, rank_in_dept
from ranked
where rank_in_dept <= {{ var('report_voice_per_source', 5) }}
