"""The simulated province: region tree and department registry, derived from ``config/province.yaml``."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from jixiao.runtime.config import REPO_ROOT

CONFIG = Path(__file__).parent / "config" / "province.yaml"
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}


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


def load_province(config: Path = CONFIG, cities: int | None = None) -> Province:
    """Regions (province → cities → counties) and one department per (region, type) where the type exists.

    ``cities`` keeps only the first cities of the config (small test provinces); None keeps all.
    """
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    prov = cfg["province"]
    regions = [Region(prov["code"], prov["name"], "province", None)]
    for city in cfg["cities"][:cities]:
        city_code = f"{prov['code']}-{city['code']}"
        regions.append(Region(city_code, city["name"], "city", prov["code"]))
        for county in city.get("counties", []):
            regions.append(Region(f"{city_code}-{county['code']}", county["name"], "county", city_code))
    names = {r.region_code: r.region_name for r in regions}
    departments = [
        Department(f"{region.region_code}-{dtype['code']}", f"{names[region.region_code]}{dtype['name']}",
                   dtype["code"], dtype["name"], region.region_code, region.level)
        for region in regions for dtype in cfg["department_types"] if region.level in dtype["levels"]
    ]
    types = {t["code"]: DepartmentType(t["code"], t["name"], tuple(t["levels"]), float(t.get("activity", 1.0)),
                                       float(t.get("procurement", 1.0))) for t in cfg["department_types"]}
    return Province(tuple(regions), tuple(departments), types)


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def reference_files(province: Province) -> dict[str, str]:
    """The seed files (name → CSV text) the warehouse loads as reference data."""
    return {
        "ref_regions.csv": _csv([{**r.__dict__, "parent_code": r.parent_code or "",
                                  "level_name": LEVEL_NAMES[r.level]} for r in province.regions]),
        "ref_departments.csv": _csv([{**d.__dict__, "level_name": LEVEL_NAMES[d.level]}
                                     for d in province.departments]),
    }


def write_reference(province: Province, seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """Write the reference seeds (committed to the repo; regenerate after editing the config)."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in reference_files(province).items():
        path = seeds_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
