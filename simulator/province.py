"""The simulated province: the region tree and department registry of the warehouse's reference data (dbt seeds
``ref_regions.csv``, ``ref_departments.csv`` — dbt owns them, the simulator only reads them), with the simulation
parameters of each department type from ``config/province.yaml``."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from jixiao.runtime.config import REPO_ROOT

CONFIG = Path(__file__).parent / "config" / "province.yaml"
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Region:
    region_code: str
    region_name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Department:
    dept_code: str
    dept_name: str
    dept_type: str
    dept_type_name: str
    region_code: str
    level: str


@dataclass(frozen=True)
class DepartmentType:
    """A department type and how much it does: citizen-facing ``activity`` and ``procurement`` weights."""

    code: str
    name: str
    levels: tuple[str, ...]
    activity: float
    procurement: float


@dataclass(frozen=True)
class Province:
    regions: tuple[Region, ...]
    departments: tuple[Department, ...]
    types: dict[str, DepartmentType]


def _read_seed(seeds_dir: Path, name: str) -> list[dict]:
    with open(seeds_dir / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_province(config: Path = CONFIG, cities: int | None = None, seeds_dir: Path = SEEDS_DIR) -> Province:
    """Regions (province → cities → counties) and departments in seed order; ``cities`` keeps only the first
    cities of the region seed and their counties (small test provinces), None keeps all."""
    params = yaml.safe_load(config.read_text(encoding="utf-8"))["department_types"]
    regions = [Region(r["region_code"], r["region_name"], r["level"], r["parent_code"] or None)
               for r in _read_seed(seeds_dir, "ref_regions.csv")]
    kept_cities = [r.region_code for r in regions if r.level == "city"][:cities]
    kept = {r.region_code for r in regions if r.level == "province" or r.region_code in kept_cities
            or r.parent_code in kept_cities}
    regions = [r for r in regions if r.region_code in kept]
    departments = [Department(d["dept_code"], d["dept_name"], d["dept_type"], d["dept_type_name"], d["region_code"],
                              d["level"])
                   for d in _read_seed(seeds_dir, "ref_departments.csv") if d["region_code"] in kept]
    types: dict[str, DepartmentType] = {}
    for d in departments:
        if d.dept_type not in types:
            p = params.get(d.dept_type, {})
            levels = tuple(sorted({x.level for x in departments if x.dept_type == d.dept_type}))
            types[d.dept_type] = DepartmentType(d.dept_type, d.dept_type_name, levels, float(p.get("activity", 1.0)),
                                                float(p.get("procurement", 1.0)))
    return Province(tuple(regions), tuple(departments), types)
