"""The site in headless Chromium (Debian's chromium, driven by Playwright): it loads offline with no console
error, the radar is drawn, Chinese is drawn as glyphs (not empty boxes), screenshots are saved, PDFs are A4."""
from __future__ import annotations

import re

import pytest

from jixiao.reports.browser import chromium, cjk_renders
from jixiao.reports.pdf import check_site, render_pdfs
from jixiao.reports.render import render_site

pytestmark = pytest.mark.kafka

NO_CJK_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(scope="module")
def platform_site(simulated_platform, tmp_path_factory):
    """The shared platform's warehouse rendered into a folder of this module (its own site stays untouched)."""
    out = tmp_path_factory.mktemp("site")
    return render_site(simulated_platform.cfg, out_dir=out)


def test_index_and_a_department_page_load_offline_without_errors_radar_drawn_chinese_shown(platform_site):
    period = platform_site.periods[-1]
    checks = check_site(platform_site.out_dir, period, platform_site.departments[period][0])
    for check in checks:
        assert check.problems() == [], check.url
        assert check.screenshot.exists() and check.screenshot.stat().st_size > 20_000
    assert checks[1].radar_drawn is True
    assert sorted(p.name for p in (platform_site.out_dir / "screenshots").glob("*.png")) == \
        sorted([checks[1].screenshot.name, "index.png"])


def test_the_glyph_check_fails_when_no_cjk_font_is_available(platform_site, tmp_path):
    """With fontconfig limited to a Latin font, Chinese renders as boxes and the check must say so."""
    config = tmp_path / "fonts.conf"
    config.write_text(NO_CJK_FONTS.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    with chromium(env={"FONTCONFIG_FILE": str(config)}) as browser:
        page = browser.new_page()
        page.goto((platform_site.out_dir / "index.html").as_uri())
        assert cjk_renders(page) is False
    with chromium() as browser:
        page = browser.new_page()
        page.goto((platform_site.out_dir / "index.html").as_uri())
        assert cjk_renders(page) is True


def test_the_index_filters_by_region_type_and_tier(platform_site):
    with chromium() as browser:
        page = browser.new_page()
        page.goto((platform_site.out_dir / "index.html").as_uri())
        rows = page.locator("#ranking-table tbody tr")
        total = rows.count()
        assert total == len(platform_site.departments[platform_site.periods[-1]])
        tier = page.locator("#f-tier option").nth(1).get_attribute("value") or page.locator("#f-tier option").nth(1).inner_text()
        page.select_option("#f-tier", label=tier)
        visible = page.locator("#ranking-table tbody tr:not([hidden])")
        assert 0 < visible.count() < total
        assert all(t == tier for t in visible.evaluate_all("rows => rows.map(r => r.dataset.tier)"))
        region = page.locator("#f-region option").nth(1).inner_text()
        page.select_option("#f-region", label=region)
        assert all(r == region for r in visible.evaluate_all("rows => rows.map(r => r.dataset.region)"))
        assert re.match(r"显示 \d+ / \d+ 个部门", page.locator("#f-count").inner_text())


def test_department_reports_print_to_a4_pdfs_in_one_browser_session(platform_site, tmp_path):
    period = platform_site.periods[-1]
    codes = platform_site.departments[period][:3]
    summary = render_pdfs(platform_site.out_dir, period, codes, out_dir=tmp_path / "pdf")
    assert [p.name for p in summary.files] == [f"{c}.pdf" for c in codes]
    for pdf in summary.files:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-")
        sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data))
        assert sizes and all(abs(float(w) - 595.9) < 1.5 and abs(float(h) - 842.9) < 1.5 for w, h in sizes)
    assert summary.per_second > 0
