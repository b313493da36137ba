-- Negative-text rates per department and month, by text source (posts, 12345 tickets, 好差评 comments).
-- 部门月度负面文本占比：网络舆情帖文、12345工单、好差评评语。
select
    dept_code,
    period,
    count(*) filter (where text_source = 'post') as posts,
    count(*) filter (where text_source = 'post' and is_negative) as negative_posts,
    avg(is_negative::double) filter (where text_source = 'post') as negative_post_rate,
    count(*) filter (where text_source = 'ticket') as tickets,
    avg(is_negative::double) filter (where text_source = 'ticket') as negative_ticket_rate,
    count(*) filter (where text_source = 'review_comment') as review_comments,
    avg(is_negative::double) filter (where text_source = 'review_comment') as negative_comment_rate
from {{ ref('int_text__sentiment') }}
group by dept_code, period
