-- Every item's contribution to a department's score per month: the indicators and nodes of the 360 tree
-- (overall) and of the mission → goal tree (goals). Contributions of an item's children add up to its own.
select
    dept_code,
    period,
    tree,
    item,
    item_name,
    kind,
    parent,
    depth,
    indicator_code,
    dimension,
    raw,
    score,
    weight,
    effective_weight,
    contribution,
    coverage,
    status,
    exempted,
    exemption,
    baseline_score,
    baseline_contribution,
    baseline_status
from {{ ref('int_dept_scoring__items') }}
