-- 校验结果: one row per Great Expectations expectation run on the candidate warehouse. dbt creates the table empty;
-- the build's checks step (jixiao.expectations.checks) fills it before the gate decides, so the published
-- warehouse carries the results of the checks that let it through.
select
    null::varchar as run_id,
    null::timestamptz as checked_at,
    null::varchar as suite,
    null::varchar as table_name,
    null::varchar as expectation,
    null::varchar as column_name,
    null::varchar as kwargs,
    null::varchar as severity,
    null::boolean as success,
    null::boolean as is_blocking_failure,
    null::bigint as element_count,
    null::bigint as unexpected_count,
    null::varchar as unexpected_examples,
    null::varchar as description
where false
