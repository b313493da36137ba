"""The committed reference seeds are exactly what the province config generates, and hold no truth."""
from __future__ import annotations

from jixiao.simulator.province import SEEDS_DIR, load_province, reference_files


def test_committed_seeds_equal_the_generated_reference_data():
    for name, text in reference_files(load_province()).items():
        assert (SEEDS_DIR / name).read_text(encoding="utf-8") == text, f"regenerate {name}: write_reference()"


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
