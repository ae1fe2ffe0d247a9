"""The timeline page in Debian's chromium: filters, URL state, deep links, copy link, no-JS, small screens.

The fixture site is built once and served on 127.0.0.1 under a `/repo/` sub-path, as on GitHub Pages.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from site_builder.host.runner import build_site

pytestmark = pytest.mark.browser
playwright_sync = pytest.importorskip("playwright.sync_api")

FIXTURE = Path(__file__).parent / "fixtures" / "timeline_site"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("timeline-browser")
    shutil.copytree(FIXTURE, tmp / "src")
    result = build_site(tmp / "src" / "mkdocs.yml", site_dir=tmp / "www" / "repo")
    assert result.ok, [str(e) for e in result.errors]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / "www")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/repo/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield page
    context.close()
    assert errors == []


def visible_events(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("li.sb-event", "els => els.filter(e => e.offsetParent).map(e => e.id)")


def count_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.text_content(".sb-timeline-count").strip()


def test_filter_by_category_then_tag(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "timeline/")
    assert count_text(page) == "Showing all 4 events"
    page.get_by_role("checkbox", name=re.compile("^Policy")).check()
    assert count_text(page) == "Showing 2 of 4 events"
    assert set(visible_events(page)) == {"2023-interim-measures-for-generative-ai",
                                          "2024-06-07-scriptalertxscript-quotes"}
    assert "category=policy" in page.url
    page.get_by_role("checkbox", name=re.compile("^Policy")).uncheck()
    page.get_by_role("checkbox", name=re.compile("^Model release")).check()
    page.get_by_role("checkbox", name=re.compile("^Qwen")).check()
    assert visible_events(page) == ["qwen-2"]
    assert page.is_hidden("h2#\\32 023") and page.is_visible("h2#\\32 024")
    assert page.url.endswith("timeline/?category=release&tag=Qwen")
    page.get_by_role("button", name="Show all").click()
    page.wait_for_function("document.querySelector('.sb-timeline-count').textContent.includes('all')")
    assert len(visible_events(page)) == 4 and "?" not in page.url


def test_filters_work_from_the_keyboard(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "timeline/")
    page.focus("input[name=category][value=release]")
    page.keyboard.press("Space")
    assert count_text(page) == "Showing 2 of 4 events"
    assert page.get_attribute(".sb-timeline-count", "aria-live") == "polite"


def test_url_state_is_restored_on_load(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "timeline/?category=policy&tag=China")
    assert page.is_checked("input[name=category][value=policy]")
    assert page.is_checked("input[name=tag][value=China]")
    assert not page.is_checked("input[name=category][value=release]")
    assert visible_events(page) == ["2023-interim-measures-for-generative-ai"]
    assert count_text(page) == "Showing 1 of 4 events"


def test_deep_link_scrolls_to_and_highlights_the_event(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 800, "height": 400})
    page.goto(base_url + "timeline/?category=policy#qwen-2")
    event = page.locator("li#qwen-2")
    assert "sb-event--highlight" in (event.get_attribute("class") or "")
    assert event.is_visible()  # the link wins over the filter that would hide it
    assert page.evaluate("document.activeElement.id") == "qwen-2"
    box = event.bounding_box()
    assert box is not None and 0 <= box["y"] < 400


def test_slice_links_to_the_event_on_the_timeline(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "articles/report/")
    page.locator("#qwen ~ .sb-timeline-slice a.sb-event__permalink").first.click()
    page.wait_for_url("**/repo/timeline/#qwen-2")
    page.wait_for_function("document.querySelector('#qwen-2').classList.contains('sb-event--highlight')")


def test_copy_link(browser, base_url) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(base_url + "timeline/")
    page.locator("li#qwen-2 .sb-event__copy").click()
    page.wait_for_function("document.querySelector('li#qwen-2 .sb-event__copy').textContent !== 'Copy link'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == base_url + "timeline/#qwen-2"
    context.close()


def test_without_javascript_every_event_shows(browser, base_url) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "timeline/?category=policy")
    assert len(visible_events(page)) == 4
    assert page.is_hidden("form.sb-timeline-filters")
    context.close()


def test_fits_a_small_screen(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(base_url + "timeline/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
