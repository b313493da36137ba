-- Departments with their region and peer group: a department type is its own peer group unless
-- ref_peer_groups joins it to others (a type with a single department is ranked among its peers, not alone).
select
    d.dept_code,
    d.dept_name,
    d.dept_type,
    d.dept_type_name,
    coalesce(groups.peer_group, d.dept_type) as peer_group,
    coalesce(groups.peer_group_name, d.dept_type_name) as peer_group_name,
    d.level,
    d.level_name,
    d.region_code,
    r.region_name,
    r.parent_code as parent_region_code
from {{ ref('ref_departments') }} as d
left join {{ ref('ref_regions') }} as r on d.region_code = r.region_code
left join {{ ref('ref_peer_groups') }} as groups on d.dept_type = groups.dept_type
