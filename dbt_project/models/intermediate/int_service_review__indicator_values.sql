-- 好差评满意度 and 差评整改率 per department and business month of the review.
with reviews as (
    select * from {{ ref('stg_service_review__reviews') }}
    qualify row_number() over (partition by review_id order by occurred_at, event_id) = 1
),

rectified as (
    select distinct review_id from {{ ref('stg_service_review__rectifications') }}
),

reviewed as (
    select
        reviews.dept_code,
        date_trunc('month', reviews.occurred_at_local)::date as period_month,
        reviews.rating,
        reviews.is_bad_review,
        rectified.review_id is not null as is_rectified
    from reviews
    left join rectified on reviews.review_id = rectified.review_id
),

counts as (
    -- satisfied = rated 4 or 5
    select 'REVIEW_SATISFACTION' as indicator_code, dept_code, period_month,
           count(*) filter (where rating >= 4) as numerator, count(*) as denominator
    from reviewed group by all
    union all
    -- bad reviews (1–2) of the month rectified so far
    select 'BAD_REVIEW_RECTIFIED', dept_code, period_month,
           count(*) filter (where is_bad_review and is_rectified), count(*) filter (where is_bad_review)
    from reviewed group by all
)

select dept_code, period_month, indicator_code, {{ percent('numerator', 'denominator') }} as value,
       numerator::double as numerator, denominator::double as denominator
from counts
where denominator > 0
