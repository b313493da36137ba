"""Reference data flows one way: dbt owns the department and region seeds, the simulator reads them."""
from __future__ import annotations

import csv

from jixiao.simulator.province import SEEDS_DIR, load_province


def _write(path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_simulator_reads_the_seeds_it_is_given(tmp_path):
    _write(tmp_path / "ref_regions.csv", [
        {"region_code": "XP", "region_name": "测试省", "level": "province", "parent_code": "", "level_name": "省级"},
        {"region_code": "XP-A", "region_name": "甲市", "level": "city", "parent_code": "XP", "level_name": "市级"},
        {"region_code": "XP-A-1", "region_name": "一区", "level": "county", "parent_code": "XP-A", "level_name": "县级"},
        {"region_code": "XP-B", "region_name": "乙市", "level": "city", "parent_code": "XP", "level_name": "市级"},
    ])
    _write(tmp_path / "ref_departments.csv", [
        {"dept_code": code, "dept_name": name, "dept_type": dtype, "dept_type_name": tname, "region_code": region,
         "level": level, "level_name": ""}
        for code, name, dtype, tname, region, level in [
            ("XP-SCJG", "测试省市场监督管理局", "SCJG", "市场监督管理局", "XP", "province"),
            ("XP-A-SCJG", "甲市市场监督管理局", "SCJG", "市场监督管理局", "XP-A", "city"),
            ("XP-A-1-NEWT", "一区新设局", "NEWT", "新设局", "XP-A-1", "county"),
            ("XP-B-SCJG", "乙市市场监督管理局", "SCJG", "市场监督管理局", "XP-B", "city"),
        ]])
    province = load_province(seeds_dir=tmp_path)
    assert [d.dept_code for d in province.departments] == ["XP-SCJG", "XP-A-SCJG", "XP-A-1-NEWT", "XP-B-SCJG"]
    assert province.types["SCJG"].activity == 3.0, "simulation parameters come from the simulator's config"
    assert (province.types["NEWT"].activity, province.types["NEWT"].procurement) == (1.0, 1.0)
    small = load_province(cities=1, seeds_dir=tmp_path)
    assert [r.region_code for r in small.regions] == ["XP", "XP-A", "XP-A-1"]
    assert "XP-B-SCJG" not in {d.dept_code for d in small.departments}


def test_the_production_world_is_the_seed_world():
    province = load_province()
    with open(SEEDS_DIR / "ref_departments.csv", encoding="utf-8") as handle:
        assert [d.dept_code for d in province.departments] == [row["dept_code"] for row in csv.DictReader(handle)]


def test_province_is_realistic():
    province = load_province()
    assert len(province.types) >= 40
    assert 11 == sum(r.level == "city" for r in province.regions)
    assert 300 <= len(province.departments) <= 1000
    names = {t.code: t.name for t in province.types.values()}
    for code, name in {"SCJG": "市场监督管理局", "WJW": "卫生健康委员会", "KJJ": "科学技术局", "XZSP": "行政审批局",
                       "CZJ": "财政局", "FGW": "发展和改革委员会", "ZJJ": "住房和城乡建设局", "JYJ": "教育局",
                       "SJJ": "审计局"}.items():
        assert names[code] == name


def test_seeds_carry_no_latent_performance():
    header = (SEEDS_DIR / "ref_departments.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("dept_code,dept_name,dept_type,dept_type_name,region_code,level,level_name")
    assert "latent" not in header and "efficiency" not in header
