"""Regenerate the README screenshots of the flagship: home, the explainer (light and dark) and the
timeline, at 1280 px desktop and 375 px phone widths, into docs/screenshots/.

Builds the flagship into a temp folder, serves it on 127.0.0.1 under /site-builder/, and drives
Debian's chromium (headless) through Playwright. Pages are captured from the top, clipped to a
fixed height so the PNGs stay small. Usage:
    python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright

from site_builder.host.runner import build_site
from tests.browser.reader import PAGE_TYPES, hydrate_charts
from tests.sitecrawl import serve_under

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"desktop": (1280, 1600), "mobile": (375, 1400)}  # width, clip height
# (page type, palette) pairs to capture at every width.
SHOTS = [("home", "light"), ("article", "light"), ("article", "dark"), ("timeline", "light")]
NAMES = {"article": "explainer"}


def capture(browser: Any, url: str, palette: str, width: int, height: int, path: Path) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=palette,
                                  is_mobile=width < 600, has_touch=width < 600)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    hydrate_charts(page)  # charts near the top must be live, not static fallbacks
    page.evaluate("window.scrollTo(0, 0)")
    full = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(path), full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, full)})
    context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sb-shots-") as tmp:
        result = build_site(ROOT / "mkdocs.yml", site_dir=Path(tmp) / "site")
        if not result.ok:
            sys.exit("flagship build failed:\n" + "\n".join(str(e) for e in result.errors))
        with serve_under(Path(tmp) / "site", "/site-builder/") as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for kind, palette in SHOTS:
                for device, (width, height) in WIDTHS.items():
                    name = f"{NAMES.get(kind, kind)}-{device}" + ("-dark" if palette == "dark" else "") + ".png"
                    capture(browser, base + PAGE_TYPES[kind], palette, width, height, OUT / name)
                    print(f"{OUT.relative_to(ROOT) / name}: {(OUT / name).stat().st_size // 1024} KiB")
            browser.close()


if __name__ == "__main__":
    main()
