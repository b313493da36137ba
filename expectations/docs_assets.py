"""Great Expectations Data Docs that work offline (government intranets have no CDN).

GX 1.24's pages load jQuery, Bootstrap, bootstrap-table, Font Awesome, Vega … from public CDNs; opened without
network they show no result table at all. :func:`ensure_assets` fetches the same versions once from the npm
registry (``npm pack``, into the cache; ``make setup`` runs it) and :func:`localize` copies them next to the docs and
points every page at the local copies.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGES = {  # npm package spec → folder name in the cache
    "jquery@3.7.1": "jquery",
    "popper.js@1.12.9": "popper.js",
    "bootstrap@4.3.1": "bootstrap",
    "bootstrap-table@1.19.1": "bootstrap-table",
    "bootstrap-datepicker@1.9.0": "bootstrap-datepicker",
    "@fortawesome/fontawesome-free@6.6.0": "fontawesome-free",
    "@forevolve/bootstrap-dark@1.1.0": "bootstrap-dark",
    "vega@5.33.1": "vega",
    "vega-lite@5.23.0": "vega-lite",
    "vega-embed@6.29.0": "vega-embed",
}
CDN_FILES = {  # URL the GX templates use → file under the cache (and under the site's static/vendor/)
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome-free/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
EXTRA_FOLDERS = ("fontawesome-free/webfonts",)  # loaded by all.min.css through relative URLs
VENDOR = "static/vendor"


class AssetsMissing(RuntimeError):
    """The offline Data Docs assets are not in the cache: run `make setup`."""


def assets_dir(cache: Path) -> Path:
    return cache / "gx-data-docs-assets"


def ensure_assets(cache: Path) -> Path:
    """Fetch the pinned packages from the npm registry once (idempotent, quiet when present); return the folder."""
    target = assets_dir(cache)
    missing = [spec for spec, folder in PACKAGES.items() if not (target / folder / "package.json").exists()]
    if not missing:
        return target
    if shutil.which("npm") is None:
        raise AssetsMissing("npm is needed once to fetch the Data Docs assets: install Node.js (apt-get install -y npm)")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", tmp, *missing], check=True,
                       stdout=subprocess.DEVNULL, cwd=tmp)
        for spec in missing:
            name, version = spec.rsplit("@", 1)
            tarball = Path(tmp) / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
            folder = target / PACKAGES[spec]
            shutil.rmtree(folder, ignore_errors=True)
            with tarfile.open(tarball) as archive:
                archive.extractall(Path(tmp) / "x" / PACKAGES[spec], filter="data")
            shutil.move(Path(tmp) / "x" / PACKAGES[spec] / "package", folder)
    return target


def localize(site: Path, cache: Path) -> int:
    """Copy the assets into ``site/static/vendor`` and rewrite every page's CDN links to them; return pages changed."""
    source = assets_dir(cache)
    absent = [path for path in CDN_FILES.values() if not (source / path).exists()]
    if absent:
        raise AssetsMissing(f"offline Data Docs assets missing under {source} (e.g. {absent[0]}): run `make setup`")
    vendor = site / VENDOR
    for path in (*CDN_FILES.values(), *EXTRA_FOLDERS):
        (vendor / path).parent.mkdir(parents=True, exist_ok=True)
        if (source / path).is_dir():
            shutil.copytree(source / path, vendor / path, dirs_exist_ok=True)
        else:
            shutil.copyfile(source / path, vendor / path)
    pattern = re.compile("|".join(re.escape(url) for url in sorted(CDN_FILES, key=len, reverse=True)))
    changed = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        prefix = os.path.relpath(vendor, page.parent).replace(os.sep, "/")
        local = pattern.sub(lambda match: f"{prefix}/{CDN_FILES[match.group(0)]}", text)
        local = re.sub(r'\s+integrity="[^"]*"\s+crossorigin="anonymous"', "", local)
        if local != text:
            page.write_text(local, encoding="utf-8")
            changed += 1
    return changed
