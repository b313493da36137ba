"""Offline Data Docs: every CDN link of a GX page is rewritten to a local copy, relative to the page."""
from __future__ import annotations

import pytest

from jixiao.expectations.docs_assets import CDN_FILES, EXTRA_FOLDERS, AssetsMissing, assets_dir, localize


def fake_assets(cache):
    for path in (*CDN_FILES.values(), f"{EXTRA_FOLDERS[0]}/fa-solid-900.woff2"):
        target = assets_dir(cache) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"/* {path} */", encoding="utf-8")


def test_pages_at_any_depth_point_at_the_local_copies(tmp_path):
    fake_assets(tmp_path / "cache")
    site = tmp_path / "site"
    deep = site / "validations" / "suite" / "run"
    deep.mkdir(parents=True)
    page = "".join(f'<script src="{url}" integrity="sha384-x" crossorigin="anonymous"></script>' for url in CDN_FILES)
    (site / "index.html").write_text(page, encoding="utf-8")
    (deep / "result.html").write_text(page, encoding="utf-8")
    assert localize(site, tmp_path / "cache") == 2
    top = (site / "index.html").read_text(encoding="utf-8")
    nested = (deep / "result.html").read_text(encoding="utf-8")
    assert "https://" not in top + nested and "integrity=" not in top
    assert 'src="static/vendor/jquery/dist/jquery.min.js"' in top
    assert 'src="../../../static/vendor/jquery/dist/jquery.min.js"' in nested
    assert (site / "static" / "vendor" / EXTRA_FOLDERS[0] / "fa-solid-900.woff2").exists()


def test_missing_assets_say_what_to_run(tmp_path):
    (tmp_path / "site").mkdir()
    with pytest.raises(AssetsMissing, match="make setup"):
        localize(tmp_path / "site", tmp_path / "cache")
