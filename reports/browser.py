"""Headless Chromium for the report site: page checks (console errors, offline, radar, Chinese glyphs) and PDFs.

Driven by Playwright with the system's Chromium (Debian's ``chromium``; Playwright cannot download browsers
here). One browser session serves every page of a run. ``JX_CHROMIUM`` overrides the binary.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--disable-default-apps"]
CJK_SAMPLE = "绩效评分部门报告"

_GLYPHS_JS = """(chars) => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
    const g = canvas.getContext('2d'); g.font = '40px ' + font; g.fillText(ch, 2, 40);
    const d = g.getImageData(0, 0, 48, 48).data; let bits = '';
    for (let i = 3; i < d.length; i += 4) bits += d[i] > 127 ? '1' : '0';
    return bits;
  };
  return {font: font, missing: draw('\\uFFFF'), glyphs: chars.map(draw)};
}"""
"""Draws each sample character, and U+FFFF (a noncharacter no font has: the "missing glyph" box), with the
page's own font stack. Without a CJK font every Chinese character is drawn as that same box."""


class BrowserUnavailable(RuntimeError):
    """No Chromium (or Playwright) to drive."""


class CjkMissing(RuntimeError):
    """Chinese text renders as empty boxes: no CJK font is installed."""


def chromium_path() -> str:
    path = os.environ.get("JX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise BrowserUnavailable(f"no Chromium at {path}: run `make setup` (installs Debian's chromium) "
                                 "or set JX_CHROMIUM")
    return path


@contextmanager
def chromium(env: dict[str, str] | None = None):
    """One headless Chromium session (Playwright's browser object), closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - a broken install
        raise BrowserUnavailable(f"Playwright is not installed ({error}): run `make setup`") from None
    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS,
                                             env={**os.environ, **(env or {})})
        try:
            yield browser
        finally:
            browser.close()


def cjk_renders(page) -> bool:
    """True when the page's fonts draw Chinese as distinct glyphs, not as the missing-glyph box."""
    result = page.evaluate(_GLYPHS_JS, list(CJK_SAMPLE))
    glyphs = result["glyphs"]
    return len(set(glyphs)) == len(glyphs) and result["missing"] not in glyphs and all("1" in g for g in glyphs)


def require_cjk(page) -> None:
    if not cjk_renders(page):
        raise CjkMissing("Chinese renders as empty boxes in Chromium: no CJK font installed — run `make setup` "
                         "(installs fonts-wqy-zenhei) or `apt-get install fonts-noto-cjk`")


@dataclass
class PageCheck:
    """What a person would see: errors in the console, requests that left the machine, the radar, Chinese."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    radar_drawn: bool | None = None
    cjk_ok: bool = False
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        return (not self.console_errors and not self.external_requests and not self.failed_requests
                and self.cjk_ok and self.radar_drawn is not False)

    def problems(self) -> list[str]:
        found = [f"console: {e}" for e in self.console_errors]
        found += [f"network request: {u}" for u in self.external_requests]
        found += [f"failed to load: {u}" for u in self.failed_requests]
        if self.radar_drawn is False:
            found.append("the radar chart is not drawn")
        if not self.cjk_ok:
            found.append("Chinese renders as empty boxes (no CJK font)")
        return found


def check_page(browser, path: Path, screenshot: Path, expect_radar: bool = False, full_page: bool = False) -> PageCheck:
    """Open a site page from disk and check it; save a screenshot."""
    url = path.resolve().as_uri()
    check = PageCheck(url)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.on("console", lambda m: check.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: check.console_errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:"))
                else check.external_requests.append(r.url))
        page.on("requestfailed", lambda r: check.failed_requests.append(r.url))
        page.goto(url, wait_until="load")
        if expect_radar:
            check.radar_drawn = _radar_drawn(page)
        check.cjk_ok = cjk_renders(page)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=full_page)
        check.screenshot = screenshot
    finally:
        page.close()
    return check


def _radar_drawn(page) -> bool:
    """The radar is laid out at full size with its rings, and the department's polygon has one vertex per axis."""
    chart = page.locator("svg.radar")
    polygon = page.locator("svg.radar polygon.subject")
    if chart.count() != 1 or polygon.count() != 1:
        return False
    box = chart.bounding_box()
    axes = page.locator("svg.radar line.axis").count()
    points = (polygon.get_attribute("points") or "").split()
    return (box is not None and box["width"] > 200 and box["height"] > 200 and polygon.is_visible()
            and axes == 5 and len(points) == axes)
