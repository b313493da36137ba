select
    regions.region_code,
    regions.region_name,
    regions.level,
    regions.level_name,
    nullif(regions.parent_code, '') as parent_region_code,
    parents.region_name as parent_region_name
from {{ ref('ref_regions') }} as regions
left join {{ ref('ref_regions') }} as parents on regions.parent_code = parents.region_code
