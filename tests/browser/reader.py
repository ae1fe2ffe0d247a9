"""Shared knowledge of the flagship for the browser suite: its page types and how to wait for charts."""

from __future__ import annotations

from typing import Any

# Every page type of the flagship, by the path below the site root.
PAGE_TYPES = {
    "home": "",
    "article": "explainer/",
    "whos-who": "whos-who/",
    "methodology": "methodology/",
    "timeline": "timeline/",
    "sources": "sources/",
    "404": "no-such-page/",
}


def hydrate_charts(page: Any) -> int:
    """Scroll each chart into view (the runtime hydrates lazily) and wait until it is live; the count."""
    figures = page.locator("figure.sb-chart")
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        page.wait_for_function(
            "f => f.classList.contains('is-live') || f.hasAttribute('data-sb-failed')",
            arg=figures.nth(i).element_handle(), timeout=10_000)
        assert figures.nth(i).get_attribute("data-sb-failed") is None, f"chart {i} failed to hydrate"
    return int(figures.count())


def scheme(page: Any) -> str:
    """Material's active palette: `default` (light) or `slate` (dark)."""
    return str(page.get_attribute("body", "data-md-color-scheme"))
