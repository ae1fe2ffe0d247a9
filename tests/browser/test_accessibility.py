"""Accessibility of the flagship in chromium: axe-core finds no serious or critical violation on any
page type in either palette, and a keyboard alone reaches and works the timeline filters, the palette
toggle and a chart's data table.

axe-core is vendored (`vendor/axe.min.js`, MPL-2.0, licence alongside) so the check runs offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.reader import PAGE_TYPES, hydrate_charts, scheme

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
PALETTES = {"light": "default", "dark": "slate"}


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations, one readable line per failing element."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {node['target']} {node['failureSummary']!r}"
            for v in result["violations"] if v["impact"] in BLOCKING for node in v["nodes"]]


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_serious_axe_violations(open_page, name: str, palette: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page(PAGE_TYPES[name], color_scheme=palette)
    assert scheme(page) == PALETTES[palette]
    hydrate_charts(page)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)


def tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_works_the_timeline_filters(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(PAGE_TYPES["timeline"])
    count = page.locator(".sb-timeline-count")
    before = count.inner_text()
    tab_to(page, "form.sb-timeline-filters input[type=checkbox]")
    page.keyboard.press("Space")
    assert count.inner_text() != before and "of" in count.inner_text()
    page.keyboard.press("Space")
    assert count.inner_text() == before
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none" or \
        page.evaluate("getComputedStyle(document.activeElement.closest('label') || document.activeElement)"
                      ".outlineStyle") != "none", "the focused filter shows no focus ring"


def test_keyboard_toggles_the_palette(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(PAGE_TYPES["article"], color_scheme="light")
    tab_to(page, "form[data-md-component=palette] input")
    page.keyboard.press("Enter")
    assert scheme(page) == "slate"
    page.keyboard.press("Enter")
    assert scheme(page) == "default"


def test_keyboard_opens_a_chart_data_table(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(PAGE_TYPES["article"])
    if page.locator("figure.sb-chart details summary").count() == 0:
        pytest.skip("the article has no chart data table yet (chart pipeline not merged)")
    tab_to(page, "figure.sb-chart details > summary", limit=400)
    page.keyboard.press("Enter")
    details = page.locator("figure.sb-chart details[open]").first
    assert details.locator("table").first.is_visible()
