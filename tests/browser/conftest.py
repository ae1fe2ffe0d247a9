"""Fixtures for the reader-quality browser suite: the flagship built once per session, served on
127.0.0.1 under a GitHub Pages project sub-path, and Debian's chromium driven by Playwright.

Every page a test opens is watched: console errors, uncaught exceptions, failed requests and any
request that leaves the local server (which is aborted, so nothing ever reaches the network) fail
the test at teardown.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from site_builder.host.runner import build_site
from tests.browser.reader import PAGE_TYPES
from tests.sitecrawl import serve_under

playwright_sync = pytest.importorskip("playwright.sync_api")

REPO = Path(__file__).resolve().parents[2]
PREFIX = "/site-builder/"
HOST = "flagship.test"  # resolved to the local server by the browser, never by DNS
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Watch:
    """What went wrong while a page was open."""

    base: str
    problems: list[str] = field(default_factory=list)
    # The document of a missing URL is answered with status 404 on purpose; chromium logs that.
    expected_404: set[str] = field(default_factory=set)

    def console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        if "status of 404" in msg.text and msg.location.get("url", "") in self.expected_404:
            return
        self.problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def failed(self, request: Any) -> None:
        # ERR_ABORTED is a request cancelled by a navigation (reload, instant navigation), not a fault.
        if "ERR_ABORTED" not in str(request.failure):
            self.problems.append(f"failed: {request.url} {request.failure}")

    def response(self, response: Any) -> None:
        if response.status >= 400 and response.url not in self.expected_404:
            self.problems.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[str, str]]:
    """The flagship, built strictly from the repo into a temp folder and served on 127.0.0.1 under
    /site-builder/; yields (URL the browser uses, host-resolver rule that maps it to the server)."""
    with tempfile.TemporaryDirectory(prefix="sb-flagship-") as tmp:
        out = Path(tmp) / "site"
        result = build_site(REPO / "mkdocs.yml", site_dir=out)
        assert result.ok, [str(e) for e in result.errors]
        with serve_under(out, PREFIX) as url:
            # The browser meets the site on a default port, as on GitHub Pages: Material's instant
            # navigation matches links against sitemap URLs whose port it does not rewrite.
            yield f"http://{HOST}{PREFIX}", f"MAP {HOST} {urlsplit(url).netloc}"


@pytest.fixture(scope="session")
def site_url(served: tuple[str, str]) -> str:
    return served[0]


# Module scope: Playwright's sync API allows one running instance at a time, and other test
# modules (the timeline's) start their own.
@pytest.fixture(scope="module")
def browser(served: tuple[str, str]) -> Iterator[Any]:
    rules = f"--host-resolver-rules={served[1]}"
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, rules])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Callable[..., Any]]:
    """`open_page(path, **context_options)` → a watched page at `path` (below the site root)."""
    contexts: list[Any] = []
    watches: list[Watch] = []

    def open_(path: str, **options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        watch = Watch(site_url)
        watches.append(watch)
        if path == PAGE_TYPES["404"]:
            watch.expected_404.add(site_url + path)
        local = urlsplit(site_url).netloc

        def route(r: Any) -> None:
            if urlsplit(r.request.url).netloc == local or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                watch.problems.append(f"request leaving the local server: {r.request.url}")
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", watch.console)
        page.on("pageerror", lambda exc: watch.problems.append(f"uncaught: {exc}"))
        page.on("requestfailed", watch.failed)
        page.on("response", watch.response)
        page.goto(site_url + path, wait_until="load")
        return page

    yield open_
    for context in contexts:
        context.close()
    problems = [p for w in watches for p in w.problems]
    assert problems == [], "\n".join(problems)

