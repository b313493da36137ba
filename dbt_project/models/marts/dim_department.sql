select
    d.dept_code,
    d.dept_name,
    d.dept_type,
    d.dept_type_name,
    d.level,
    d.level_name,
    d.region_code,
    r.region_name,
    r.parent_code as parent_region_code
from {{ ref('ref_departments') }} as d
left join {{ ref('ref_regions') }} as r on d.region_code = r.region_code
